// Incident 002's candidate causes for a function that goes silent (after "Found
// credentials", or after createSecret), each decided from the network reads: found (the
// evidence shows it), ruled out (the evidence shows it is not), or unknown (the evidence
// that would decide it could not be read). The rules list them in the guide's order and
// pick the first one found.
import type { RemediationRef } from '../../findings.js';
import type { RotationFailedEvidence } from './evidence.js';
import { isAlternatingUsers, SUGGESTED_TIMEOUT_SECONDS, TEMPLATE_TIMEOUT_SECONDS } from './facts.js';
import { aclBlocks, endpointGroupGap, endpointPolicyAllows, functionEgressShut, serviceRoute, type ServiceRoute } from '../vpc-path/reach.js';

export type CauseId = 'no-route' | 'endpoint-sg' | 'function-egress' | 'nacl' | 'endpoint-policy' | 'timeout' | 'rds-api';

export interface Cause {
  id: CauseId;
  status: 'found' | 'ruled-out' | 'unknown';
  /** what decided it, or why it could not be decided */
  text: string;
  remediations?: RemediationRef[];
}

const unknown = (id: CauseId, why: string): Cause => ({ id, status: 'unknown', text: why });

function networkUnknown(e: RotationFailedEvidence): string {
  const c = e.checks.find((x) => x.id === 'network');
  if (c?.status === 'failed') return `the network could not be read (${c.reason ?? 'failed'}${c.iamAction ? `; needs ${c.iamAction}` : ''})`;
  return c?.reason ?? 'the network was not read';
}

function noRoute(e: RotationFailedEvidence, route: ServiceRoute): Cause {
  const stuck = route.subnets.filter((s) => s.via === 'none');
  const noNat = route.subnets.filter((s) => !s.natGatewayId);
  if (route.privateDnsOff && route.endpointVar && noNat.length > 0)
    return unknown(
      'no-route',
      `endpoint ${route.endpoint!.id} has private DNS off and subnets ${noNat.map((s) => s.subnet.id).join(', ')} have no NAT gateway; the function has a SECRETS_MANAGER_ENDPOINT variable, whose value whybot does not read: the rotation templates set it to the public name, which then reaches nothing; only the endpoint’s own DNS name (vpce-…) would work`,
    );
  if (stuck.length === 0)
    return { id: 'no-route', status: 'ruled-out', text: route.endpoint ? `endpoint ${route.endpoint.id} serves Secrets Manager in the VPC` : 'every subnet has a NAT gateway' };
  const names = stuck.map((s) => s.subnet.id).join(', ');
  if (route.privateDnsOff)
    return {
      id: 'no-route',
      status: 'found',
      text: `endpoint ${route.endpoint!.id} has private DNS off and the function is not given its address (no SECRETS_MANAGER_ENDPOINT variable), so it calls the public name, and subnets ${names} have no NAT gateway`,
    };
  const igw = stuck.find((s) => s.internetGatewayOnly);
  if (igw)
    return {
      id: 'no-route',
      status: 'found',
      text: `subnets ${names} route 0.0.0.0/0 to internet gateway ${igw.internetGatewayOnly}, but a Lambda function in a VPC never has a public IP: it needs a NAT gateway or a Secrets Manager endpoint`,
    };
  return {
    id: 'no-route',
    status: 'found',
    text: `no Secrets Manager endpoint in ${e.network?.vpcId ?? 'the VPC'}${route.endpoint ? ` is available (${route.endpoint.id} is ${route.endpoint.state})` : ''} and subnets ${names} have no NAT gateway`,
  };
}

