import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/stale-credentials.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { CHANGE, consumer, evidence, healthy, SECRET_NAME, tasks } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('stale-credentials');

describe('stale-credentials', () => {
  it('hits once per service with tasks from before the change, with the facts the verdict needs', () => {
    const api = consumer('api');
    const worker = consumer('worker', 'jobs');
    const fresh = consumer('web');
    const e = evidence({
      consumers: [api, worker, fresh],
      tasks: new Map([
        [api.service.arn, [...tasks('a', 3, 20), ...tasks('b', 1, -1)]],
        [worker.service.arn, tasks('w', 1, 2)],
        [fresh.service.arn, tasks('f', 2, -1)],
      ]),
    });
    const out = run(e);
    expect(out.status).toBe('hit');
    expect(out.hits.map((h) => h.data)).toEqual([
      { service: 'api', cluster: 'prod', secret: SECRET_NAME, staleTasks: 3, tasks: 4, changedAt: CHANGE, changeSource: 'RDS: Reset master credentials' },
      { service: 'worker', cluster: 'jobs', secret: SECRET_NAME, staleTasks: 1, tasks: 1, changedAt: CHANGE, changeSource: 'RDS: Reset master credentials' },
    ]);
    const [f] = out.hits.map((h) => h.finding);
    expect(f!.severity).toBe('critical');
    expect(f!.title).toBe('3 of 4 tasks of ECS service api started before the password changed at 2026-12-01 14:00 UTC');
    expect(f!.remediations[0]).toMatchObject({ id: 'ecs-redeploy', params: { cluster: 'prod', service: 'api', after: CHANGE.toISOString() } });
    expect(f!.evidence.filter((l) => l.source === 'ECS task')).toHaveLength(3);
    // markup, not mrkdwn: code spans and a list, and the plain detail has neither * nor `
    expect(f!.markup.some((b) => 'list' in b)).toBe(true);
    expect(f!.detail).not.toMatch(/[*`]/);
  });

  it('misses when every task started after the change, or no change is known', () => {
    expect(run(healthy()).status).toBe('miss');
    expect(run(evidence({ rdsEvents: [], rotation: [], secret: undefined })).status).toBe('miss');
  });

  it('is unchecked when the ECS services or their tasks could not be read', () => {
    expect(run(evidence({ failed: ['ecs-consumers'], consumers: undefined, tasks: undefined }))).toMatchObject({
      status: 'unchecked',
      missing: ['ecs-consumers'],
    });
    expect(run(evidence({ failed: ['ecs-tasks'], tasks: undefined })).status).toBe('unchecked');
    // the change is still seen from RDS and CloudTrail when Secrets Manager failed
    expect(run(evidence({ failed: ['secret'], secret: undefined })).status).toBe('hit');
  });
});
