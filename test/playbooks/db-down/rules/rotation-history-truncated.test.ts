import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/rotation-history-truncated.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('rotation-history-truncated');

describe('rotation-history-truncated', () => {
  it('hits when CloudTrail had more pages than whybot reads', () => {
    const out = run(evidence({ rotationTruncated: true }));
    expect(out.hits[0]!.data).toEqual({ hours: 24 });
    expect(out.hits[0]!.finding.detail).toMatch(/older rotation steps in the last 24 h may be missing/);
  });

  it('misses when every page was read', () => {
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when CloudTrail could not be read', () => {
    expect(run(evidence({ failed: ['rotation-history'], rotation: undefined, rotationTruncated: undefined })).status).toBe('unchecked');
  });
});
