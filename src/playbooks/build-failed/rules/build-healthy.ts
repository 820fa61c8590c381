// The latest finished build succeeded: say which and when.
import { para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { buildName, latestFinished } from '../facts.js';
import { project } from '../wording.js';

export default rule({
  id: 'build-healthy',
  severity: 'ok',
  summary: 'The latest build succeeded',
  needs: ['builds'],
  remediations: [],
  apply(e, { findingsSoFar }) {
    const b = latestFinished(e);
    if (!b || b.status !== 'SUCCEEDED') return undefined;
    if (findingsSoFar.some((f) => f.severity === 'critical')) return undefined;
    const name = project(e);
    const failedBefore = e.builds.filter((x) => x !== b && x.status && x.status !== 'SUCCEEDED' && x.status !== 'IN_PROGRESS').length;
    return {
      data: { project: name, build: b.id, ...(b.end ? { at: b.end } : {}) },
      title: `${name}’s latest build (${buildName(b)}) succeeded${b.end ? ` at ${formatUtc(b.end)}` : ''}`,
      detail: rich(
        para(
          `DOWNLOAD_SOURCE resolved the build’s secrets with image ${b.environment.image ?? '(unknown)'}.`,
          failedBefore > 0 ? ` ${failedBefore} earlier build${failedBefore === 1 ? '' : 's'} in the last ${e.builds.length} failed.` : '',
        ),
      ),
      evidence: [{ source: 'CodeBuild', ...(b.end ? { time: b.end.toISOString() } : {}), text: `${buildName(b)} SUCCEEDED, image ${b.environment.image ?? '?'}` }],
    };
  },
});
