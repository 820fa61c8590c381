/**
 * EC2's VPC network Describe* actions (issue 14: the network path from a function's subnets
 * to Secrets Manager and the database), served from the world's `ec2` VPC data
 * (world-vpc.ts). Every one takes its ids (`SubnetId.N`, `VpcId.N`, `RouteTableId.N`,
 * `NetworkAclId.N`, `GroupId.N`/`GroupName.N`, `VpcEndpointId.N`), `Filter.N` (the filters
 * listed with each, plus `tag:<key>` and `tag-key`; `*`/`?` wildcards), `MaxResults` and
 * `NextToken`, and answers the EC2 API Reference's element names:
 *
 * | action | list element | MaxResults | unknown id |
 * | --- | --- | --- | --- |
 * | DescribeSubnets | subnetSet | 5–1000 | InvalidSubnetID.NotFound |
 * | DescribeVpcs | vpcSet | 5–1000 | InvalidVpcID.NotFound |
 * | DescribeRouteTables | routeTableSet | 5–100 | InvalidRouteTableID.NotFound |
 * | DescribeNetworkAcls | networkAclSet | 5–100 | InvalidNetworkAclID.NotFound |
 * | DescribeSecurityGroups | securityGroupInfo | 5–1000, not with GroupId | InvalidGroup.NotFound |
 * | DescribeVpcEndpoints | vpcEndpointSet | 1–1000 | InvalidVpcEndpointId.NotFound |
 *
 * Without MaxResults every match is returned in one answer, as AWS does.
 */
import { AwsError } from '../errors.js';
import { xmlList } from '../protocols/query-xml.js';
import type { World } from '../world.js';
import type { Ec2NetworkAcl, Ec2RouteTable, Ec2SecurityGroup, Ec2SgRule, Ec2Subnet, Ec2Vpc, Ec2VpcEndpoint } from '../world-vpc.js';
import { filters, matches, tagFilter, tagSet, type Tags } from './ec2-filters.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext } from './types.js';

type Field<T> = (item: T) => string | readonly (string | undefined)[] | undefined;

interface DescribeSpec<T extends { tags: Tags }> {
  idParam: string;
  idOf: (item: T) => string;
  notFound: (id: string) => AwsError;
  /** filter name → the item's value(s) */
  fields: Record<string, Field<T>>;
  maxResults: [number, number];
  /** AWS refuses MaxResults together with the id list (DescribeSecurityGroups) */
  maxWithIds?: false;
  list: (world: World) => readonly T[];
  setName: string;
  toXml: (world: World, item: T) => unknown;
  /** extra selection (GroupName.N) */
  extra?: (p: ParamReader, world: World, items: readonly T[]) => readonly T[];
}

function describe<T extends { tags: Tags }>(spec: DescribeSpec<T>) {
  return (ctx: OperationContext) => {
    const p = new ParamReader(ctx);
    const { world } = ctx;
    const ids = p.strings(spec.idParam) ?? [];
    const max = p.int('MaxResults');
    const [min, top] = spec.maxResults;
    if (max !== undefined && spec.maxWithIds === false && ids.length > 0)
      throw new AwsError('InvalidParameterCombination', `The parameter ${spec.idParam}s cannot be used with the parameter maxResults`, 400);
    if (max !== undefined && (max < min || max > top))
      throw new AwsError('InvalidParameterValue', `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${top}.`, 400);
    const fs = filters(p, [...Object.keys(spec.fields), 'tag-key']);
    const all = spec.list(world);
    for (const id of ids) if (!all.some((i) => spec.idOf(i) === id)) throw spec.notFound(id);
    let list = ids.length > 0 ? all.filter((i) => ids.includes(spec.idOf(i))) : all;
    if (spec.extra) list = spec.extra(p, world, list);
    for (const f of fs) {
      list = list.filter((item) => {
        const byTag = tagFilter(f, item.tags);
        if (byTag !== undefined) return byTag;
        const value = spec.fields[f.name]!(item);
        const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
        return values.some((v) => matches(v, f.values));
      });
    }
    const { NextToken: _token, MaxResults: _max, ...scope } = ctx.params;
    const page = paginate(list, {
      token: p.str('NextToken'),
      limit: max ?? Number.MAX_SAFE_INTEGER,
      scope,
      invalidToken: () => new AwsError('InvalidParameterValue', 'The parameter NextToken is not valid.', 400),
    });
    return { [spec.setName]: xmlList('item', page.items.map((i) => spec.toXml(world, i))), nextToken: page.next };
  };
}

