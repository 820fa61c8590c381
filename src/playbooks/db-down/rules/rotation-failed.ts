// The last rotation did not finish: the secret and the database may disagree (incident 002).
import { code, para, rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { secretName } from '../facts.js';

export default rule({
  id: 'rotation-failed',
  severity: 'critical',
  summary: 'The secret’s last rotation ended in RotationFailed or RotationAbandoned',
  needs: ['rotation-history'],
  remediations: [],
  apply(e) {
    const terminal = e.rotation?.filter((r) => /^Rotation(Succeeded|Failed|Abandoned)$/.test(r.name)).at(-1);
    if (!e.rotation || !terminal || terminal.name === 'RotationSucceeded') return undefined;
    const secret = secretName(e);
    return {
      data: {
        secret,
        outcome: terminal.name,
        time: terminal.time,
        ...(terminal.errorMessage ? { errorMessage: terminal.errorMessage } : {}),
      },
      title: `Rotation of secret ${secret ?? '?'} ended in ${terminal.name} at ${formatUtc(terminal.time)}`,
      detail: rich(
        para(
          'The last rotation did not finish: the secret and the database may disagree about the password (AWSPENDING left behind). ',
          'Find the cause in the rotation function’s logs (the rotation-failed playbook, ',
          code('/why-rotation-failed'),
          ', automates incident 002’s guide).',
        ),
        terminal.errorMessage ? para(`CloudTrail says: ${terminal.errorMessage}`) : undefined,
      ),
      evidence: e.rotation.map((r) => ({ source: 'CloudTrail', time: r.time.toISOString(), text: r.name })),
    };
  },
});
