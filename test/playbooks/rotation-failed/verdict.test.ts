// rotation-failed's verdict from the rules' structured results: cause and subject, the
// healthy line, and what it says when nothing was found.
import { describe, expect, it } from 'vitest';
import { judge as judgeWith } from '../../../src/playbooks/define.js';
import type { RotationFailedEvidence } from '../../../src/playbooks/rotation-failed/evidence.js';
import { rules } from '../../../src/playbooks/rotation-failed/rules/index.js';
import { verdict } from '../../../src/playbooks/rotation-failed/verdict.js';
import { evidence, failing, fn, logs, network, SECRET_NAME, secret, setup, shortLoginFailure, silentTimeout, stalledAfterCreate } from './evidence.js';

const judge = (e: RotationFailedEvidence) => judgeWith(rules, verdict, e).verdict;

describe('rotation-failed verdict', () => {
  it('healthy: the healthy finding’s sentence, no cause', () => {
    const v = judge(evidence());
    expect(v).toMatchObject({ severity: 'ok', subject: SECRET_NAME, summary: `Rotation of ${SECRET_NAME} is healthy: last rotated 2026-12-01 14:00 UTC, next 2026-12-02 14:00 UTC.` });
    expect(v.cause).toBeUndefined();
  });

  it('stalled after createSecret with a short timeout: rests on stalled-after-create', () => {
    const v = judge(failing(stalledAfterCreate(10), { fn: fn({ timeoutSeconds: 10 }) }));
    expect(v).toMatchObject({ severity: 'critical', cause: 'stalled-after-create', subject: SECRET_NAME });
    expect(v.summary).toMatch(/^Likely cause: Rotation stops after createSecret: the function’s timeout is too short/);
  });

  it('no route to Secrets Manager: rests on endpoint-unreachable', () => {
    expect(judge(failing([silentTimeout()], { network: network({ endpoints: [] }) }))).toMatchObject({ severity: 'critical', cause: 'endpoint-unreachable' });
  });

  it('an old function and a SCRAM database: scram-unsupported, not the credentials', () => {
    const v = judge(failing(shortLoginFailure(), { setup: setup(new Date('2021-06-01T00:00:00Z')) }));
    expect(v.cause).toBe('scram-unsupported');
    // RDS for PostgreSQL 16 also requires TLS by default, and the function predates TLS support: both hold
    expect(v.summary).toMatch(/ 1 more finding in the thread\.$/);
  });

  it('a warning is what was seen, not a cause: no "Likely cause" before a managed rotation left pending', () => {
    const { rotationLambdaArn: _none, ...managed } = secret({ owningService: 'rds', pendingVersion: true });
    const v = judge(evidence({ secret: managed }));
    expect(v).toMatchObject({ severity: 'warning', cause: 'managed-rotation' });
    expect(v.summary).toMatch(new RegExp(`^Secret ${SECRET_NAME} is rotated by rds; its last rotation did not finish`));
  });

  it('a pending rotation with no cause in sight: a warning that says so, with the checks that could not run last', () => {
    const v = judge(failing([], { logs: undefined, failed: ['logs'] }));
    expect(v).toMatchObject({ severity: 'warning', subject: SECRET_NAME, unchecked: ['logs'] });
    expect(v.cause).toBeUndefined();
    expect(v.summary).toBe(`The last rotation of ${SECRET_NAME} did not finish (a version is left AWSPENDING), and its cause is not in what whybot could see. 1 check could not run: logs.`);
  });

  it('rotation off: says so; nothing found otherwise', () => {
    expect(judge(evidence({ secret: secret({ rotationEnabled: false }) }))).toMatchObject({ severity: 'info', summary: `Rotation is not turned on for ${SECRET_NAME}.` });
    const v = judge(evidence({ secret: secret({ nextRotation: undefined }), logs: logs([]) }));
    expect(v).toMatchObject({ severity: 'info', summary: 'No cause found in the evidence checked.' });
  });
});
