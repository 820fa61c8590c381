import { describe, expect, it } from 'vitest';
import buildFailedElsewhere from '../../../../src/playbooks/build-failed/rules/build-failed-elsewhere.js';
import { build, incident000, outcome } from '../evidence.js';

describe('build-failed-elsewhere', () => {
  it('hit: names the phase and its message, and says this playbook is about the secrets/TLS path', () => {
    const o = outcome(buildFailedElsewhere, incident000({ builds: [build(3, 1, { failedPhase: 'BUILD', message: 'Error while executing command: npm test. Reason: exit status 1' })] }));
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toEqual({ project: 'web-app-build', build: 'web-app-build:3', phase: 'BUILD', status: 'FAILED' });
    expect(finding.title).toBe('web-app-build’s build #3 failed in BUILD, not while resolving secrets');
    expect(finding.detail).toContain('Error while executing command: npm test. Reason: exit status 1');
    expect(finding.detail).toMatch(/This playbook diagnoses DOWNLOAD_SOURCE: secret environment variables, their TLS trust and network path/);
  });

  it('miss: the failure is in DOWNLOAD_SOURCE, or the latest build succeeded', () => {
    expect(outcome(buildFailedElsewhere, incident000()).status).toBe('miss');
    expect(outcome(buildFailedElsewhere, incident000({ builds: [build(4, 0.5)] })).status).toBe('miss');
  });

  it('unchecked: without the builds', () => {
    expect(outcome(buildFailedElsewhere, incident000({}, ['builds'])).status).toBe('unchecked');
  });
});
