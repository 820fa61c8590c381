import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/short-rotation-interval.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, secret, SECRET_ARN, SECRET_NAME } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('short-rotation-interval');

describe('short-rotation-interval', () => {
  it('hits on a 7-day RDS default, offering 30 days', () => {
    const out = run(evidence());
    expect(out.hits[0]!.data).toMatchObject({ secret: SECRET_NAME, days: 7, services: ['api'] });
    const f = out.hits[0]!.finding;
    expect(f).toMatchObject({ severity: 'warning', title: `Secret ${SECRET_NAME} rotates every 7 days; api reads it only at task start` });
    expect(f.detail).toBe(
      'Next rotation: 2026-12-08 14:00 UTC. Tasks running then will break again unless redeployed after it. RDS-managed secrets rotate every 7 days by default. A longer interval (e.g. 30 days) buys time; redeploy-on-rotation fixes it.',
    );
    expect(f.remediations[0]).toEqual({
      id: 'rotation-schedule',
      label: 'Rotate every 30 days instead of 7',
      params: { secretId: SECRET_ARN, days: 30, currentDays: 7, region: 'ap-northeast-1' },
    });
  });

  it('reads a rate() schedule in hours', () => {
    const out = run(evidence({ secret: secret({ rotationDays: undefined, scheduleExpression: 'rate(12 hours)' }) }));
    expect(out.hits[0]!.data.days).toBe(0.5);
  });

  it('misses on a 30-day interval, a disabled rotation or no consumer', () => {
    expect(run(evidence({ secret: secret({ rotationDays: 30 }) })).status).toBe('miss');
    expect(run(evidence({ secret: secret({ rotationEnabled: false }) })).status).toBe('miss');
    expect(run(evidence({ consumers: [] })).status).toBe('miss');
  });

  it('is unchecked when the secret or the ECS services could not be read', () => {
    expect(run(evidence({ failed: ['secret'], secret: undefined })).status).toBe('unchecked');
    expect(run(evidence({ failed: ['ecs-consumers'], consumers: undefined })).status).toBe('unchecked');
  });
});
