import { describe, expect, it } from 'vitest';
import { judge } from '../../../src/playbooks/define.js';
import type { BuildFailedEvidence } from '../../../src/playbooks/build-failed/evidence.js';
import { rules } from '../../../src/playbooks/build-failed/rules/index.js';
import { verdict } from '../../../src/playbooks/build-failed/verdict.js';
import { build, evidence, healthy, incident000 } from './evidence.js';

const verdictOf = (e: BuildFailedEvidence) => judge(rules, verdict, e).verdict;

describe('build-failed verdict', () => {
  it('incident 000: the image’s CA bundle first, the endpoint group as the second finding', () => {
    const { verdict: v, findings } = judge(rules, verdict, incident000());
    expect(findings.map((f) => f.id)).toEqual(['ca-bundle-missing', 'endpoint-sg-blocks-build']);
    expect(v).toMatchObject({ severity: 'critical', cause: 'ca-bundle-missing', subject: 'web-app-build' });
    expect(v.summary).toMatch(/^Likely cause: web-app-build’s image node:24\.13\.0-trixie-slim lacks the CA certificates .* 1 more finding in the thread\.$/);
  });

  it('healthy: ok', () => {
    expect(verdictOf(healthy())).toMatchObject({ severity: 'ok', subject: 'web-app-build' });
  });

  it('no such project: a warning that says so', () => {
    const { project: _, ...e } = evidence({ projectMissing: true });
    expect(verdictOf(e)).toMatchObject({ severity: 'warning', summary: 'There is no CodeBuild project named web-app-build in ap-northeast-1.' });
  });

  it('without the builds: the network finding alone, the unread check named', () => {
    const v = verdictOf(incident000({ builds: [] }, ['builds']));
    // the endpoint's group is shut and nothing is known to stand in front of it
    expect(v).toMatchObject({ severity: 'critical', cause: 'endpoint-sg-blocks-build', unchecked: ['builds'] });
    expect(v.summary).toMatch(/1 check could not run: builds\.$/);
  });

  it('a failure elsewhere: a warning naming the phase', () => {
    expect(verdictOf(incident000({ builds: [build(3, 1, { failedPhase: 'BUILD', message: 'exit status 1' })], network: healthy().network! }))).toMatchObject({ severity: 'warning', cause: 'build-failed-elsewhere' });
  });
});
