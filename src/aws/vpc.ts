// EC2 VPC network reads (issue 14: the path from a rotation function's subnets to Secrets
// Manager and the database): subnets, VPCs, route tables, network ACLs, security groups and
// VPC endpoints, as whybot's own types. Read-only; every call is paginated where EC2 pages.
// The questions asked of these answers (does the ACL let HTTPS out and back, does a group
// admit a port, is there a way out, which endpoint serves a service) are in network-path.ts.
import {
  EC2Client,
  paginateDescribeNetworkAcls,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
  type Filter,
  type IpPermission,
  type NetworkAcl,
  type Route,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Tag,
  type Vpc,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

const ec2Client = (aws: AwsClients) => withAbort(aws.client('ec2', (config) => new EC2Client(config)));

export const VPC_IAM = {
  describeSubnets: iam('ec2:DescribeSubnets'),
  describeVpcs: iam('ec2:DescribeVpcs'),
  describeRouteTables: iam('ec2:DescribeRouteTables'),
  describeNetworkAcls: iam('ec2:DescribeNetworkAcls'),
  describeSecurityGroups: iam('ec2:DescribeSecurityGroups'),
  describeVpcEndpoints: iam('ec2:DescribeVpcEndpoints'),
} as const;

export interface SubnetInfo {
  id: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone?: string;
  tags: Record<string, string>;
}

export interface VpcInfo {
  id: string;
  /** the primary CIDR first, then the associated secondary ones */
  cidrBlocks: string[];
  isDefault: boolean;
  tags: Record<string, string>;
}

export type RouteTargetKind =
  | 'local'
  | 'nat-gateway'
  | 'internet-gateway'
  | 'vpc-endpoint'
  | 'virtual-private-gateway'
  | 'transit-gateway'
  | 'peering'
  | 'network-interface'
  | 'other';

export interface RouteInfo {
  /** an IPv4 CIDR, an IPv6 CIDR or a prefix list id (pl-…, gateway endpoints) */
  destination: string;
  target: { kind: RouteTargetKind; id: string };
  /** active, or blackhole when the target is gone */
  state: string;
}

export interface RouteTableInfo {
  id: string;
  vpcId: string;
  /** the VPC's main route table: used by every subnet without an explicit association */
  main: boolean;
  /** subnets explicitly associated */
  subnetIds: string[];
  routes: RouteInfo[];
  tags: Record<string, string>;
}

export interface NaclEntryInfo {
  ruleNumber: number;
  egress: boolean;
  /** "-1" (all), "6" (TCP), "17" (UDP), "1" (ICMP), … */
  protocol: string;
  action: 'allow' | 'deny';
  cidrBlock?: string;
  ipv6CidrBlock?: string;
  /** TCP/UDP only */
  portRange?: { from: number; to: number };
}

export interface NetworkAclInfo {
  id: string;
  vpcId: string;
  isDefault: boolean;
  /** the subnets associated with it (every subnet has exactly one ACL) */
  subnetIds: string[];
  entries: NaclEntryInfo[];
  tags: Record<string, string>;
}

export interface SgRuleInfo {
  /** "-1" (all), "tcp", "udp", "icmp" or a protocol number */
  protocol: string;
  /** absent for all protocols; -1 for all ICMP types */
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  ipv6Cidrs: string[];
  /** referenced security groups */
  groupIds: string[];
  prefixListIds: string[];
}

export interface SecurityGroupInfo {
  id: string;
  name: string;
  vpcId?: string;
  ingress: SgRuleInfo[];
  egress: SgRuleInfo[];
  tags: Record<string, string>;
}

export interface VpcEndpointInfo {
  id: string;
  /** com.amazonaws.<region>.<service> */
  serviceName: string;
  type: 'Interface' | 'Gateway' | 'GatewayLoadBalancer' | string;
  vpcId: string;
  /** available, pending, failed, … (lower case as EC2 answers) */
  state: string;
  subnetIds: string[];
  securityGroupIds: string[];
  routeTableIds: string[];
  privateDnsEnabled: boolean;
  /** the endpoint policy, as the JSON text EC2 returns */
  policyDocument?: string;
  dnsNames: string[];
  tags: Record<string, string>;
}

const tagsOf = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));

const filter = (name: string, values: readonly string[] | undefined): Filter[] => (values && values.length > 0 ? [{ Name: name, Values: [...values] }] : []);
const abortOf = (signal?: AbortSignal) => (signal ? [{ abortSignal: signal }] : []);

const fromSubnet = (s: Subnet): SubnetInfo => ({
  id: s.SubnetId ?? '?',
  vpcId: s.VpcId ?? '?',
  cidrBlock: s.CidrBlock ?? '?',
  ...(s.AvailabilityZone ? { availabilityZone: s.AvailabilityZone } : {}),
  tags: tagsOf(s.Tags),
});

