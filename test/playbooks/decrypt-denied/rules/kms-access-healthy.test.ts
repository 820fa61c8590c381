import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import { rules } from '../../../../src/playbooks/decrypt-denied/rules/index.js';
import kmsAccessHealthy from '../../../../src/playbooks/decrypt-denied/rules/kms-access-healthy.js';
import { failing, healthy, incident } from '../evidence.js';

describe('kms-access-healthy', () => {
  it('hits with no denial and no customer-key trap', () => {
    const r = applyRules([kmsAccessHealthy], healthy());
    expect(r.data('kms-access-healthy')).toEqual([{ hours: 24, parameters: 1, bootstrapKey: 'AWS_MANAGED_KEY' }]);
    expect(r.findings[0]!.detail).toBe('Checked: CloudTrail’s KMS events, the CDK bootstrap bucket uses AWS_MANAGED_KEY, and 1 SecureString parameter.');
  });
  it('misses when an earlier rule found a problem', () => {
    expect(applyRules(rules, incident()).outcome('kms-access-healthy').status).toBe('miss');
  });
  it('is unchecked when any check failed', () => {
    expect(applyRules([kmsAccessHealthy], failing(healthy(), 'identity-policies')).outcome('kms-access-healthy')).toMatchObject({
      status: 'unchecked',
      missing: ['identity-policies'],
    });
  });
});
