import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/cloudtrail-delay.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, NOW, secret, SECRET_NAME } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('cloudtrail-delay');
const justRotated = new Date(NOW.getTime() - 4 * 60_000);

describe('cloudtrail-delay', () => {
  it('hits when the secret rotated minutes ago and CloudTrail has no rotation step yet', () => {
    const out = run(evidence({ secret: secret({ lastRotated: justRotated }), rotation: [] }));
    expect(out.hits[0]!.data).toEqual({ secret: SECRET_NAME, rotatedAt: justRotated, agoMs: 4 * 60_000 });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'info', title: 'The secret rotated 4 min ago; CloudTrail does not show it yet' });
  });

  it('misses when CloudTrail shows the rotation, or it is older than the delay', () => {
    expect(run(evidence({ secret: secret({ lastRotated: justRotated }) })).status).toBe('miss');
    expect(run(evidence({ rotation: [] })).status).toBe('miss');
  });

  it('is unchecked when CloudTrail or Secrets Manager could not be read', () => {
    expect(run(evidence({ failed: ['rotation-history'], rotation: undefined })).status).toBe('unchecked');
    expect(run(evidence({ failed: ['secret'], secret: undefined, rotation: [] })).status).toBe('unchecked');
  });
});
