import { describe, expect, it } from 'vitest';
import { judge } from '../../../src/playbooks/define.js';
import type { DeployFailedEvidence } from '../../../src/playbooks/deploy-failed/evidence.js';
import { rules } from '../../../src/playbooks/deploy-failed/rules/index.js';
import { verdict } from '../../../src/playbooks/deploy-failed/verdict.js';
import { evidence, event, incident001, stackInfo, withEvents } from './evidence.js';

const verdictOf = (e: DeployFailedEvidence) => judge(rules, verdict, e).verdict;

describe('deploy-failed verdict', () => {
  it('incident 001 §4: the first failure, decrypt-denied’s word on it, and the leftovers with their cost', () => {
    const v = verdictOf(incident001());
    expect(v).toMatchObject({
      severity: 'critical',
      cause: 'deploy-root-cause',
      subject: 'DbAuroraGetDbPassword',
      counts: { cascades: 2, leftovers: 5, leftoverMonthlyUsd: 52.56 },
    });
    expect(v.summary).toBe(
      'Likely cause: DbAuroraGetDbPassword (Custom::AWS) failed first at 2026-11-23 10:02 UTC: role MyAppStack-CustomRole-1Q2W may not kms:Decrypt key ' +
        '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d (no identity-based policy allows it) — decrypt-denied: Likely cause: the key policy does not let the role decrypt. ' +
        '5 leftovers of MyAppStack will break the next deploy (~$52.56/month).',
    );
  });

  it('a KMS denial decrypt-denied did not diagnose still rests on the first failure', () => {
    const { decrypt: _, ...e } = incident001();
    expect(verdictOf(e)).toMatchObject({ severity: 'critical', cause: 'deploy-root-cause', subject: 'DbAuroraGetDbPassword' });
  });

  it('without the stack’s events, the leftovers alone, and the events named as not read', () => {
    const v = verdictOf(incident001({}, ['stack-events']));
    expect(v).toMatchObject({ severity: 'warning', cause: 'leftover-resources', subject: 'MyAppStack', counts: { leftovers: 5, leftoverMonthlyUsd: 52.56 }, unchecked: ['stack-events'] });
    expect(v.counts).not.toHaveProperty('cascades');
  });

  it('a failed stack whose events name no failed resource: its status is the cause', () => {
    const e = withEvents(evidence({ stack: stackInfo('ROLLBACK_COMPLETE') }), [event(0, 'MyAppStack', 'CREATE_IN_PROGRESS', 'User Initiated', 'AWS::CloudFormation::Stack')]);
    const v = verdictOf(e);
    expect(v).toMatchObject({ severity: 'warning', cause: 'deploy-root-cause', subject: 'MyAppStack', counts: { leftovers: 0 } });
  });

  it('healthy: ok, with no cause and no subject', () => {
    const v = verdictOf(evidence());
    expect(v.severity).toBe('ok');
    expect(v).not.toHaveProperty('cause');
    expect(v).not.toHaveProperty('subject');
    expect(v).not.toHaveProperty('unchecked');
  });

  it('the all-clear with a check that could not run names it (the shared sentence; the legacy verdict left it out)', () => {
    expect(verdictOf(evidence({}, ['elastic-ips']))).toMatchObject({ severity: 'ok', unchecked: ['elastic-ips'] });
  });

  it('an unknown stack: the warning that says so is the cause', () => {
    const { stack: _, attempt: __, ...e } = evidence();
    expect(verdictOf({ ...e, stackMissing: true })).toMatchObject({ severity: 'warning', cause: 'stack-not-found', subject: 'MyAppStack' });
  });

  it('nothing found while checks could not run: info, no cause, the checks named', () => {
    const { stack: _, attempt: __, ...e } = evidence({}, ['stack', 'stack-events']);
    const v = verdictOf(e);
    expect(v).toMatchObject({ severity: 'info', unchecked: ['stack', 'stack-events'] });
    expect(v).not.toHaveProperty('cause');
  });
});
