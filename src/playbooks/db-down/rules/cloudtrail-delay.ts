// The secret rotated minutes ago and CloudTrail has not delivered the steps yet.
import { para, rich } from '../../../markup.js';
import { formatDuration } from '../../../time.js';
import { rule } from '../evidence.js';
import { CLOUDTRAIL_LAG_MS } from '../facts.js';

export default rule({
  id: 'cloudtrail-delay',
  severity: 'info',
  summary: 'The secret rotated within CloudTrail’s delivery delay (up to 15 minutes), so its steps are not shown yet',
  needs: ['rotation-history', 'secret'],
  remediations: [],
  apply(e) {
    const rotated = e.secret?.lastRotated;
    const sawRotation = e.rotation?.some((r) => r.name.startsWith('Rotation'));
    if (!e.rotation || sawRotation || !rotated) return undefined;
    const ago = e.now.getTime() - rotated.getTime();
    if (ago >= CLOUDTRAIL_LAG_MS) return undefined;
    return {
      data: { secret: e.secret!.name, rotatedAt: rotated, agoMs: ago },
      title: `The secret rotated ${formatDuration(ago)} ago; CloudTrail does not show it yet`,
      detail: rich(
        para('CloudTrail delivers events about 5 minutes (up to 15) after they happen. Run this again in a few minutes for the full chain.'),
      ),
      evidence: [],
    };
  },
});
