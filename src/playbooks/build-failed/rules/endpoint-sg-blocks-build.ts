// Incident 000's second fix: the Secrets Manager endpoint's security group must admit 443 from
// the VPC CIDR (or the project's security group). Without it the build's secret lookups time out
// in DOWNLOAD_SOURCE; with an x509 error in front, it is the next failure once the image is fixed.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { downloadSourceFailure, isTimeout, latestFailure } from '../facts.js';
import { buildRoutes, SERVICE_NAMES } from '../network.js';
import { failureEvidence, project } from '../wording.js';

export default rule({
  id: 'endpoint-sg-blocks-build',
  severity: 'critical',
  summary: 'The Secrets Manager (or SSM) endpoint’s security group does not admit 443 from the VPC CIDR or the project’s security group',
  needs: ['network'],
  remediations: ['sg-allow-https-from-vpc'],
  apply(e) {
    const name = project(e);
    const f = downloadSourceFailure(e);
    const timedOut = f !== undefined && isTimeout(f.message);
    return buildRoutes(e).flatMap(({ service, gap }) => {
      if (!gap) return [];
      const svc = SERVICE_NAMES[service];
      const subnets = gap.subnets.map((s) => `${s.id} (${s.cidrBlock})`).join(', ');
      const groups = e.project?.vpc?.securityGroupIds ?? [];
      return [
        {
          data: { project: name, service, endpoint: gap.endpoint.id, groupId: gap.groupId, vpcCidr: gap.vpcCidr, subnets: gap.subnets.map((s) => s.id), timedOut },
          severity: timedOut || !latestFailure(e) ? ('critical' as const) : ('warning' as const),
          title: `${svc} endpoint ${gap.endpoint.id}’s security group does not admit HTTPS from ${name}’s subnets`,
          detail: rich(
            para(
              `Private DNS sends ${service}.${e.input.region}.amazonaws.com to endpoint ${gap.endpoint.id}, but its security group${gap.endpoint.securityGroupIds.length === 1 ? ` (${gap.endpoint.securityGroupIds[0]}) admits` : `s (${gap.endpoint.securityGroupIds.join(', ')}) admit`} 443 neither from ${subnets} nor from the project’s group${groups.length === 1 ? '' : 's'} (${groups.join(', ') || 'none'}). `,
              timedOut
                ? 'That is why the secret lookups in DOWNLOAD_SOURCE time out.'
                : f
                  ? 'The latest failure has another cause in front of it; once that is fixed, the secret lookups will time out here. Incident 000 needed both fixes.'
                  : 'Builds that resolve secrets will time out in DOWNLOAD_SOURCE.',
            ),
            para(
              'Fix: add an inbound rule for HTTPS (TCP 443) from the VPC CIDR ',
              code(gap.vpcCidr ?? '<VPC CIDR>'),
              ' to ',
              code(gap.groupId ?? '<endpoint group>'),
              ' (the endpoint itself needs no outbound rule).',
            ),
          ),
          evidence: [
            { source: 'EC2', text: `endpoint ${gap.endpoint.id} (${gap.endpoint.serviceName}), groups ${gap.endpoint.securityGroupIds.join(', ')}, private DNS ${gap.endpoint.privateDnsEnabled ? 'on' : 'off'}` },
            { source: 'EC2', text: `no inbound 443 from ${subnets}${groups.length ? ` or ${groups.join(', ')}` : ''}` },
            ...(f ? failureEvidence(f).slice(0, 1) : []),
          ],
          remediations:
            gap.groupId && gap.vpcCidr
              ? [{ id: 'sg-allow-https-from-vpc', label: `Allow 443 from ${gap.vpcCidr}`, params: { groupId: gap.groupId, cidr: gap.vpcCidr, region: e.input.region, vpcId: e.network!.vpcId, description: `${svc} endpoint ${gap.endpoint.id}` } }]
              : [],
        },
      ];
    });
  },
});
