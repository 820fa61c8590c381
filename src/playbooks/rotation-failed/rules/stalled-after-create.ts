// Incident 002: the log stops after createSecret. The guide lists five causes; decide among
// them from the network, the function's timeout and its template, and say what is left.
import { para, rich } from '../../../markup.js';
import { stalledCauses } from '../causes.js';
import { CAUSE_NAMES, decide, otherCauses } from '../cause-finding.js';
import { rule } from '../evidence.js';
import { stalledAfterCreate } from '../facts.js';
import { fnName, functionEvidence, invocationEvidence, rotateNow } from '../wording.js';

/** "The RDS API …" → "the RDS API …": only the first letter (the names carry ACL, HTTPS, RDS, VPC). */
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

export default rule({
  id: 'stalled-after-create',
  severity: 'critical',
  summary: 'The log stops after createSecret: a network ACL, the function’s timeout, the endpoint’s security group or policy, or the RDS API',
  needs: ['logs'],
  remediations: ['nacl-allow-https', 'lambda-timeout', 'sg-allow-https-from-vpc', 'rotate-now'],
  apply(e) {
    const stalled = stalledAfterCreate(e);
    if (!stalled) return undefined;
    const d = decide(stalledCauses(e));
    const cause = d.decided;
    const name = fnName(e);
    return {
      data: { function: name, secret: e.secret?.name, cause: cause?.id, notRuledOut: d.notRuledOut.map((c) => c.id) },
      title: cause
        ? `Rotation stops after createSecret: ${lowerFirst(CAUSE_NAMES[cause.id])} (${cause.text})`
        : 'Rotation stops after createSecret; the cause is not in what whybot can see',
      detail: rich(
        para(
          `createSecret put the new version (AWSPENDING), then ${name} went silent until Lambda stopped it. `,
          'The secret and the database still agree on the current password; the pending version is left behind until a rotation finishes.',
        ),
        ...otherCauses(d),
      ),
      evidence: [invocationEvidence(stalled.create), ...(stalled.timedOut === stalled.create ? [] : [invocationEvidence(stalled.timedOut)]), ...functionEvidence(e)],
      remediations: [...(cause?.remediations ?? []), ...rotateNow(e)],
    };
  },
});
