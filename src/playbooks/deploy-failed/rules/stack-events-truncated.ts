// More events than whybot reads and no failure among them: an older one may be missing.
import { code, para, rich } from '../../../markup.js';
import { MAX_EVENTS } from '../events.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'stack-events-truncated',
  severity: 'info',
  summary: `The stack has more than ${MAX_EVENTS} events and no failure was among the newest`,
  needs: ['stack-events'],
  remediations: [],
  apply(e) {
    if (!e.eventsTruncated || e.root) return undefined;
    return {
      data: { maxEvents: MAX_EVENTS },
      title: `The stack has more than ${MAX_EVENTS} events; whybot read the newest`,
      detail: rich(para('An older failure may be missing. ', code('aws cloudformation describe-stack-events'), ' lists them all.')),
      evidence: [],
    };
  },
});
