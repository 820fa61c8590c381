// The questions issue 14's rules ask of the network evidence (vpc.ts), as pure functions:
// does a subnet's network ACL let HTTPS out and the answers back in; does a security group
// admit a port from a group or a CIDR; does a subnet have a way to the internet (NAT or
// internet gateway); which VPC endpoint serves a service. IPv4 only; every answer names the
// rule or route that decided it, so a finding can cite it.
import type { NaclEntryInfo, NetworkAclInfo, RouteInfo, RouteTableInfo, SecurityGroupInfo, SgRuleInfo, VpcEndpointInfo } from './vpc.js';

// ---------------------------------------------------------------- CIDR arithmetic

export interface Ipv4Range {
  /** first and last address, as unsigned 32-bit numbers */
  first: number;
  last: number;
}

/** "10.0.1.0/24" → its address range; a bare address is a /32; undefined when not IPv4. */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

/** Whether every address of `inner` is in `outer` (both CIDRs or addresses). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return o !== undefined && i !== undefined && o.first <= i.first && i.last <= o.last;
}

/** Whether the two share at least one address. */
export function cidrOverlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && x.first <= y.last && y.first <= x.last;
}

// ---------------------------------------------------------------- network ACLs

export interface PortRange {
  from: number;
  to: number;
}

export const EPHEMERAL_PORTS: PortRange = { from: 1024, to: 65535 };

export interface NaclQuery {
  egress: boolean;
  /** "tcp", "udp" or a protocol number ("6") */
  protocol: string;
  ports: PortRange;
  /** the other end: an address or a CIDR (all of it must be allowed) */
  cidr: string;
}

export interface NaclDecision {
  allowed: boolean;
  /** the entry that decided it (lowest rule number matching all of the traffic), or undefined when none did (the `*` deny) */
  decidedBy?: NaclEntryInfo;
  /** deny entries before it that cover part of the traffic (part of the ports or the CIDR) */
  partlyDeniedBy: NaclEntryInfo[];
}

const PROTOCOL_NUMBERS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', all: '-1' };
const protocolNumber = (p: string) => PROTOCOL_NUMBERS[p.toLowerCase()] ?? p;

/**
 * How a network ACL treats traffic in one direction, as EC2 evaluates it: entries in rule
 * number order, the first that matches decides, and the `*` entry (32767) denies what none
 * matched. An entry matches when its protocol is "-1" or the traffic's, its ports (TCP/UDP)
 * include all of the traffic's ports and its CIDR contains the other end. A deny entry that
 * covers only part of the ports or of the CIDR blocks that part: the traffic is then
 * reported not allowed, with that entry in `partlyDeniedBy`.
 */
export function naclDecision(acl: Pick<NetworkAclInfo, 'entries'>, q: NaclQuery): NaclDecision {
  const protocol = protocolNumber(q.protocol);
  const ordered = acl.entries.filter((e) => e.egress === q.egress && e.cidrBlock !== undefined).sort((a, b) => a.ruleNumber - b.ruleNumber);
  const partlyDeniedBy: NaclEntryInfo[] = [];
  for (const e of ordered) {
    if (e.protocol !== '-1' && e.protocol !== protocol) continue;
    const ports = e.protocol === '-1' || !e.portRange ? { from: 0, to: 65535 } : e.portRange;
    const portsAll = ports.from <= q.ports.from && q.ports.to <= ports.to;
    const portsSome = ports.from <= q.ports.to && q.ports.from <= ports.to;
    const cidrAll = cidrContains(e.cidrBlock!, q.cidr);
    const cidrSome = cidrOverlaps(e.cidrBlock!, q.cidr);
    if (portsAll && cidrAll) return { allowed: e.action === 'allow' && partlyDeniedBy.length === 0, decidedBy: e, partlyDeniedBy };
    if (portsSome && cidrSome && e.action === 'deny') partlyDeniedBy.push(e);
  }
  return { allowed: false, partlyDeniedBy };
}

export interface HttpsThroughNacl {
  allowed: boolean;
  /** the request leg: TCP 443 (out from a client, in to a server) */
  request: NaclDecision;
  /** the answer leg: TCP 1024–65535 (back in to a client, out from a server) */
  response: NaclDecision;
}

/**
 * A client in a subnet with this ACL calling HTTPS on `cidr` (e.g. the rotation function →
 * the Secrets Manager endpoint's subnets): TCP 443 out to it and the ephemeral ports
 * 1024–65535 back in from it (ACLs are stateless).
 */
export function naclAllowsHttpsOut(acl: Pick<NetworkAclInfo, 'entries'>, cidr: string): HttpsThroughNacl {
  const request = naclDecision(acl, { egress: true, protocol: 'tcp', ports: { from: 443, to: 443 }, cidr });
  const response = naclDecision(acl, { egress: false, protocol: 'tcp', ports: EPHEMERAL_PORTS, cidr });
  return { allowed: request.allowed && response.allowed, request, response };
}

/**
 * A server on `port` in a subnet with this ACL called from `cidr` (e.g. the endpoint's
 * subnet on 443, the database's on 5432): the port in from it and the ephemeral ports out.
 */
export function naclAllowsServerPort(acl: Pick<NetworkAclInfo, 'entries'>, cidr: string, port = 443): HttpsThroughNacl {
  const request = naclDecision(acl, { egress: false, protocol: 'tcp', ports: { from: port, to: port }, cidr });
  const response = naclDecision(acl, { egress: true, protocol: 'tcp', ports: EPHEMERAL_PORTS, cidr });
  return { allowed: request.allowed && response.allowed, request, response };
}