function endpointSg(e: RotationFailedEvidence, route: ServiceRoute): Cause {
  if (!route.endpoint || !route.subnets.some((s) => s.via === 'endpoint')) return { id: 'endpoint-sg', status: 'ruled-out', text: 'no endpoint in the path' };
  const gap = endpointGroupGap(e.network!, route.endpoint);
  if (!gap) return { id: 'endpoint-sg', status: 'ruled-out', text: `the groups of ${route.endpoint.id} admit HTTPS from the function’s subnets` };
  const fix: RemediationRef[] =
    gap.groupId && gap.vpcCidr
      ? [
          {
            id: 'sg-allow-https-from-vpc',
            label: `Allow HTTPS from ${gap.vpcCidr} into ${gap.groupId}`,
            params: { groupId: gap.groupId, cidr: gap.vpcCidr, region: e.input.region, vpcId: e.network!.vpcId, description: `Secrets Manager endpoint ${route.endpoint.id}` },
          },
        ]
      : [];
  return {
    id: 'endpoint-sg',
    status: 'found',
    text: `the security groups of endpoint ${route.endpoint.id} (${route.endpoint.securityGroupIds.join(', ')}) do not admit HTTPS (443) from subnets ${gap.subnets.map((s) => `${s.id} ${s.cidrBlock}`).join(', ')} or the function’s groups${gap.vpcCidr ? `; the guide: admit the VPC CIDR ${gap.vpcCidr}` : ''}`,
    remediations: fix,
  };
}

function functionEgress(e: RotationFailedEvidence, route: ServiceRoute): Cause {
  const n = e.network!;
  const cidr = route.subnets.some((s) => s.via === 'endpoint') ? (n.vpc?.cidrBlocks[0] ?? '0.0.0.0/0') : '0.0.0.0/0';
  const shut = functionEgressShut(n, { groupIds: route.endpoint?.securityGroupIds ?? [], cidr });
  return shut
    ? { id: 'function-egress', status: 'found', text: `the function’s groups (${n.functionGroups.map((g) => g.id).join(', ')}) let no HTTPS (443) out to ${cidr}` }
    : { id: 'function-egress', status: 'ruled-out', text: 'the function’s groups let HTTPS out' };
}

function nacl(e: RotationFailedEvidence, route: ServiceRoute): Cause {
  const found = aclBlocks(e.network!, route)[0];
  if (!found) return { id: 'nacl', status: 'ruled-out', text: 'the network ACLs let HTTPS out and the answers back in' };
  const what = found.side === 'function'
    ? found.leg === 'request' ? `TCP 443 out to ${found.cidr}` : `the answers (TCP 1024–65535) back in from ${found.cidr}`
    : found.leg === 'request' ? `TCP 443 in from ${found.cidr}` : `the answers (TCP 1024–65535) out to ${found.cidr}`;
  const by = found.entry ? `rule ${found.entry.ruleNumber === 32767 ? '*' : found.entry.ruleNumber} (${found.entry.action})` : 'its final * deny';
  return {
    id: 'nacl',
    status: 'found',
    text: `network ACL ${found.acl.id} of ${found.side === 'function' ? 'the function’s' : 'the endpoint’s'} subnet ${found.subnet.id} does not let ${what}: ${by}`,
    remediations: [
      {
        id: 'nacl-allow-https',
        label: `Show the ACL entries for ${found.acl.id}`,
        params: {
          naclId: found.acl.id,
          cidr: found.cidr,
          region: e.input.region,
          // the function's subnet sends 443 and takes the answers in; the endpoint's takes 443 in and answers out
          direction: found.side === 'function'
            ? found.leg === 'request' ? 'egress-443' : 'ingress-ephemeral'
            : found.leg === 'request' ? 'ingress-443' : 'egress-ephemeral',
        },
      },
    ],
  };
}