const fromVpc = (v: Vpc): VpcInfo => {
  const associated = (v.CidrBlockAssociationSet ?? [])
    .filter((a) => a.CidrBlockState?.State === undefined || a.CidrBlockState.State === 'associated')
    .flatMap((a) => (a.CidrBlock ? [a.CidrBlock] : []));
  const primary = v.CidrBlock ? [v.CidrBlock] : [];
  return { id: v.VpcId ?? '?', cidrBlocks: [...primary, ...associated.filter((c) => !primary.includes(c))], isDefault: v.IsDefault ?? false, tags: tagsOf(v.Tags) };
};

function targetOf(r: Route): RouteInfo['target'] {
  if (r.NatGatewayId) return { kind: 'nat-gateway', id: r.NatGatewayId };
  if (r.TransitGatewayId) return { kind: 'transit-gateway', id: r.TransitGatewayId };
  if (r.VpcPeeringConnectionId) return { kind: 'peering', id: r.VpcPeeringConnectionId };
  if (r.NetworkInterfaceId) return { kind: 'network-interface', id: r.NetworkInterfaceId };
  const g = r.GatewayId ?? r.EgressOnlyInternetGatewayId;
  if (g === 'local') return { kind: 'local', id: 'local' };
  if (g?.startsWith('igw-')) return { kind: 'internet-gateway', id: g };
  if (g?.startsWith('vpce-')) return { kind: 'vpc-endpoint', id: g };
  if (g?.startsWith('vgw-')) return { kind: 'virtual-private-gateway', id: g };
  return { kind: 'other', id: g ?? r.InstanceId ?? r.CarrierGatewayId ?? r.LocalGatewayId ?? '?' };
}

const fromRouteTable = (t: RouteTable): RouteTableInfo => ({
  id: t.RouteTableId ?? '?',
  vpcId: t.VpcId ?? '?',
  main: (t.Associations ?? []).some((a) => a.Main === true),
  subnetIds: (t.Associations ?? []).flatMap((a) => (a.SubnetId && a.AssociationState?.State !== 'disassociated' ? [a.SubnetId] : [])),
  routes: (t.Routes ?? []).map((r) => ({
    destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '?',
    target: targetOf(r),
    state: r.State ?? 'active',
  })),
  tags: tagsOf(t.Tags),
});

const fromNetworkAcl = (a: NetworkAcl): NetworkAclInfo => ({
  id: a.NetworkAclId ?? '?',
  vpcId: a.VpcId ?? '?',
  isDefault: a.IsDefault ?? false,
  subnetIds: (a.Associations ?? []).flatMap((x) => (x.SubnetId ? [x.SubnetId] : [])),
  entries: (a.Entries ?? []).map((e) => ({
    ruleNumber: e.RuleNumber ?? 32767,
    egress: e.Egress ?? false,
    protocol: e.Protocol ?? '-1',
    action: e.RuleAction === 'allow' ? 'allow' : 'deny',
    ...(e.CidrBlock ? { cidrBlock: e.CidrBlock } : {}),
    ...(e.Ipv6CidrBlock ? { ipv6CidrBlock: e.Ipv6CidrBlock } : {}),
    ...(e.PortRange?.From !== undefined && e.PortRange.To !== undefined ? { portRange: { from: e.PortRange.From, to: e.PortRange.To } } : {}),
  })),
  tags: tagsOf(a.Tags),
});

const fromPermission = (p: IpPermission): SgRuleInfo => ({
  protocol: p.IpProtocol ?? '-1',
  ...(p.FromPort !== undefined ? { fromPort: p.FromPort } : {}),
  ...(p.ToPort !== undefined ? { toPort: p.ToPort } : {}),
  cidrs: (p.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])),
  ipv6Cidrs: (p.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : [])),
  groupIds: (p.UserIdGroupPairs ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
  prefixListIds: (p.PrefixListIds ?? []).flatMap((l) => (l.PrefixListId ? [l.PrefixListId] : [])),
});

const fromSecurityGroup = (g: SecurityGroup): SecurityGroupInfo => ({
  id: g.GroupId ?? '?',
  name: g.GroupName ?? g.GroupId ?? '?',
  ...(g.VpcId ? { vpcId: g.VpcId } : {}),
  ingress: (g.IpPermissions ?? []).map(fromPermission),
  egress: (g.IpPermissionsEgress ?? []).map(fromPermission),
  tags: tagsOf(g.Tags),
});

