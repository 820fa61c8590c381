// What a workload in a VPC (a rotation function, incident 002; a CodeBuild project, incident
// 000) needs to reach an AWS API, answered from the reads in read.ts: how each of its subnets
// reaches the service (an endpoint, a NAT gateway, nothing), whether the endpoint's security
// groups and the network ACLs let HTTPS through, and whether the endpoint policy lets it in.
import {
  anySgAllowsIngress,
  endpointFor,
  internetPath,
  naclAllowsHttpsOut,
  naclAllowsServerPort,
  naclForSubnet,
  routeTableForSubnet,
  sgAllowsEgress,
  type HttpsThroughNacl,
} from '../../aws/network-path.js';
import type { NetworkAclInfo, NaclEntryInfo, SubnetInfo, VpcEndpointInfo } from '../../aws/vpc.js';
import type { NetworkPath } from './read.js';

/** The environment variable the rotation templates read to call a given Secrets Manager endpoint. */
export const ENDPOINT_ENV = 'SECRETS_MANAGER_ENDPOINT';

/** Who asks: the Region, and the environment variable NAMES of the function (a build has none that matter). */
export interface RouteAsker {
  input: { region: string };
  fn?: { environmentNames: readonly string[] };
}

export interface SubnetRoute {
  subnet: SubnetInfo;
  /** endpoint: a private endpoint answers Secrets Manager's name; nat: out through a NAT gateway; none: no way */
  via: 'endpoint' | 'nat' | 'none';
  /** a default route to an internet gateway: useless to a Lambda ENI, which never has a public IP */
  internetGatewayOnly?: string;
  /** the subnet's default route goes to this NAT gateway (also set beside an endpoint) */
  natGatewayId?: string;
}

export interface ServiceRoute {
  service: 'secretsmanager' | 'rds' | 'ssm';
  endpoint?: VpcEndpointInfo;
  /** the endpoint is an interface endpoint with private DNS off: Secrets Manager's public name does not reach it */
  privateDnsOff: boolean;
  /**
   * the function has a SECRETS_MANAGER_ENDPOINT variable. whybot reads names, not values: the
   * rotation templates set it to the public name, so with private DNS off it reaches the
   * endpoint only if someone pointed it at the endpoint's own DNS name (taken as possible)
   */
  endpointVar: boolean;
  subnets: SubnetRoute[];
}

/** How each of the function's subnets reaches `service`. */
export function serviceRoute(e: RouteAsker, n: NetworkPath, service: 'secretsmanager' | 'rds' | 'ssm'): ServiceRoute {
  const found = endpointFor(n.endpoints, { region: e.input.region, service, vpcId: n.vpcId });
  const endpoint = found && found.state === 'available' ? found : undefined;
  const told = service === 'secretsmanager' && (e.fn?.environmentNames ?? []).includes(ENDPOINT_ENV);
  const privateDnsOff = endpoint !== undefined && endpoint.type === 'Interface' && !endpoint.privateDnsEnabled;
  const usable = endpoint !== undefined && (!privateDnsOff || told);
  const subnets = n.subnets.map((subnet): SubnetRoute => {
    const table = routeTableForSubnet(n.routeTables, subnet)?.table;
    const out = table ? internetPath(table) : undefined;
    const nat = out?.via === 'nat-gateway' ? { natGatewayId: out.gatewayId } : {};
    if (usable) return { subnet, via: 'endpoint', ...nat };
    if (out?.via === 'nat-gateway') return { subnet, via: 'nat', ...nat };
    return { subnet, via: 'none', ...(out?.via === 'internet-gateway' ? { internetGatewayOnly: out.gatewayId } : {}) };
  });
  return { service, ...(found ? { endpoint: found } : {}), privateDnsOff, endpointVar: told, subnets };
}

export interface EndpointGroupGap {
  endpoint: VpcEndpointInfo;
  /** the function's subnets whose addresses (and groups) the endpoint's groups do not admit on 443 */
  subnets: SubnetInfo[];
  /** the endpoint's first security group: where the fix goes */
  groupId?: string;
  /** the VPC's primary CIDR: what the fix admits (the guide: the VPC CIDR) */
  vpcCidr?: string;
}

/** The endpoint's security groups do not admit HTTPS from (some of) the function's subnets. */
export function endpointGroupGap(n: NetworkPath, endpoint: VpcEndpointInfo): EndpointGroupGap | undefined {
  if (endpoint.type !== 'Interface') return undefined;
  const groups = n.endpointGroups.filter((g) => endpoint.securityGroupIds.includes(g.id));
  const fnGroups = n.functionGroups.map((g) => g.id);
  const shut = n.subnets.filter((s) => !anySgAllowsIngress(groups, 443, { groupIds: fnGroups, cidr: s.cidrBlock }).allowed);
  if (shut.length === 0) return undefined;
  return {
    endpoint,
    subnets: shut,
    ...(endpoint.securityGroupIds[0] ? { groupId: endpoint.securityGroupIds[0] } : {}),
    ...(n.vpc?.cidrBlocks[0] ? { vpcCidr: n.vpc.cidrBlocks[0] } : {}),
  };
}

/** The function's own groups do not let HTTPS out to the endpoint (or anywhere, for a NAT path). */
export function functionEgressShut(n: NetworkPath, to: { groupIds: readonly string[]; cidr: string }, port = 443): boolean {
  if (n.functionGroups.length === 0) return false;
  return !n.functionGroups.some((g) => sgAllowsEgress(g, port, to).allowed);
}

