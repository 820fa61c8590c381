import { describe, expect, it } from 'vitest';
import buildHealthy from '../../../../src/playbooks/build-failed/rules/build-healthy.js';
import { healthy, incident000, outcome } from '../evidence.js';

describe('build-healthy', () => {
  it('hit: the latest build succeeded (an earlier failure is counted)', () => {
    const o = outcome(buildHealthy, healthy());
    expect(o.status).toBe('hit');
    expect(o.hits[0]!.finding.title).toBe('web-app-build’s latest build (build #4) succeeded at 2026-11-23 11:00 UTC');
    expect(o.hits[0]!.finding.detail).toContain('1 earlier build in the last 2 failed.');
  });

  it('miss: the latest build failed; no builds', () => {
    expect(outcome(buildHealthy, incident000()).status).toBe('miss');
    expect(outcome(buildHealthy, healthy({ builds: [] })).status).toBe('miss');
  });

  it('unchecked: without the builds', () => {
    expect(outcome(buildHealthy, { ...healthy(), checks: incident000({}, ['builds']).checks }).status).toBe('unchecked');
  });
});
