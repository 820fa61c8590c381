// More Secrets Manager events than one investigation reads: older rotation steps may be missing.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'rotation-history-truncated',
  severity: 'info',
  summary: 'CloudTrail had more Secrets Manager events in the window than whybot reads in one investigation',
  needs: ['rotation-history'],
  remediations: [],
  apply(e) {
    if (!e.rotationTruncated) return undefined;
    return {
      data: { hours: e.input.hours },
      title: 'CloudTrail had more Secrets Manager events than whybot reads in one investigation',
      detail: rich(
        para(`Only the newest events were read; older rotation steps in the last ${e.input.hours} h may be missing. Narrow the window with --hours.`),
      ),
      evidence: [],
    };
  },
});