export interface AclBlock {
  acl: NetworkAclInfo;
  subnet: SubnetInfo;
  /** which leg: the request out (443) or the answer back in (1024–65535); for the endpoint's subnet the other way round */
  leg: 'request' | 'response';
  side: 'function' | 'endpoint';
  /** the other end the ACL was asked about */
  cidr: string;
  /** the entry that decided it (none: the final `*` deny) */
  entry?: NaclEntryInfo;
}

function blocks(decision: HttpsThroughNacl, acl: NetworkAclInfo, subnet: SubnetInfo, side: AclBlock['side'], cidr: string): AclBlock | undefined {
  for (const leg of ['request', 'response'] as const) {
    const d = decision[leg];
    if (d.allowed) continue;
    const entry = d.partlyDeniedBy[0] ?? d.decidedBy;
    return { acl, subnet, leg, side, cidr, ...(entry ? { entry } : {}) };
  }
  return undefined;
}

/**
 * Network ACLs that stop HTTPS from the function's subnets to Secrets Manager: toward the
 * endpoint's subnets (both ACLs), or toward anywhere (0.0.0.0/0) when the way is a NAT gateway.
 */
export function aclBlocks(n: NetworkPath, route: ServiceRoute): AclBlock[] {
  const out: AclBlock[] = [];
  const targets = route.endpoint && route.subnets.some((s) => s.via === 'endpoint') ? n.endpointSubnets.filter((s) => route.endpoint!.subnetIds.includes(s.id)) : [];
  for (const r of route.subnets) {
    const acl = naclForSubnet(n.acls, r.subnet.id);
    if (!acl) continue;
    const cidrs = r.via === 'endpoint' ? targets.map((t) => t.cidrBlock) : r.via === 'nat' ? ['0.0.0.0/0'] : [];
    for (const cidr of cidrs) {
      const b = blocks(naclAllowsHttpsOut(acl, cidr), acl, r.subnet, 'function', cidr);
      if (b) {
        out.push(b);
        break;
      }
    }
    if (r.via !== 'endpoint') continue;
    for (const t of targets) {
      const tacl = naclForSubnet(n.acls, t.id);
      const b = tacl ? blocks(naclAllowsServerPort(tacl, r.subnet.cidrBlock, 443), tacl, t, 'endpoint', r.subnet.cidrBlock) : undefined;
      if (b && !out.some((o) => o.acl.id === b.acl.id && o.side === 'endpoint')) out.push(b);
    }
  }
  return out;
}

/** The secretsmanager actions the rotation templates call. */
const ROTATION_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage'];

export interface PolicyVerdict {
  allowed: boolean;
  /** the statement that decided (Sid or index) */
  statement?: string;
  /** statements with conditions whybot does not evaluate */
  conditional: boolean;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(value);

function principalMatches(principal: unknown, role: string | undefined): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    const aws = list((principal as Record<string, unknown>).AWS);
    const account = role ? /:iam::(\d{12}):/.exec(role)?.[1] : undefined;
    return aws.some((p) => p === '*' || (role !== undefined && glob(p, role)) || (account !== undefined && (p === account || p === `arn:aws:iam::${account}:root`)));
  }
  return false;
}

/**
 * Whether a VPC endpoint policy lets the function's role make the rotation's Secrets Manager
 * calls: an explicit Deny of any of them for the role wins; else one Allow must cover each.
 * Conditions are not evaluated (a statement with one counts as applying, and says so).
 */
export function endpointPolicyAllows(policyDocument: string | undefined, role: string | undefined): PolicyVerdict {
  if (!policyDocument) return { allowed: true, conditional: false }; // no policy: full access
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(policyDocument) as { Statement?: unknown };
  } catch {
    return { allowed: true, conditional: true };
  }
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).filter((s): s is Record<string, unknown> => !!s && typeof s === 'object');
  // Action lists what the statement covers; NotAction, everything but what it lists.
  // Principal names who it is about; NotPrincipal, everyone but whom it names.
  const covers = (s: Record<string, unknown>, action: string) =>
    s.Action !== undefined ? list(s.Action).some((a) => glob(a, action)) : s.NotAction !== undefined && !list(s.NotAction).some((a) => glob(a, action));
  const about = (s: Record<string, unknown>) => (s.NotPrincipal !== undefined ? !principalMatches(s.NotPrincipal, role) : principalMatches(s.Principal, role));
  const applies = (s: Record<string, unknown>, action: string) => about(s) && covers(s, action);
  const name = (s: Record<string, unknown>, i: number) => (typeof s.Sid === 'string' ? s.Sid : `statement ${i + 1}`);
  let conditional = false;
  for (const action of ROTATION_ACTIONS) {
    // an unconditional Deny decides; a conditional one only when there is no other
    const denies = statements.flatMap((s, i) => (s.Effect === 'Deny' && applies(s, action) ? [i] : []));
    const deny = denies.find((i) => statements[i]!.Condition === undefined) ?? denies[0];
    if (deny !== undefined) return { allowed: false, statement: name(statements[deny]!, deny), conditional: statements[deny]!.Condition !== undefined };
    const allow = statements.findIndex((s) => s.Effect === 'Allow' && applies(s, action));
    if (allow < 0) return { allowed: false, statement: `no statement allows ${action}`, conditional: false };
    conditional ||= statements[allow]!.Condition !== undefined;
  }
  return { allowed: true, conditional };
}

