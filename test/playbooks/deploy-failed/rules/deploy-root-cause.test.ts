import { describe, expect, it } from 'vitest';
import { plainText } from '../../../../src/markup.js';
import deployRootCause from '../../../../src/playbooks/deploy-failed/rules/deploy-root-cause.js';
import { evidence, event, incident001, KEY_ARN, outcome, stackInfo, withEvents } from '../evidence.js';

describe('deploy-root-cause', () => {
  it('hit: the first failure, a KMS denial with decrypt-denied’s verdict and fixes; the cascades folded', () => {
    const o = outcome(deployRootCause, incident001());
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toMatchObject({
      kind: 'first-failure',
      stack: 'MyAppStack',
      logicalId: 'DbAuroraGetDbPassword',
      type: 'Custom::AWS',
      cascades: 2,
      kms: { action: 'kms:Decrypt', keyArn: KEY_ARN },
      decrypt: { target: KEY_ARN, severity: 'critical' },
    });
    expect(finding.severity).toBe('critical');
    expect(finding.title).toBe(
      'MyAppStack failed at DbAuroraGetDbPassword (Custom::AWS): role MyAppStack-CustomRole-1Q2W may not kms:Decrypt key 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d (no identity-based policy allows it)',
    );
    expect(finding.detail).toContain('2 later failures are cascades of this one (folded): DbCluster, CacheCluster (Resource creation cancelled).');
    // decrypt-denied's findings are a list, its key a code span
    expect(finding.markup).toContainEqual({ list: [['MyAppStack-CustomRole-1Q2W is denied kms:Decrypt on the key']] });
    expect(finding.markup).toContainEqual({ p: ['decrypt-denied (', { code: KEY_ARN }, ') says: Likely cause: the key policy does not let the role decrypt.'] });
    expect(finding.remediations.map((r) => r.id)).toEqual(['kms-key-policy-grant', 'show-cli']);
  });

  it('hit: a KMS denial decrypt-denied could not look at says how to run it, and offers nothing', () => {
    const { decrypt: _, ...rest } = incident001();
    const o = outcome(deployRootCause, { ...rest, decryptUnavailable: 'the decrypt-denied playbook is not part of this whybot' });
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).not.toHaveProperty('decrypt');
    expect(finding.markup).toContainEqual({
      p: ['Run ', { code: `/why-decrypt-denied ${KEY_ARN}` }, ' for whose grant is missing (whybot could not run it here: the decrypt-denied playbook is not part of this whybot).'],
    });
    expect(finding.remediations).toEqual([]);
  });

  it('hit: a failed stack whose events name no failed resource is a warning on its status', () => {
    const e = withEvents(evidence({ stack: stackInfo('ROLLBACK_COMPLETE', { statusReason: 'Rollback requested by user.' }) }), [
      event(0, 'MyAppStack', 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack'),
    ]);
    const o = outcome(deployRootCause, e);
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toEqual({ kind: 'status-only', stack: 'MyAppStack', status: 'ROLLBACK_COMPLETE', statusReason: 'Rollback requested by user.' });
    expect(finding.severity).toBe('warning');
    expect(plainText(finding.markup)).toBe('CloudFormation says: Rollback requested by user..');
  });

  it('miss: the latest deploy did not fail', () => {
    expect(outcome(deployRootCause, evidence()).status).toBe('miss');
  });

  it('could not check: without the stack’s events there is no first failure to name', () => {
    const o = outcome(deployRootCause, incident001({}, ['stack-events']));
    expect(o).toMatchObject({ status: 'unchecked', missing: ['stack-events'], hits: [] });
  });
});
