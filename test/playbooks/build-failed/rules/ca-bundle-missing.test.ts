import { describe, expect, it } from 'vitest';
import caBundleMissing from '../../../../src/playbooks/build-failed/rules/ca-bundle-missing.js';
import { build, CA_INSTALLS, incident000, outcome, X509 } from '../evidence.js';

describe('ca-bundle-missing', () => {
  it('hit: x509 in DOWNLOAD_SOURCE with a slim image; says why the buildspec cannot help and calls out its CA installs', () => {
    const o = outcome(caBundleMissing, incident000());
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toMatchObject({ project: 'web-app-build', image: 'node:24.13.0-trixie-slim', imageKind: 'slim', installCommands: CA_INSTALLS, suggested: ['node:24.13.0-trixie', 'aws/codebuild/standard:7.0'] });
    expect(finding.severity).toBe('critical');
    expect(finding.detail).toMatch(/resolves SECRETS_MANAGER and PARAMETER_STORE environment variables in DOWNLOAD_SOURCE, before the build container runs the buildspec/);
    expect(finding.detail).toMatch(/These install commands cannot help \(they run after DOWNLOAD_SOURCE\):\n• apt-get update && apt-get install -y ca-certificates\n• update-ca-certificates/);
    expect(finding.detail).toContain('the last 2 builds failed the same way');
    expect(finding.evidence[0]!.text).toContain('x509: certificate signed by unknown authority');
    expect(finding.remediations.map((r) => [r.id, r.params.image ?? ''])).toEqual([
      ['codebuild-image', 'node:24.13.0-trixie'],
      ['codebuild-image', 'aws/codebuild/standard:7.0'],
      ['codebuild-start-build', ''],
    ]);
    expect(finding.remediations[0]!.params).toMatchObject({ project: 'web-app-build', from: 'node:24.13.0-trixie-slim', region: 'ap-northeast-1' });
  });

  it('hit without install commands: no call-out', () => {
    const o = outcome(caBundleMissing, incident000({ builds: [build(3, 1, { failedPhase: 'DOWNLOAD_SOURCE', message: X509, image: 'registry.example.com/ci:1', installs: [] })] }));
    expect(o.status).toBe('hit');
    expect(o.hits[0]!.data).toMatchObject({ imageKind: 'custom', installCommands: [] });
    expect(o.hits[0]!.finding.detail).not.toContain('cannot help (they run');
  });

  it('miss: the managed image (its CA bundle is full), another message, or a failure elsewhere', () => {
    expect(outcome(caBundleMissing, incident000({ builds: [build(3, 1, { failedPhase: 'DOWNLOAD_SOURCE', message: X509, image: 'aws/codebuild/standard:7.0' })] })).status).toBe('miss');
    expect(outcome(caBundleMissing, incident000({ builds: [build(3, 1, { failedPhase: 'DOWNLOAD_SOURCE', message: 'Secrets Manager Error: AccessDeniedException' })] })).status).toBe('miss');
    expect(outcome(caBundleMissing, incident000({ builds: [build(3, 1, { failedPhase: 'BUILD', message: X509 })] })).status).toBe('miss');
    expect(outcome(caBundleMissing, incident000({ builds: [build(4, 0.5), ...incident000().builds] })).status).toBe('miss');
  });

  it('unchecked: without the builds', () => {
    expect(outcome(caBundleMissing, incident000({ builds: [] }, ['builds']))).toMatchObject({ status: 'unchecked', missing: ['builds'] });
  });
});