const str = (b: boolean) => (b ? 'true' : 'false');

const describeSubnets = describe<Ec2Subnet>({
  idParam: 'SubnetId',
  idOf: (s) => s.id,
  notFound: (id) => new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`, 400),
  fields: {
    'subnet-id': (s) => s.id,
    'vpc-id': (s) => s.vpcId,
    'cidr-block': (s) => s.cidrBlock,
    cidr: (s) => s.cidrBlock,
    cidrBlock: (s) => s.cidrBlock,
    'availability-zone': (s) => s.availabilityZone,
    state: () => 'available',
  },
  maxResults: [5, 1000],
  list: (w) => w.ec2.subnets,
  setName: 'subnetSet',
  toXml: (w, s) => ({
    subnetId: s.id,
    subnetArn: `arn:aws:ec2:${w.region}:${w.accountId}:subnet/${s.id}`,
    state: 'available',
    vpcId: s.vpcId,
    cidrBlock: s.cidrBlock,
    availableIpAddressCount: 250,
    availabilityZone: s.availabilityZone,
    availabilityZoneId: `${w.region.replace(/-/g, '').slice(0, 4)}-az${s.availabilityZone.slice(-1).charCodeAt(0) - 96}`,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    ownerId: w.accountId,
    tagSet: tagSet(s.tags),
  }),
});

const describeVpcs = describe<Ec2Vpc>({
  idParam: 'VpcId',
  idOf: (v) => v.id,
  notFound: (id) => new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`, 400),
  fields: {
    'vpc-id': (v) => v.id,
    cidr: (v) => v.cidrBlocks[0],
    'cidr-block-association.cidr-block': (v) => v.cidrBlocks,
    'is-default': (v) => str(v.isDefault),
    state: () => 'available',
  },
  maxResults: [5, 1000],
  list: (w) => w.ec2.vpcs,
  setName: 'vpcSet',
  toXml: (w, v) => ({
    vpcId: v.id,
    ownerId: w.accountId,
    state: 'available',
    cidrBlock: v.cidrBlocks[0],
    cidrBlockAssociationSet: xmlList(
      'item',
      v.cidrBlocks.map((c, i) => ({ associationId: `vpc-cidr-assoc-${v.id.slice(4, 12)}${String(i).padStart(9, '0')}`, cidrBlock: c, cidrBlockState: { state: 'associated' } })),
    ),
    dhcpOptionsId: 'dopt-0123456789abcdef0',
    instanceTenancy: 'default',
    isDefault: v.isDefault,
    tagSet: tagSet(v.tags),
  }),
});