function endpointPolicy(e: RotationFailedEvidence, route: ServiceRoute): Cause {
  if (!route.endpoint || !route.subnets.some((s) => s.via === 'endpoint')) return { id: 'endpoint-policy', status: 'ruled-out', text: 'no endpoint in the path' };
  const v = endpointPolicyAllows(route.endpoint.policyDocument, e.fn?.role);
  if (v.allowed) return { id: 'endpoint-policy', status: 'ruled-out', text: `the policy of ${route.endpoint.id} allows the rotation’s calls${v.conditional ? ' (conditions not evaluated)' : ''}` };
  // a Deny that holds only under conditions (e.g. "unless aws:PrincipalAccount is ours") is
  // the usual shape of an endpoint policy: whybot does not evaluate them, so it cannot say
  if (v.conditional)
    return unknown('endpoint-policy', `the policy of ${route.endpoint.id} denies the rotation’s calls under conditions whybot does not evaluate (${v.statement})`);
  return {
    id: 'endpoint-policy',
    status: 'found',
    text: `the policy of endpoint ${route.endpoint.id} does not let the function’s role ${e.fn?.role ?? '?'} make the rotation’s calls (${v.statement})`,
  };
}

function timeout(e: RotationFailedEvidence): Cause {
  const t = e.fn?.timeoutSeconds;
  if (t === undefined) return unknown('timeout', 'the function’s timeout could not be read');
  if (t >= TEMPLATE_TIMEOUT_SECONDS) return { id: 'timeout', status: 'ruled-out', text: `the function’s timeout is ${t} s (the templates use ${TEMPLATE_TIMEOUT_SECONDS} s)` };
  return {
    id: 'timeout',
    status: 'found',
    text: `the function’s timeout is ${t} s, shorter than the ${TEMPLATE_TIMEOUT_SECONDS} s the rotation templates set`,
    remediations: [
      {
        id: 'lambda-timeout',
        label: `Set ${e.fn!.name}’s timeout to ${SUGGESTED_TIMEOUT_SECONDS} s`,
        params: { functionName: e.fn!.arn, timeoutSeconds: SUGGESTED_TIMEOUT_SECONDS, currentSeconds: t, region: e.input.region },
      },
    ],
  };
}

function rdsApi(e: RotationFailedEvidence): Cause {
  if (!isAlternatingUsers(e)) return { id: 'rds-api', status: 'ruled-out', text: 'single-user rotation does not call the RDS API' };
  const route = serviceRoute(e, e.network!, 'rds');
  const stuck = route.subnets.filter((s) => s.via === 'none');
  if (stuck.length === 0) return { id: 'rds-api', status: 'ruled-out', text: route.endpoint ? `endpoint ${route.endpoint.id} serves the RDS API` : 'a NAT gateway reaches the RDS API' };
  return {
    id: 'rds-api',
    status: 'found',
    text: `alternating-users rotation whose superuser secret is managed by RDS calls the RDS API, and subnets ${stuck.map((s) => s.subnet.id).join(', ')} have neither an RDS endpoint nor a NAT gateway (if the superuser secret is not RDS-managed, this does not apply)`,
  };
}

/** The causes of a function that never reaches Secrets Manager, in the guide's order. */
export function unreachableCauses(e: RotationFailedEvidence): Cause[] {
  if (!e.network) {
    const why = networkUnknown(e);
    return (['no-route', 'endpoint-sg', 'function-egress', 'nacl', 'endpoint-policy'] as const).map((id) => unknown(id, why));
  }
  const route = serviceRoute(e, e.network, 'secretsmanager');
  return [noRoute(e, route), endpointSg(e, route), functionEgress(e, route), nacl(e, route), endpointPolicy(e, route)];
}

/** The causes of a rotation that stops after createSecret, in the guide's order. */
export function stalledCauses(e: RotationFailedEvidence): Cause[] {
  if (!e.network) {
    const why = networkUnknown(e);
    return [unknown('nacl', why), timeout(e), unknown('endpoint-sg', why), unknown('endpoint-policy', why), unknown('rds-api', why)];
  }
  const route = serviceRoute(e, e.network, 'secretsmanager');
  return [nacl(e, route), timeout(e), endpointSg(e, route), endpointPolicy(e, route), rdsApi(e)];
}
