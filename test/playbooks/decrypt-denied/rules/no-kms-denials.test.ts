import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import cdkBootstrapCustomerKey from '../../../../src/playbooks/decrypt-denied/rules/cdk-bootstrap-customer-key.js';
import kmsKeyPolicyDenies from '../../../../src/playbooks/decrypt-denied/rules/kms-key-policy-denies.js';
import noKmsDenials from '../../../../src/playbooks/decrypt-denied/rules/no-kms-denials.js';
import { failing, healthy, incident, trapOnly } from '../evidence.js';

describe('no-kms-denials', () => {
  it('hits when CloudTrail shows no denial but something else is not clear (a warning)', () => {
    const r = applyRules([cdkBootstrapCustomerKey, noKmsDenials], trapOnly());
    expect(r.data('no-kms-denials')).toEqual([{ target: 'name', hours: 24 }]);
    expect(r.outcome('no-kms-denials').hits[0]!.finding.title).toBe('CloudTrail shows no denied KMS call in the last 24 h');
  });
  it('hits when another check could not run', () => {
    expect(applyRules([noKmsDenials], failing(healthy(), 'ssm-parameters')).outcome('no-kms-denials').status).toBe('hit');
  });
  it('misses with a denial, or when all is clear (kms-access-healthy says it then)', () => {
    expect(applyRules([kmsKeyPolicyDenies, noKmsDenials], incident()).outcome('no-kms-denials').status).toBe('miss');
    expect(applyRules([noKmsDenials], healthy()).outcome('no-kms-denials').status).toBe('miss');
  });
  it('is unchecked when CloudTrail could not be read', () => {
    const e = failing(healthy(), 'kms-denials');
    e.trailRead = false;
    expect(applyRules([noKmsDenials], e).outcome('no-kms-denials')).toMatchObject({ status: 'unchecked', missing: ['kms-denials'] });
  });
});
