// The last rotation succeeded and the next is scheduled: say when, and what was seen.
import { para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { lastAttempt, lastSuccess } from '../facts.js';
import { fnName } from '../wording.js';

export default rule({
  id: 'rotation-healthy',
  severity: 'ok',
  summary: 'The last rotation succeeded and the next one is scheduled',
  needs: ['secret'],
  remediations: [],
  apply(e, { findingsSoFar }) {
    const s = e.secret;
    if (!s?.rotationEnabled || s.pendingVersion || !s.nextRotation) return undefined;
    if (findingsSoFar.some((f) => f.severity === 'critical' || f.severity === 'warning')) return undefined;
    const last = lastAttempt(e).at(-1);
    if (last && (last.error || last.timedOut)) return undefined;
    const success = lastSuccess(e);
    return {
      data: { secret: s.name, nextRotation: s.nextRotation, ...(s.lastRotated ? { lastRotated: s.lastRotated } : {}) },
      title: `Rotation of ${s.name} is healthy: last rotated ${s.lastRotated ? formatUtc(s.lastRotated) : 'never'}, next ${formatUtc(s.nextRotation)}`,
      detail: rich(
        para(
          `No version is left AWSPENDING${e.logs ? `, and ${fnName(e)}’s log ${success ? `shows the last rotation finishing at ${formatUtc(success.lastAt)}` : `shows no failed invocation in the last ${e.input.hours} h`}` : ''}. `,
          'If an app still cannot log in, run /why-db-down: it may hold a password from before the last rotation.',
        ),
      ),
      evidence: [
        ...(s.lastRotated ? [{ source: 'Secrets Manager', time: s.lastRotated.toISOString(), text: 'last rotated' }] : []),
        { source: 'Secrets Manager', time: s.nextRotation.toISOString(), text: 'next rotation' },
      ],
    };
  },
});
