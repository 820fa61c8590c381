import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/rotation-failed.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { CHANGE, evidence, rotationChain, SECRET_NAME, step } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('rotation-failed');

describe('rotation-failed', () => {
  it('hits when the last rotation ended in RotationFailed, quoting CloudTrail’s error', () => {
    const chain = [...rotationChain().slice(0, 2), step('RotationFailed', CHANGE, { errorMessage: 'setSecret: access denied' })];
    const out = run(evidence({ rotation: chain }));
    expect(out.hits[0]!.data).toEqual({ secret: SECRET_NAME, outcome: 'RotationFailed', time: CHANGE, errorMessage: 'setSecret: access denied' });
    const f = out.hits[0]!.finding;
    expect(f).toMatchObject({ severity: 'critical', title: `Rotation of secret ${SECRET_NAME} ended in RotationFailed at 2026-12-01 14:00 UTC` });
    expect(f.detail.split('\n')).toEqual([expect.stringMatching(/\(the rotation-failed playbook, \/why-rotation-failed, automates/), 'CloudTrail says: setSecret: access denied']);
    expect(f.evidence.map((l) => l.text)).toEqual(['RotationStarted', 'PutSecretValue', 'RotationFailed']);
  });

  it('misses when the last rotation succeeded (an older failure does not count)', () => {
    expect(run(evidence()).status).toBe('miss');
    const earlier = new Date(CHANGE.getTime() - 86_400_000);
    expect(run(evidence({ rotation: [step('RotationFailed', earlier), ...rotationChain()] })).status).toBe('miss');
  });

  it('is unchecked when CloudTrail could not be read', () => {
    expect(run(evidence({ failed: ['rotation-history'], rotation: undefined })).status).toBe('unchecked');
  });
});
