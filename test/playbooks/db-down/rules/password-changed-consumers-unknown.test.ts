import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/password-changed-consumers-unknown.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { CHANGE, evidence, SECRET_NAME } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('password-changed-consumers-unknown');

describe('password-changed-consumers-unknown', () => {
  it('hits when the password changed in the window and the ECS services could not be read', () => {
    const out = run(evidence({ failed: ['ecs-consumers', 'rotation-history'], consumers: undefined, tasks: undefined, rotation: undefined }));
    expect(out.hits[0]!.data).toEqual({ secret: SECRET_NAME, changedAt: CHANGE, changeSource: 'RDS: Reset master credentials' });
    expect(out.hits[0]!.finding).toMatchObject({
      severity: 'warning',
      title: 'The DB password changed at 2026-12-01 14:00 UTC (RDS: Reset master credentials); whybot could not see which tasks predate it',
      evidence: [{ source: 'RDS', time: CHANGE.toISOString(), text: 'RDS: Reset master credentials' }],
    });
  });

  it('hits when the consumers are known but their tasks are not', () => {
    expect(run(evidence({ failed: ['ecs-tasks'], tasks: undefined })).status).toBe('hit');
  });

  it('misses when the tasks were seen, or the change is older than the window', () => {
    expect(run(evidence()).status).toBe('miss');
    const old = evidence({ consumers: undefined, tasks: undefined, since: new Date(CHANGE.getTime() + 1) });
    expect(run(old).status).toBe('miss');
  });

  it('is never unchecked: it speaks because checks failed (none of them alone leaves it blind)', () => {
    expect(rule.needs).toEqual([]);
    expect(run(evidence({ failed: ['secret', 'rds-events', 'ecs-consumers'], secret: undefined, rdsEvents: undefined, consumers: undefined })).status).toBe('hit');
  });
});