const describeRouteTables = describe<Ec2RouteTable>({
  idParam: 'RouteTableId',
  idOf: (t) => t.id,
  notFound: (id) => new AwsError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`, 400),
  fields: {
    'route-table-id': (t) => t.id,
    'vpc-id': (t) => t.vpcId,
    'association.subnet-id': (t) => t.subnetIds,
    'association.main': (t) => str(t.main),
    'association.route-table-id': (t) => t.id,
    'route.destination-cidr-block': (t) => t.routes.map((r) => r.destinationCidrBlock),
    'route.destination-prefix-list-id': (t) => t.routes.map((r) => r.destinationPrefixListId),
    'route.gateway-id': (t) => t.routes.map((r) => r.gatewayId),
    'route.nat-gateway-id': (t) => t.routes.map((r) => r.natGatewayId),
    'route.transit-gateway-id': (t) => t.routes.map((r) => r.transitGatewayId),
    'route.vpc-peering-connection-id': (t) => t.routes.map((r) => r.vpcPeeringConnectionId),
    'route.state': (t) => t.routes.map((r) => r.state),
  },
  maxResults: [5, 100],
  list: (w) => w.ec2.routeTables,
  setName: 'routeTableSet',
  toXml: (w, t) => {
    const assoc = (id: string, subnetId?: string) => ({
      main: subnetId === undefined,
      routeTableAssociationId: `rtbassoc-${id}`,
      routeTableId: t.id,
      subnetId,
      associationState: { state: 'associated' },
    });
    return {
      routeTableId: t.id,
      vpcId: t.vpcId,
      ownerId: w.accountId,
      associationSet: xmlList('item', [
        ...(t.main ? [assoc(t.id.slice(4))] : []),
        ...t.subnetIds.map((s) => assoc(`${s.slice(7, 15)}${t.id.slice(4, 13)}`, s)),
      ]),
      routeSet: xmlList('item', t.routes),
      propagatingVgwSet: xmlList('item', []),
      tagSet: tagSet(t.tags),
    };
  },
});

const describeNetworkAcls = describe<Ec2NetworkAcl>({
  idParam: 'NetworkAclId',
  idOf: (a) => a.id,
  notFound: (id) => new AwsError('InvalidNetworkAclID.NotFound', `The networkAcl ID '${id}' does not exist`, 400),
  fields: {
    'network-acl-id': (a) => a.id,
    'vpc-id': (a) => a.vpcId,
    default: (a) => str(a.isDefault),
    'association.subnet-id': (a) => a.subnetIds,
    'association.network-acl-id': (a) => a.id,
    'entry.rule-number': (a) => a.entries.map((e) => String(e.ruleNumber)),
    'entry.protocol': (a) => a.entries.map((e) => e.protocol),
    'entry.rule-action': (a) => a.entries.map((e) => e.action),
    'entry.egress': (a) => a.entries.map((e) => str(e.egress)),
    'entry.cidr': (a) => a.entries.map((e) => e.cidrBlock),
  },
  maxResults: [5, 100],
  list: (w) => w.ec2.networkAcls,
  setName: 'networkAclSet',
  toXml: (w, a) => ({
    networkAclId: a.id,
    vpcId: a.vpcId,
    default: a.isDefault,
    ownerId: w.accountId,
    // AWS lists egress entries first, each direction by rule number
    entrySet: xmlList(
      'item',
      [...a.entries]
        .sort((x, y) => Number(y.egress) - Number(x.egress) || x.ruleNumber - y.ruleNumber)
        .map((e) => ({ ruleNumber: e.ruleNumber, protocol: e.protocol, ruleAction: e.action, egress: e.egress, cidrBlock: e.cidrBlock, portRange: e.portRange })),
    ),
    associationSet: xmlList(
      'item',
      a.subnetIds.map((s) => ({ networkAclAssociationId: `aclassoc-${s.slice(7, 15)}${a.id.slice(4, 13)}`, networkAclId: a.id, subnetId: s })),
    ),
    tagSet: tagSet(a.tags),
  }),
});

function permissionXml(world: World, r: Ec2SgRule) {
  return {
    ipProtocol: r.protocol,
    fromPort: r.fromPort,
    toPort: r.toPort,
    groups: xmlList(
      'item',
      r.groupIds.map((groupId) => ({ userId: world.accountId, groupId, ...(r.description !== undefined && { description: r.description }) })),
    ),
    ipRanges: xmlList('item', r.cidrs.map((cidrIp) => ({ cidrIp, description: r.description }))),
    ipv6Ranges: xmlList('item', []),
    prefixListIds: xmlList('item', r.prefixListIds.map((prefixListId) => ({ prefixListId }))),
  };
}

const ruleFields = (pick: (g: Ec2SecurityGroup) => Ec2SgRule[]) => ({
  cidr: (g: Ec2SecurityGroup) => pick(g).flatMap((r) => r.cidrs),
  'group-id': (g: Ec2SecurityGroup) => pick(g).flatMap((r) => r.groupIds),
  protocol: (g: Ec2SecurityGroup) => pick(g).map((r) => r.protocol),
  'from-port': (g: Ec2SecurityGroup) => pick(g).map((r) => (r.fromPort === undefined ? undefined : String(r.fromPort))),
  'to-port': (g: Ec2SecurityGroup) => pick(g).map((r) => (r.toPort === undefined ? undefined : String(r.toPort))),
});
const prefixed = <T>(prefix: string, fields: Record<string, T>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${prefix}${k}`, v]));

