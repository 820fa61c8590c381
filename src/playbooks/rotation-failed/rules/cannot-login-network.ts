// Incident 002: "setSecret: Unable to log into database" after a long invocation (≥ 5 s):
// the function cannot reach the database. Say which security group is shut, when whybot can see it.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { LONG_INVOCATION_MS, loginFailure } from '../facts.js';
import { dbAdmission } from '../network-facts.js';
import { fnName, functionEvidence, invocationEvidence, rotateNow } from '../wording.js';

export default rule({
  id: 'cannot-login-network',
  severity: 'critical',
  summary: 'setSecret cannot log in and the invocation is long (≥ 5 s): the DB’s security group or the function’s does not let the connection through',
  needs: ['logs'],
  remediations: ['rotate-now'],
  apply(e) {
    const inv = loginFailure(e);
    if (!inv || inv.durationMs === undefined || inv.durationMs < LONG_INVOCATION_MS) return undefined;
    const name = fnName(e);
    const db = e.db?.db;
    const admission = e.network ? dbAdmission(e, e.network) : undefined;
    const shut = admission && (admission.shutSubnets.length > 0 || admission.egressShut);
    const fnGroups = e.fn?.vpc?.securityGroupIds ?? [];
    const why = !db
      ? 'whybot could not tell which DB the secret is for (its host is only in the secret’s value)'
      : !e.fn?.vpc
        ? `${name} is not in a VPC: it cannot reach a DB in one; attach it to ${db.id}’s VPC`
        : !admission
          ? 'the security groups could not be read'
          : undefined;
    const what = admission && shut
      ? [
          admission.shutSubnets.length > 0
            ? `${db!.id}’s security groups (${(db!.securityGroupIds ?? []).join(', ')}) do not admit port ${admission.port} from the function’s groups (${fnGroups.join(', ')}) or subnets ${admission.shutSubnets.map((s) => `${s.id} ${s.cidrBlock}`).join(', ')}`
            : undefined,
          admission.egressShut ? `the function’s groups (${fnGroups.join(', ')}) let nothing out on port ${admission.port}` : undefined,
        ]
          .filter(Boolean)
          .join('; ')
      : undefined;
    return {
      data: { function: name, db: db?.id, port: admission?.port, shutSubnets: admission?.shutSubnets.map((s) => s.id) ?? [], egressShut: admission?.egressShut ?? false },
      title: what ? `${name} cannot reach ${db!.id}: ${what}` : `${name} cannot reach the database (login failed after ${Math.round(inv.durationMs / 1000)} s)`,
      detail: rich(
        para(
          `The login failed after ${(inv.durationMs / 1000).toFixed(1)} s: long enough to be a connection that never got an answer, not a wrong password. `,
          'The function’s security group must let the connection out, and the DB’s must let it in.',
        ),
        what && admission?.dbGroupId && fnGroups[0]
          ? para(
              'Admit the function’s group on the DB’s: ',
              code(`aws ec2 authorize-security-group-ingress --region ${e.input.region} --group-id ${admission.dbGroupId} --protocol tcp --port ${admission.port} --source-group ${fnGroups[0]}`),
              '.',
            )
          : undefined,
        !what && admission && !shut ? para(`The security groups admit port ${admission.port}; check the network ACLs of the DB’s subnets (not read by whybot) and that the secret’s host is this DB.`) : undefined,
        why ? para(`Which side is shut is not known: ${why}.`) : undefined,
      ),
      evidence: [invocationEvidence(inv), ...functionEvidence(e), ...(db ? [{ source: 'RDS', text: `${db.id}: port ${admission?.port ?? db.port ?? '?'}, security groups ${(db.securityGroupIds ?? []).join(', ') || 'none reported'}` }] : [])],
      remediations: rotateNow(e),
    };
  },
});
