import { describe, expect, it } from 'vitest';
import { judge as judgeWith } from '../../../src/playbooks/define.js';
import type { DecryptDeniedEvidence } from '../../../src/playbooks/decrypt-denied/evidence.js';
import { rules } from '../../../src/playbooks/decrypt-denied/rules/index.js';
import { verdict } from '../../../src/playbooks/decrypt-denied/verdict.js';
import { CFN_EXEC, CR_ROLE, failing, healthy, incident, K1, trapOnly } from './evidence.js';

const judge = (e: DecryptDeniedEvidence) => judgeWith(rules, verdict, e).verdict;

describe('decrypt-denied verdict', () => {
  it('incident 001 §1 + §2: the denied pairs, the bootstrap key and the SSM parameter', () => {
    const v = judge(incident());
    expect(v).toMatchObject({
      severity: 'critical',
      cause: 'kms-key-policy-denies',
      subject: K1,
      counts: { deniedPairs: 2, denials: 3, principals: 2, keys: 2 },
    });
    expect(v.summary).toBe(
      `Likely cause: 2 principal/key pairs denied by KMS (${CFN_EXEC}, ${CR_ROLE}); ` +
        'the CDK bootstrap bucket is on a hand-made customer key; an SSM SecureString the deploy reads is on a customer key.',
    );
  });

  it('a customer-key trap a deploy failed on, with no denial seen: that trap is the cause', () => {
    const e = incident();
    e.denials = [];
    e.simulations = new Map();
    expect(judge(e)).toMatchObject({ severity: 'critical', cause: 'cdk-bootstrap-customer-key', subject: K1, counts: { deniedPairs: 0, keys: 2 } });
  });

  it('the bootstrap trap set but nothing denied: a warning about that key', () => {
    expect(judge(trapOnly())).toMatchObject({ severity: 'warning', cause: 'cdk-bootstrap-customer-key', subject: K1 });
  });

  it('healthy: ok, no cause', () => {
    const v = judge(healthy());
    expect(v).toMatchObject({ severity: 'ok', counts: { secureStringParameters: 1 } });
    expect(v.cause).toBeUndefined();
  });

  it('a failed check and nothing found: no cause, and the verdict ends naming what could not run', () => {
    const e = failing(healthy(), 'kms-denials');
    e.trailRead = false;
    const v = judge(e);
    expect(v).toMatchObject({ severity: 'info', unchecked: ['kms-denials'] });
    expect(v.cause).toBeUndefined();
    expect(v.summary).toMatch(/^No cause found in what whybot could see\..*1 check could not run: kms-denials\.$/);
  });
});
