// More KMS events in the window than whybot reads: older denials may be missing.
import { para, rich } from '../../../markup.js';
import { MAX_TRAIL_PAGES, rule } from '../evidence.js';

export default rule({
  id: 'kms-events-truncated',
  severity: 'info',
  summary: `CloudTrail had more KMS events in the window than the ${MAX_TRAIL_PAGES} LookupEvents pages whybot reads`,
  needs: ['kms-denials'],
  remediations: [],
  apply(e) {
    if (!e.trailTruncated) return undefined;
    const read = e.trailEventsRead ?? 0;
    return {
      data: { eventsRead: read, pages: MAX_TRAIL_PAGES, hours: e.input.hours },
      title: 'CloudTrail had more KMS events than whybot reads in one investigation',
      detail: rich(
        para(
          `Only the newest ${read} KMS events were read (whybot stops after ${MAX_TRAIL_PAGES} pages of LookupEvents); `,
          `older denials in the last ${e.input.hours} h may be missing. Narrow the window with --hours.`,
        ),
      ),
      evidence: [],
    };
  },
});
