import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/no-consumers.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, SECRET_NAME } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('no-consumers');

describe('no-consumers', () => {
  it('hits when no ECS service reads the secret', () => {
    const out = run(evidence({ consumers: [], tasks: undefined, skipped: ['ecs-tasks'] }));
    expect(out.hits[0]!.data).toEqual({ secret: SECRET_NAME, region: 'ap-northeast-1' });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'info', title: 'No ECS service in ap-northeast-1 uses the secret' });
  });

  it('misses when a service reads it, or there is no secret', () => {
    expect(run(evidence()).status).toBe('miss');
    expect(run(evidence({ consumers: [], secretId: undefined, secret: undefined })).status).toBe('miss');
  });

  it('is unchecked when the ECS services could not be listed', () => {
    expect(run(evidence({ failed: ['ecs-consumers'], consumers: undefined })).status).toBe('unchecked');
  });
});
