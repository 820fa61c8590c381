// Incident 002: nothing after "Found credentials in environment variables" and the
// invocation ran to its timeout → the function cannot reach Secrets Manager. Say which way is shut.
import { code, para, rich } from '../../../markup.js';
import { unreachableCauses } from '../causes.js';
import { decide, otherCauses } from '../cause-finding.js';
import { rule } from '../evidence.js';
import { fnName, functionEvidence, invocationEvidence, rotateNow } from '../wording.js';
import { silentAfterCredentials } from '../facts.js';

export default rule({
  id: 'endpoint-unreachable',
  severity: 'critical',
  summary: 'The function logs “Found credentials in environment variables”, then nothing until its timeout: it cannot reach Secrets Manager',
  needs: ['logs'],
  remediations: ['sg-allow-https-from-vpc', 'nacl-allow-https', 'rotate-now'],
  apply(e) {
    const inv = silentAfterCredentials(e);
    if (!inv) return undefined;
    const name = fnName(e);
    const outside = e.fn && !e.fn.vpc;
    const d = outside ? { ruledOut: [], notRuledOut: [] } : decide(unreachableCauses(e));
    const cause = d.decided;
    return {
      data: { function: name, secret: e.secret?.name, requestId: inv.requestId, cause: cause?.id, durationMs: inv.durationMs },
      title: cause
        ? `${name} cannot reach Secrets Manager: ${cause.text}`
        : `${name} went silent after “Found credentials” and timed out: it cannot reach Secrets Manager`,
      detail: rich(
        para(
          'The function started, created its Secrets Manager client, and then waited for an answer until Lambda stopped it. ',
          'A rotation function must reach Secrets Manager: through a Secrets Manager VPC endpoint (recommended for a VPC without internet access) or a NAT gateway. ',
        ),
        outside &&
          para('The function is not in a VPC, so it uses the public endpoint; a timeout there points at an outbound proxy or firewall outside AWS’s view, or a Region mismatch.'),
        cause && !cause.remediations?.length && cause.id === 'no-route'
          ? para(
              'Add an interface endpoint for Secrets Manager with private DNS on: ',
              code(
                `aws ec2 create-vpc-endpoint --vpc-id ${e.network?.vpcId ?? '<vpc>'} --vpc-endpoint-type Interface --service-name com.amazonaws.${e.input.region}.secretsmanager --subnet-ids ${(e.fn?.vpc?.subnetIds ?? []).join(' ')} --security-group-ids <group admitting 443 from the VPC> --private-dns-enabled`,
              ),
              '.',
            )
          : undefined,
        ...otherCauses(d),
      ),
      evidence: [invocationEvidence(inv), ...functionEvidence(e)],
      remediations: [...(cause?.remediations ?? []), ...rotateNow(e)],
    };
  },
});
