// db-down's verdict from the rules' structured results: cause, subject and counts, not sentences
// (one whole-sentence test, for incident 003).
import { describe, expect, it } from 'vitest';
import { judge as judgeWith } from '../../../src/playbooks/define.js';
import { verdict } from '../../../src/playbooks/db-down/verdict.js';
import type { DbDownEvidence } from '../../../src/playbooks/db-down/evidence.js';
import { rules } from '../../../src/playbooks/db-down/rules/index.js';
import { CHANGE, consumer, db, evidence, healthy, rdsEvent, rotationChain, SECRET_NAME, secret, tasks } from './evidence.js';

const judge = (e: DbDownEvidence) => judgeWith(rules, verdict, e).verdict;

describe('db-down verdict', () => {
  it('incident 003: the stale tasks of api, after the secret rotated', () => {
    const v = judge(evidence());
    expect(v).toMatchObject({ severity: 'critical', cause: 'stale-credentials', subject: SECRET_NAME, counts: { staleTasks: 3, services: 1 } });
    expect(v.summary).toBe(
      `Likely cause: secret ${SECRET_NAME} rotated at 2026-12-01 14:00 UTC (RDS: Reset master credentials). 3 tasks of ECS service api started before that and still hold the old password.`,
    );
    expect(v.unchecked).toBeUndefined();
  });

  it('counts the stale tasks of every service', () => {
    const api = consumer('api');
    const worker = consumer('worker', 'jobs');
    const e = evidence({ consumers: [api, worker], tasks: new Map([[api.service.arn, tasks('a', 3, 5)], [worker.service.arn, tasks('w', 1, 5)]]) });
    expect(judge(e)).toMatchObject({ cause: 'stale-credentials', counts: { staleTasks: 4, services: 2 } });
  });

  it('healthy: the DB and the tasks it checked, no cause', () => {
    const v = judge(healthy());
    expect(v).toMatchObject({ severity: 'ok', subject: 'prod-db', counts: { tasks: 2, services: 1 } });
    expect(v.cause).toBeUndefined();
  });

  it('DB stopped: rests on db-unavailable, about the DB', () => {
    const v = judge(evidence({ db: db({ status: 'stopped' }), rdsEvents: [rdsEvent('DB cluster stopped')], rotation: [], secret: secret({ lastRotated: undefined }) }));
    expect(v).toMatchObject({ severity: 'critical', cause: 'db-unavailable', subject: 'prod-db' });
  });

  it('rotation failed: rests on rotation-failed, about the secret', () => {
    const e = evidence({ rotation: rotationChain('RotationFailed'), rdsEvents: [], secret: secret({ lastRotated: new Date(CHANGE.getTime() - 8 * 86_400_000) }) });
    expect(judge(e)).toMatchObject({ severity: 'critical', cause: 'rotation-failed', subject: SECRET_NAME });
  });

  it('ECS unreadable: the password change, and the checks that could not run last', () => {
    const v = judge(evidence({ failed: ['ecs-consumers'], consumers: undefined, tasks: undefined }));
    expect(v).toMatchObject({ severity: 'warning', cause: 'password-changed-consumers-unknown', subject: SECRET_NAME, unchecked: ['ecs-consumers'] });
    expect(v.summary).toMatch(/\. 1 check could not run: ecs-consumers\.$/);
  });

  it('unknown DB: rests on db-not-found, about the name given', () => {
    const e = evidence({ input: { target: 'prod-bd', region: 'ap-northeast-1', hours: 24 }, db: undefined, candidates: [db()], secretId: undefined, secret: undefined, rotation: [], rdsEvents: undefined, consumers: undefined, tasks: undefined });
    expect(judge(e)).toMatchObject({ severity: 'warning', cause: 'db-not-found', subject: 'prod-bd' });
  });

  it('nothing found: no cause; with failed checks it says so, the unchecked sentence last', () => {
    // no ECS service reads the secret: only the no-consumers note
    const quiet = { consumers: [], tasks: undefined, skipped: ['ecs-tasks' as const] };
    const none = judge(evidence(quiet));
    expect(none).toMatchObject({ severity: 'info' });
    expect(none.cause).toBeUndefined();
    const blind = judge(evidence({ ...quiet, failed: ['rotation-history'], rotation: undefined }));
    expect(blind).toMatchObject({ severity: 'info', unchecked: ['rotation-history'] });
    expect(blind.cause).toBeUndefined();
    expect(blind.summary).toMatch(/^No cause found in what whybot could see\. No ECS service .*\. 1 check could not run: rotation-history\.$/);
  });
});
