/**
 * The VPC network part of the double's EC2 world (issue 14), built from the scenario's
 * `ec2.vpcs`, `subnets`, `routeTables`, `networkAcls`, `securityGroups` and `vpcEndpoints`.
 * What AWS adds on its own is added here: the `local` route for each VPC CIDR in every
 * route table, a main route table (local routes only) and a default network ACL (allow all)
 * for a VPC that declares none, the `*` (32767) deny entries of every ACL, and the
 * allow-all egress rule of a security group that declares no egress.
 */
import { resolveTime, type Scenario } from '../scenario.js';
import { stableHex } from './ids.js';
import { ScenarioError } from './scenario-error.js';

type Tags = { key: string; value: string }[];

export interface Ec2Vpc {
  id: string;
  cidrBlocks: string[];
  isDefault: boolean;
  tags: Tags;
}

export interface Ec2Subnet {
  id: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  tags: Tags;
}

export interface Ec2Route {
  destinationCidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string;
  natGatewayId?: string;
  transitGatewayId?: string;
  vpcPeeringConnectionId?: string;
  networkInterfaceId?: string;
  state: 'active' | 'blackhole';
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface Ec2RouteTable {
  id: string;
  vpcId: string;
  main: boolean;
  subnetIds: string[];
  routes: Ec2Route[];
  tags: Tags;
}

export interface Ec2NetworkAclEntry {
  ruleNumber: number;
  egress: boolean;
  /** as AWS answers: "-1", "6", "17", "1" */
  protocol: string;
  action: 'allow' | 'deny';
  cidrBlock: string;
  portRange?: { from: number; to: number };
}

export interface Ec2NetworkAcl {
  id: string;
  vpcId: string;
  isDefault: boolean;
  subnetIds: string[];
  entries: Ec2NetworkAclEntry[];
  tags: Tags;
}

export interface Ec2SgRule {
  /** as AWS answers: "-1", "tcp", "udp", "icmp" or a number */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  groupIds: string[];
  prefixListIds: string[];
  description?: string;
}

export interface Ec2SecurityGroup {
  id: string;
  name: string;
  vpcId: string;
  description: string;
  ingress: Ec2SgRule[];
  egress: Ec2SgRule[];
  tags: Tags;
}

export interface Ec2VpcEndpoint {
  id: string;
  vpcId: string;
  serviceName: string;
  type: 'Interface' | 'Gateway' | 'GatewayLoadBalancer';
  state: string;
  subnetIds: string[];
  securityGroupIds: string[];
  routeTableIds: string[];
  privateDnsEnabled: boolean;
  policyDocument: string;
  createdAt: Date;
  tags: Tags;
}

export interface VpcWorld {
  vpcs: Ec2Vpc[];
  subnets: Ec2Subnet[];
  routeTables: Ec2RouteTable[];
  networkAcls: Ec2NetworkAcl[];
  securityGroups: Ec2SecurityGroup[];
  vpcEndpoints: Ec2VpcEndpoint[];
}

export class VpcScenarioError extends ScenarioError {}

const tagList = (tags: Record<string, string> | undefined): Tags => Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));

const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', tcp: '6', udp: '17', icmp: '1' };
const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' };

const FULL_ACCESS_POLICY = { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

function unique<T extends { id: string }>(scenario: Scenario, kind: string, items: readonly T[]): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) throw new VpcScenarioError(`scenario ${scenario.name}: ${kind} ${item.id} is listed twice`);
    seen.add(item.id);
  }
}

