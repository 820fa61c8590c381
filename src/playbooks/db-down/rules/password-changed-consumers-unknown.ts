// What is left of incident 003 when the ECS side could not be read: the password changed.
import { code, para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { changeSourceName, lastPasswordChange, secretName } from '../facts.js';

export default rule({
  id: 'password-changed-consumers-unknown',
  severity: 'warning',
  summary: 'The DB password changed in the window, and whybot could not see which tasks predate the change',
  // It speaks exactly when the ECS checks failed; the change itself may come from any source.
  needs: [],
  remediations: [],
  apply(e) {
    const change = lastPasswordChange(e);
    const consumersUnknown = e.secretId && (!e.consumers || (e.consumers.length > 0 && !e.tasks));
    if (!change || !consumersUnknown || change.time < e.since) return undefined;
    return {
      data: { secret: secretName(e), changedAt: change.time, changeSource: change.source },
      title: `The DB password changed at ${formatUtc(change.time)} (${change.source}); whybot could not see which tasks predate it`,
      detail: rich(
        para(
          'Anything that read the password before this moment and keeps it (ECS tasks read ',
          code('secrets'),
          ' only at start) now fails to log in. ',
          'See the checks that could not run for the permission whybot needs to name them.',
        ),
      ),
      evidence: [{ source: changeSourceName(change), time: change.time.toISOString(), text: change.source }],
    };
  },
});