const fromEndpoint = (e: VpcEndpoint): VpcEndpointInfo => ({
  id: e.VpcEndpointId ?? '?',
  serviceName: e.ServiceName ?? '?',
  type: e.VpcEndpointType ?? 'Interface',
  vpcId: e.VpcId ?? '?',
  state: (e.State ?? 'unknown').toLowerCase(),
  subnetIds: [...(e.SubnetIds ?? [])],
  securityGroupIds: (e.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
  routeTableIds: [...(e.RouteTableIds ?? [])],
  privateDnsEnabled: e.PrivateDnsEnabled ?? false,
  ...(e.PolicyDocument ? { policyDocument: e.PolicyDocument } : {}),
  dnsNames: (e.DnsEntries ?? []).flatMap((d) => (d.DnsName ? [d.DnsName] : [])),
  tags: tagsOf(e.Tags),
});

/** Every item of every page, mapped to our type. */
async function collectPages<P, T, R>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined, map: (item: T) => R): Promise<R[]> {
  const out: R[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []).map(map));
  return out;
}

/** Subnets by id, through the `subnet-id` filter: an unknown (deleted) subnet is absent, not an error. */
export async function describeSubnets(aws: AwsClients, subnetIds: readonly string[], signal?: AbortSignal): Promise<SubnetInfo[]> {
  if (subnetIds.length === 0) return [];
  // a paginator sends nothing until it is read, inside awsCall
  const pages = paginateDescribeSubnets({ client: ec2Client(aws), pageSize: 1000 }, { Filters: filter('subnet-id', subnetIds) }, ...abortOf(signal));
  return awsCall(VPC_IAM.describeSubnets, () => collectPages(pages, (page) => page.Subnets, fromSubnet));
}

/** VPCs by id (`vpc-id` filter: an unknown one is absent), with every associated IPv4 CIDR block. */
export async function describeVpcs(aws: AwsClients, vpcIds: readonly string[], signal?: AbortSignal): Promise<VpcInfo[]> {
  if (vpcIds.length === 0) return [];
  const pages = paginateDescribeVpcs({ client: ec2Client(aws), pageSize: 1000 }, { Filters: filter('vpc-id', vpcIds) }, ...abortOf(signal));
  return awsCall(VPC_IAM.describeVpcs, () => collectPages(pages, (page) => page.Vpcs, fromVpc));
}

/**
 * The route tables of a VPC (all of them, so the main table is there for subnets without
 * an explicit association; `routeTableForSubnet` in network-path.ts picks one).
 */
export async function describeRouteTables(aws: AwsClients, vpcId: string, signal?: AbortSignal): Promise<RouteTableInfo[]> {
  const pages = paginateDescribeRouteTables({ client: ec2Client(aws), pageSize: 100 }, { Filters: filter('vpc-id', [vpcId]) }, ...abortOf(signal));
  return awsCall(VPC_IAM.describeRouteTables, () => collectPages(pages, (page) => page.RouteTables, fromRouteTable));
}

/** The network ACLs associated with these subnets (each subnet has exactly one). */
export async function describeNetworkAcls(aws: AwsClients, subnetIds: readonly string[], signal?: AbortSignal): Promise<NetworkAclInfo[]> {
  if (subnetIds.length === 0) return [];
  const pages = paginateDescribeNetworkAcls({ client: ec2Client(aws), pageSize: 100 }, { Filters: filter('association.subnet-id', subnetIds) }, ...abortOf(signal));
  return awsCall(VPC_IAM.describeNetworkAcls, () => collectPages(pages, (page) => page.NetworkAcls, fromNetworkAcl));
}

/**
 * Security groups by id. By `group-id` filter rather than `GroupIds`, so that paging is
 * allowed (EC2 refuses MaxResults with GroupIds) and a deleted group is just absent.
 */
export async function describeSecurityGroups(aws: AwsClients, groupIds: readonly string[], signal?: AbortSignal): Promise<SecurityGroupInfo[]> {
  if (groupIds.length === 0) return [];
  const pages = paginateDescribeSecurityGroups({ client: ec2Client(aws), pageSize: 1000 }, { Filters: filter('group-id', groupIds) }, ...abortOf(signal));
  return awsCall(VPC_IAM.describeSecurityGroups, () => collectPages(pages, (page) => page.SecurityGroups, fromSecurityGroup));
}

/** The VPC endpoints of a VPC, optionally only those for these service names. */
export async function describeVpcEndpoints(
  aws: AwsClients,
  query: { vpcId: string; serviceNames?: readonly string[] },
  signal?: AbortSignal,
): Promise<VpcEndpointInfo[]> {
  return awsCall(VPC_IAM.describeVpcEndpoints, async () => {
    const out: VpcEndpointInfo[] = [];
    const filters = [...filter('vpc-id', [query.vpcId]), ...filter('service-name', query.serviceNames)];
    const pages = paginateDescribeVpcEndpoints({ client: ec2Client(aws), pageSize: 1000 }, { Filters: filters }, ...abortOf(signal));
    for await (const page of pages) out.push(...(page.VpcEndpoints ?? []).map(fromEndpoint));
    return out;
  });
}