const describeSecurityGroups = describe<Ec2SecurityGroup>({
  idParam: 'GroupId',
  idOf: (g) => g.id,
  notFound: (id) => new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`, 400),
  fields: {
    'group-id': (g) => g.id,
    'group-name': (g) => g.name,
    'vpc-id': (g) => g.vpcId,
    description: (g) => g.description,
    ...prefixed('ip-permission.', ruleFields((g) => g.ingress)),
    ...prefixed('egress.ip-permission.', ruleFields((g) => g.egress)),
  },
  maxResults: [5, 1000],
  maxWithIds: false,
  list: (w) => w.ec2.securityGroups,
  setName: 'securityGroupInfo',
  extra: (p, _world, items) => {
    const names = p.strings('GroupName') ?? [];
    for (const n of names)
      if (!items.some((g) => g.name === n)) throw new AwsError('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC`, 400);
    return names.length > 0 ? items.filter((g) => names.includes(g.name)) : items;
  },
  toXml: (w, g) => ({
    ownerId: w.accountId,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: `arn:aws:ec2:${w.region}:${w.accountId}:security-group/${g.id}`,
    ipPermissions: xmlList('item', g.ingress.map((r) => permissionXml(w, r))),
    ipPermissionsEgress: xmlList('item', g.egress.map((r) => permissionXml(w, r))),
    tagSet: tagSet(g.tags),
  }),
});

const describeVpcEndpoints = describe<Ec2VpcEndpoint>({
  idParam: 'VpcEndpointId',
  idOf: (e) => e.id,
  notFound: (id) => new AwsError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${id}' does not exist`, 400),
  fields: {
    'vpc-endpoint-id': (e) => e.id,
    'vpc-id': (e) => e.vpcId,
    'service-name': (e) => e.serviceName,
    'vpc-endpoint-type': (e) => e.type,
    'vpc-endpoint-state': (e) => e.state,
  },
  maxResults: [1, 1000],
  list: (w) => w.ec2.vpcEndpoints,
  setName: 'vpcEndpointSet',
  toXml: (w, e) => {
    const service = e.serviceName.split('.').at(-1) ?? e.serviceName;
    const dnsEntries =
      e.type === 'Interface'
        ? [
            { dnsName: `${e.id}-${e.id.slice(5, 13)}.${service}.${w.region}.vpce.amazonaws.com`, hostedZoneId: 'Z2E726K9Y6RL4W' },
            ...(e.privateDnsEnabled ? [{ dnsName: `${service}.${w.region}.amazonaws.com`, hostedZoneId: `Z${e.id.slice(5, 18).toUpperCase()}` }] : []),
          ]
        : [];
    return {
      vpcEndpointId: e.id,
      vpcEndpointType: e.type,
      vpcId: e.vpcId,
      serviceName: e.serviceName,
      state: e.state,
      policyDocument: e.policyDocument,
      routeTableIdSet: xmlList('item', e.routeTableIds),
      subnetIdSet: xmlList('item', e.subnetIds),
      groupSet: xmlList(
        'item',
        e.securityGroupIds.map((groupId) => ({ groupId, groupName: w.ec2.securityGroups.find((g) => g.id === groupId)?.name })),
      ),
      ipAddressType: 'ipv4',
      privateDnsEnabled: e.privateDnsEnabled,
      requesterManaged: false,
      networkInterfaceIdSet: xmlList(
        'item',
        e.subnetIds.map((s) => `eni-${s.slice(7, 15)}${e.id.slice(5, 14)}`),
      ),
      dnsEntrySet: xmlList('item', dnsEntries),
      creationTimestamp: e.createdAt,
      tagSet: tagSet(e.tags),
      ownerId: w.accountId,
    };
  },
});

export const vpcOperations = {
  DescribeSubnets: describeSubnets,
  DescribeVpcs: describeVpcs,
  DescribeRouteTables: describeRouteTables,
  DescribeNetworkAcls: describeNetworkAcls,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeVpcEndpoints: describeVpcEndpoints,
};