export function buildVpcWorld(scenario: Scenario, now: Date): VpcWorld {
  const src = scenario.ec2;
  const fail = (message: string): never => {
    throw new VpcScenarioError(`scenario ${scenario.name}: ${message}`);
  };
  unique(scenario, 'VPC', src.vpcs);
  unique(scenario, 'subnet', src.subnets);
  unique(scenario, 'route table', src.routeTables);
  unique(scenario, 'network ACL', src.networkAcls);
  unique(scenario, 'security group', src.securityGroups);
  unique(scenario, 'VPC endpoint', src.vpcEndpoints);
  const vpcIds = new Set(src.vpcs.map((v) => v.id));
  const needVpc = (what: string, vpcId: string) => {
    if (!vpcIds.has(vpcId)) fail(`${what} names VPC ${vpcId}, which is not in ec2.vpcs`);
  };
  const vpcs: Ec2Vpc[] = src.vpcs.map((v) => ({
    id: v.id,
    cidrBlocks: [v.cidrBlock, ...(v.extraCidrBlocks ?? [])],
    isDefault: v.isDefault ?? false,
    tags: tagList(v.tags),
  }));
  const subnets: Ec2Subnet[] = src.subnets.map((s) => {
    needVpc(`subnet ${s.id}`, s.vpcId);
    return { id: s.id, vpcId: s.vpcId, cidrBlock: s.cidrBlock, availabilityZone: s.availabilityZone ?? `${scenario.region}a`, tags: tagList(s.tags) };
  });
  const subnetVpc = new Map(subnets.map((s) => [s.id, s.vpcId]));
  const needSubnet = (what: string, subnetId: string, vpcId: string) => {
    const owner = subnetVpc.get(subnetId);
    if (owner === undefined) fail(`${what} names subnet ${subnetId}, which is not in ec2.subnets`);
    if (owner !== vpcId) fail(`${what} is in ${vpcId} but subnet ${subnetId} is in ${owner}`);
  };
  const localRoutes = (vpcId: string): Ec2Route[] =>
    (vpcs.find((v) => v.id === vpcId)?.cidrBlocks ?? []).map((c) => ({ destinationCidrBlock: c, gatewayId: 'local', state: 'active', origin: 'CreateRouteTable' }));

  /** A subnet is associated with exactly one route table and one network ACL. */
  const associate = (kind: string, id: string, vpcId: string, subnetIds: readonly string[] | undefined, owners: Map<string, string>) => {
    for (const s of subnetIds ?? []) {
      needSubnet(`${kind} ${id}`, s, vpcId);
      if (owners.has(s)) fail(`subnet ${s} is associated with ${kind}s ${owners.get(s)} and ${id}`);
      owners.set(s, id);
    }
  };

  const routeTables: Ec2RouteTable[] = [];
  const rtbOfSubnet = new Map<string, string>();
  for (const t of src.routeTables) {
    needVpc(`route table ${t.id}`, t.vpcId);
    associate('route table', t.id, t.vpcId, t.subnetIds, rtbOfSubnet);
    if (t.main && routeTables.some((o) => o.main && o.vpcId === t.vpcId)) fail(`VPC ${t.vpcId} has two main route tables`);
    const routes = (t.routes ?? []).map((r): Ec2Route => {
      if ((r.destination === undefined) === (r.destinationPrefixListId === undefined))
        fail(`a route of ${t.id} needs exactly one of destination and destinationPrefixListId`);
      const targets = [r.gatewayId, r.natGatewayId, r.transitGatewayId, r.vpcPeeringConnectionId, r.networkInterfaceId].filter((x) => x !== undefined);
      if (targets.length !== 1) fail(`a route of ${t.id} needs exactly one target (gatewayId, natGatewayId, transitGatewayId, vpcPeeringConnectionId, networkInterfaceId)`);
      return {
        ...(r.destination !== undefined && { destinationCidrBlock: r.destination }),
        ...(r.destinationPrefixListId !== undefined && { destinationPrefixListId: r.destinationPrefixListId }),
        ...(r.gatewayId !== undefined && { gatewayId: r.gatewayId }),
        ...(r.natGatewayId !== undefined && { natGatewayId: r.natGatewayId }),
        ...(r.transitGatewayId !== undefined && { transitGatewayId: r.transitGatewayId }),
        ...(r.vpcPeeringConnectionId !== undefined && { vpcPeeringConnectionId: r.vpcPeeringConnectionId }),
        ...(r.networkInterfaceId !== undefined && { networkInterfaceId: r.networkInterfaceId }),
        state: r.state ?? 'active',
        origin: 'CreateRoute',
      };
    });
    routeTables.push({ id: t.id, vpcId: t.vpcId, main: t.main ?? false, subnetIds: [...(t.subnetIds ?? [])], routes: [...localRoutes(t.vpcId), ...routes], tags: tagList(t.tags) });
  }
  for (const v of vpcs) {
    if (!routeTables.some((t) => t.main && t.vpcId === v.id))
      routeTables.push({ id: `rtb-${stableHex(`main-rtb:${v.id}`, 17)}`, vpcId: v.id, main: true, subnetIds: [], routes: localRoutes(v.id), tags: [] });
  }

  const star = (egress: boolean): Ec2NetworkAclEntry => ({ ruleNumber: 32767, egress, protocol: '-1', action: 'deny', cidrBlock: '0.0.0.0/0' });
  const networkAcls: Ec2NetworkAcl[] = [];
  const aclOfSubnet = new Map<string, string>();
  for (const a of src.networkAcls) {
    needVpc(`network ACL ${a.id}`, a.vpcId);
    associate('network ACL', a.id, a.vpcId, a.subnetIds, aclOfSubnet);
    if (a.isDefault && networkAcls.some((o) => o.isDefault && o.vpcId === a.vpcId)) fail(`VPC ${a.vpcId} has two default network ACLs`);
    const entries = (a.entries ?? []).map((e): Ec2NetworkAclEntry => {
      const protocol = PROTOCOL_NUMBERS[e.protocol.toLowerCase()] ?? e.protocol;
      if (!/^-?\d+$/.test(protocol)) fail(`network ACL ${a.id} rule ${e.ruleNumber}: protocol ${e.protocol} is not a number or tcp/udp/icmp/all`);
      const ported = protocol === '6' || protocol === '17';
      if (ported && (e.fromPort === undefined || e.toPort === undefined)) fail(`network ACL ${a.id} rule ${e.ruleNumber}: TCP/UDP entries need fromPort and toPort`);
      return {
        ruleNumber: e.ruleNumber,
        egress: e.egress,
        protocol,
        action: e.action,
        cidrBlock: e.cidrBlock,
        ...(ported && { portRange: { from: e.fromPort!, to: e.toPort! } }),
      };
    });
    for (const e of entries)
      if (entries.some((o) => o !== e && o.egress === e.egress && o.ruleNumber === e.ruleNumber))
        fail(`network ACL ${a.id} has rule ${e.ruleNumber} twice (${e.egress ? 'egress' : 'ingress'})`);
    networkAcls.push({ id: a.id, vpcId: a.vpcId, isDefault: a.isDefault ?? false, subnetIds: [...(a.subnetIds ?? [])], entries: [...entries, star(false), star(true)], tags: tagList(a.tags) });
  }
  for (const v of vpcs) {
    let acl = networkAcls.find((a) => a.isDefault && a.vpcId === v.id);
    if (!acl) {
      const allowAll = (egress: boolean): Ec2NetworkAclEntry => ({ ruleNumber: 100, egress, protocol: '-1', action: 'allow', cidrBlock: '0.0.0.0/0' });
      acl = { id: `acl-${stableHex(`default-acl:${v.id}`, 17)}`, vpcId: v.id, isDefault: true, subnetIds: [], entries: [allowAll(false), allowAll(true), star(false), star(true)], tags: [] };
      networkAcls.push(acl);
    }
    // every subnet is associated with exactly one ACL: the default one unless another is named
    for (const s of subnets) if (s.vpcId === v.id && !aclOfSubnet.has(s.id)) acl.subnetIds.push(s.id);
  }

  const securityGroups: Ec2SecurityGroup[] = src.securityGroups.map((g) => {
    needVpc(`security group ${g.id}`, g.vpcId);
    const rule = (r: (typeof g.ingress & {})[number]): Ec2SgRule => {
      const protocol = PROTOCOL_NAMES[r.protocol.toLowerCase()] ?? r.protocol.toLowerCase();
      const all = protocol === '-1';
      if (!all && (protocol === 'tcp' || protocol === 'udp') && (r.fromPort === undefined || r.toPort === undefined))
        fail(`security group ${g.id}: a ${protocol} rule needs fromPort and toPort`);
      return {
        protocol,
        ...(!all && r.fromPort !== undefined && { fromPort: r.fromPort }),
        ...(!all && r.toPort !== undefined && { toPort: r.toPort }),
        cidrs: [...(r.cidrs ?? [])],
        groupIds: [...(r.groupIds ?? [])],
        prefixListIds: [...(r.prefixListIds ?? [])],
        ...(r.description !== undefined && { description: r.description }),
      };
    };
    return {
      id: g.id,
      name: g.name ?? g.id,
      vpcId: g.vpcId,
      description: g.description ?? `security group ${g.name ?? g.id}`,
      ingress: (g.ingress ?? []).map(rule),
      egress: g.egress ? g.egress.map(rule) : [{ protocol: '-1', cidrs: ['0.0.0.0/0'], groupIds: [], prefixListIds: [] }],
      tags: tagList(g.tags),
    };
  });
  const sgIds = new Set(securityGroups.map((g) => g.id));

  const defaultCreated = new Date(now.getTime() - 86_400_000);
  const vpcEndpoints: Ec2VpcEndpoint[] = src.vpcEndpoints.map((e) => {
    needVpc(`VPC endpoint ${e.id}`, e.vpcId);
    for (const s of e.subnetIds ?? []) needSubnet(`VPC endpoint ${e.id}`, s, e.vpcId);
    for (const g of e.securityGroupIds ?? []) if (!sgIds.has(g)) fail(`VPC endpoint ${e.id} names security group ${g}, which is not in ec2.securityGroups`);
    const type = e.type ?? 'Interface';
    return {
      id: e.id,
      vpcId: e.vpcId,
      serviceName: e.serviceName,
      type,
      state: e.state ?? 'available',
      subnetIds: [...(e.subnetIds ?? [])],
      securityGroupIds: [...(e.securityGroupIds ?? [])],
      routeTableIds: [...(e.routeTableIds ?? [])],
      privateDnsEnabled: e.privateDnsEnabled ?? type === 'Interface',
      policyDocument: JSON.stringify(e.policy ?? FULL_ACCESS_POLICY),
      createdAt: e.createdAt === undefined ? defaultCreated : resolveTime(e.createdAt, now),
      tags: tagList(e.tags),
    };
  });
  return { vpcs, subnets, routeTables, networkAcls, securityGroups, vpcEndpoints };
}