/** The ACL associated with a subnet (every subnet has exactly one). */
export function naclForSubnet(acls: readonly NetworkAclInfo[], subnetId: string): NetworkAclInfo | undefined {
  return acls.find((a) => a.subnetIds.includes(subnetId));
}

// ---------------------------------------------------------------- security groups

export interface SgPeer {
  /** the other end's security groups (e.g. the function's) */
  groupIds?: readonly string[];
  /** the other end's address or CIDR (e.g. a subnet's, or the VPC's); all of it must be admitted */
  cidr?: string;
}

export interface SgDecision {
  allowed: boolean;
  /** the rule that admits it, and why: a referenced group or a containing CIDR */
  rule?: SgRuleInfo;
  via?: { groupId: string } | { cidr: string };
}

function ruleCoversPort(r: SgRuleInfo, protocol: string, port: number): boolean {
  const p = r.protocol.toLowerCase();
  if (p === '-1' || p === 'all') return true;
  const want = protocol.toLowerCase();
  const same = p === want || protocolNumber(p) === protocolNumber(want);
  if (!same) return false;
  if (r.fromPort === undefined || r.toPort === undefined) return true;
  return r.fromPort <= port && port <= r.toPort;
}

function sgDecision(rules: readonly SgRuleInfo[], port: number, peer: SgPeer, protocol: string): SgDecision {
  for (const r of rules) {
    if (!ruleCoversPort(r, protocol, port)) continue;
    const group = peer.groupIds?.find((g) => r.groupIds.includes(g));
    if (group !== undefined) return { allowed: true, rule: r, via: { groupId: group } };
    const cidr = peer.cidr === undefined ? undefined : r.cidrs.find((c) => cidrContains(c, peer.cidr!));
    if (cidr !== undefined) return { allowed: true, rule: r, via: { cidr } };
  }
  return { allowed: false };
}

/**
 * Whether a security group admits TCP `port` (or `protocol`) from a peer: by a rule that
 * references one of the peer's groups, or whose CIDR contains the peer's CIDR. Security
 * groups only allow (no order, no deny); prefix lists are not resolved (never match).
 */
export function sgAllowsIngress(sg: Pick<SecurityGroupInfo, 'ingress'>, port: number, from: SgPeer, protocol = 'tcp'): SgDecision {
  return sgDecision(sg.ingress, port, from, protocol);
}

/** Whether a security group lets TCP `port` out to a peer (e.g. the function's group → the endpoint's on 443). */
export function sgAllowsEgress(sg: Pick<SecurityGroupInfo, 'egress'>, port: number, to: SgPeer, protocol = 'tcp'): SgDecision {
  return sgDecision(sg.egress, port, to, protocol);
}

/** Whether any of a resource's groups admits the peer (groups are a union). */
export function anySgAllowsIngress(sgs: readonly SecurityGroupInfo[], port: number, from: SgPeer, protocol = 'tcp'): SgDecision & { groupId?: string } {
  for (const sg of sgs) {
    const d = sgAllowsIngress(sg, port, from, protocol);
    if (d.allowed) return { ...d, groupId: sg.id };
  }
  return { allowed: false };
}

// ---------------------------------------------------------------- routes

/** The route table a subnet uses: its explicit association, else its VPC's main table. */
export function routeTableForSubnet(
  tables: readonly RouteTableInfo[],
  subnet: { id: string; vpcId: string },
): { table: RouteTableInfo; explicit: boolean } | undefined {
  const explicit = tables.find((t) => t.subnetIds.includes(subnet.id));
  if (explicit) return { table: explicit, explicit: true };
  const main = tables.find((t) => t.main && t.vpcId === subnet.vpcId);
  return main ? { table: main, explicit: false } : undefined;
}

export interface InternetPath {
  via: 'nat-gateway' | 'internet-gateway';
  gatewayId: string;
  route: RouteInfo;
}

/**
 * The way out to the internet (public AWS endpoints such as secretsmanager.<region>.amazonaws.com)
 * from a route table: the active 0.0.0.0/0 route, when it targets a NAT gateway or an internet
 * gateway. A blackhole route, or a default route elsewhere (transit gateway, appliance), is no
 * path as far as this can tell: undefined.
 */
export function internetPath(table: Pick<RouteTableInfo, 'routes'>): InternetPath | undefined {
  const route = table.routes.find((r) => r.destination === '0.0.0.0/0' && r.state === 'active');
  if (!route) return undefined;
  if (route.target.kind === 'nat-gateway' || route.target.kind === 'internet-gateway') return { via: route.target.kind, gatewayId: route.target.id, route };
  return undefined;
}

// ---------------------------------------------------------------- VPC endpoints

/** com.amazonaws.<region>.<service> */
export const endpointServiceName = (region: string, service: string) => `com.amazonaws.${region}.${service}`;

/**
 * The endpoint that serves `service` (secretsmanager, rds) in a VPC, preferring an available
 * Interface endpoint; undefined when there is none (a `pending` or `failed` one is returned
 * when it is all there is, so a finding can say so: check `state`).
 */
export function endpointFor(endpoints: readonly VpcEndpointInfo[], q: { region: string; service: string; vpcId: string }): VpcEndpointInfo | undefined {
  const name = endpointServiceName(q.region, q.service);
  const candidates = endpoints.filter((e) => e.serviceName === name && e.vpcId === q.vpcId && e.state !== 'deleted' && e.state !== 'deleting');
  const rank = (e: VpcEndpointInfo) => (e.state === 'available' ? 0 : 2) + (e.type === 'Interface' ? 0 : 1);
  return [...candidates].sort((a, b) => rank(a) - rank(b))[0];
}
