import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/rotation-healthy.js';
import stalled from '../../../../src/playbooks/rotation-failed/rules/stalled-after-create.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { ATTEMPT, evidence, logs, SECRET_NAME, secret, silentTimeout, stalledAfterCreate, successfulRotation } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('rotation-healthy');
const NEXT = new Date(ATTEMPT.getTime() + 86_400_000);

describe('rotation-healthy', () => {
  it('hits when the last rotation finished and the next is scheduled: says when', () => {
    const out = run(evidence());
    expect(out.hits[0]!.data).toEqual({ secret: SECRET_NAME, nextRotation: NEXT, lastRotated: ATTEMPT });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'ok', title: `Rotation of ${SECRET_NAME} is healthy: last rotated 2026-12-01 14:00 UTC, next 2026-12-02 14:00 UTC` });
  });

  it('misses with a version left pending, a failed last invocation, no schedule, or a problem found before it', () => {
    expect(run(evidence({ secret: secret({ pendingVersion: true }) })).status).toBe('miss');
    expect(run(evidence({ logs: logs([...successfulRotation(), silentTimeout()]) })).status).toBe('miss');
    expect(run(evidence({ secret: secret({ nextRotation: undefined }) })).status).toBe('miss');
    expect(run(evidence({ secret: secret({ rotationEnabled: false }) })).status).toBe('miss');
    // pending not reported (ListSecrets-shaped data): an earlier rule's finding still vetoes it
    expect(applyRules([stalled, rule], evidence({ logs: logs(stalledAfterCreate()) })).outcome('rotation-healthy').status).toBe('miss');
  });

  it('is unchecked when the secret could not be described', () => {
    expect(run(evidence({ failed: ['secret'], secret: undefined })).status).toBe('unchecked');
  });
});
