import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import cdkBootstrapCustomerKey from '../../../../src/playbooks/decrypt-denied/rules/cdk-bootstrap-customer-key.js';
import { failing, healthy, incident, K1, trapOnly } from '../evidence.js';

const run = (e: ReturnType<typeof incident>) => applyRules([cdkBootstrapCustomerKey], e);

describe('cdk-bootstrap-customer-key', () => {
  it('incident 001 §1: critical, with the CDK roles its policy does not name and the denials on it', () => {
    const r = run(incident());
    expect(r.data('cdk-bootstrap-customer-key')).toEqual([
      {
        key: K1,
        keyLabel: 'alias/s3-managed-key (1f2e3d4c-5b6a-4789-8abc-def012345678)',
        qualifier: 'hnb659fds',
        rolesNotNamed: ['cfn-exec-role', 'deploy-role', 'file-publishing-role'].map((k) => `cdk-hnb659fds-${k}-123456789012-ap-northeast-1`),
        denials: 2,
        failedDeploy: true,
      },
    ]);
    expect(r.findings[0]!.severity).toBe('critical');
    expect(r.findings[0]!.remediations.map((x) => x.id)).toEqual(['cdk-rebootstrap', 'show-cli']);
  });

  it('the trap set but nothing denied yet: a warning', () => {
    const r = run(trapOnly());
    expect(r.findings[0]!.severity).toBe('warning');
    expect(r.data('cdk-bootstrap-customer-key')[0]).toMatchObject({ denials: 0, failedDeploy: false });
  });

  it('misses when the bootstrap bucket uses the AWS managed key', () => {
    expect(run(healthy()).outcome('cdk-bootstrap-customer-key').status).toBe('miss');
  });

  it('is unchecked when the CDKToolkit stack could not be read', () => {
    const e = failing(incident(), 'cdk-bootstrap');
    delete e.toolkit;
    expect(run(e).outcome('cdk-bootstrap-customer-key')).toMatchObject({ status: 'unchecked', missing: ['cdk-bootstrap'] });
  });
});
