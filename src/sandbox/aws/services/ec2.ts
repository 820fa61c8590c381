/**
 * Amazon EC2 (`ec2` query protocol, API version 2016-11-15): DescribeAddresses,
 * ReleaseAddress, DescribeNatGateways. Element names follow the EC2 API Reference's
 * `locationName`s (lower camel case, lists of `<item>`).
 *
 * - DescribeAddresses: `AllocationId.N`, `PublicIp.N`, `Filter.N` (allocation-id,
 *   association-id, domain, public-ip, network-interface-id, tag:<key>, tag-key); not
 *   paginated (as in AWS). An unknown allocation id → `InvalidAllocationID.NotFound`.
 * - ReleaseAddress: `AllocationId` (or `PublicIp`, EC2-Classic, refused here as in a VPC
 *   account); an associated address → `InvalidIPAddress.InUse`; an unknown one →
 *   `InvalidAllocationID.NotFound`. Removes the address from the world.
 * - DescribeNatGateways: `NatGatewayId.N`, `Filter.N` (nat-gateway-id, state, subnet-id,
 *   vpc-id, tag:<key>, tag-key), `MaxResults` (5–1000), `NextToken`. Deleted gateways are
 *   listed (AWS shows them for about an hour). An unknown id → `NatGatewayNotFound`.
 * - DescribeSubnets, DescribeVpcs, DescribeRouteTables, DescribeNetworkAcls,
 *   DescribeSecurityGroups, DescribeVpcEndpoints: the VPC network path, in ec2-vpc.ts.
 * - AuthorizeSecurityGroupIngress: a rule added to a VPC security group, in ec2-sg-write.ts.
 */
import { AwsError } from '../errors.js';
import type { Ec2Address, Ec2NatGateway } from '../world-ec2.js';
import { Ec2QueryProtocol } from '../protocols/ec2-query.js';
import { xmlList } from '../protocols/query-xml.js';
import { filters, matches, tagFilter, tagSet } from './ec2-filters.js';
import { authorizeSecurityGroupIngress } from './ec2-sg-write.js';
import { vpcOperations } from './ec2-vpc.js';
import type { World } from '../world.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const protocol = new Ec2QueryProtocol({ xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/' });

function addressXml(world: World, a: Ec2Address) {
  return {
    allocationId: a.allocationId,
    associationId: a.associationId,
    domain: 'vpc',
    networkInterfaceId: a.networkInterfaceId,
    networkInterfaceOwnerId: a.associationId ? world.accountId : undefined,
    privateIpAddress: a.associationId ? '10.0.0.' + String((parseInt(a.allocationId.slice(-2), 16) % 200) + 10) : undefined,
    tagSet: tagSet(a.tags),
    publicIpv4Pool: 'amazon',
    networkBorderGroup: world.region,
    publicIp: a.publicIp,
  };
}

function describeAddresses(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const ids = p.strings('AllocationId') ?? [];
  const ips = p.strings('PublicIp') ?? [];
  const fs = filters(p, ['allocation-id', 'association-id', 'domain', 'instance-id', 'network-border-group', 'network-interface-id', 'network-interface-owner-id', 'private-ip-address', 'public-ip', 'tag-key']);
  for (const id of ids) {
    if (!world.ec2.addresses.some((a) => a.allocationId === id))
      throw new AwsError('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`, 400);
  }
  for (const ip of ips) {
    if (!world.ec2.addresses.some((a) => a.publicIp === ip))
      throw new AwsError('InvalidAddress.NotFound', `Address '${ip}' not found.`, 400);
  }
  let list = world.ec2.addresses;
  if (ids.length > 0) list = list.filter((a) => ids.includes(a.allocationId));
  if (ips.length > 0) list = list.filter((a) => ips.includes(a.publicIp));
  for (const f of fs) {
    list = list.filter((a) => {
      const byTag = tagFilter(f, a.tags);
      if (byTag !== undefined) return byTag;
      if (f.name === 'allocation-id') return matches(a.allocationId, f.values);
      if (f.name === 'association-id') return matches(a.associationId, f.values);
      if (f.name === 'domain') return matches('vpc', f.values);
      if (f.name === 'public-ip') return matches(a.publicIp, f.values);
      if (f.name === 'network-interface-id') return matches(a.networkInterfaceId, f.values);
      if (f.name === 'network-border-group') return matches(world.region, f.values);
      return false;
    });
  }
  return { addressesSet: xmlList('item', list.map((a) => addressXml(world, a))) };
}

function releaseAddress(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const id = p.str('AllocationId');
  const ip = p.str('PublicIp');
  if (id === undefined) {
    if (ip !== undefined)
      throw new AwsError('InvalidParameterValue', 'You must specify an allocation id when releasing a VPC elastic IP address', 400);
    throw new AwsError('MissingParameter', 'Either public IP or allocation id must be specified', 400);
  }
  const index = world.ec2.addresses.findIndex((a) => a.allocationId === id);
  const address = world.ec2.addresses[index];
  if (!address) throw new AwsError('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`, 400);
  if (address.associationId !== undefined) throw new AwsError('InvalidIPAddress.InUse', 'Address is in use', 400);
  if (p.bool('DryRun'))
    throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
  world.ec2.addresses.splice(index, 1);
  return { return: true };
}

function natGatewayXml(world: World, n: Ec2NatGateway) {
  const addresses = n.allocationIds.map((allocationId, index) => {
    const a = world.ec2.addresses.find((x) => x.allocationId === allocationId);
    return {
      allocationId,
      networkInterfaceId: a?.networkInterfaceId,
      privateIp: `10.0.${index}.${(parseInt(n.id.slice(-2), 16) % 200) + 10}`,
      publicIp: a?.publicIp,
      associationId: a?.associationId,
      isPrimary: index === 0,
      status: n.state === 'available' ? 'succeeded' : n.state === 'failed' ? 'failed' : 'associating',
    };
  });
  return {
    createTime: n.createdAt,
    deleteTime: n.state === 'deleted' || n.state === 'deleting' ? n.createdAt : undefined,
    failureCode: n.state === 'failed' ? 'InternalError' : undefined,
    failureMessage: n.state === 'failed' ? n.failureMessage : undefined,
    natGatewayAddressSet: xmlList('item', addresses),
    natGatewayId: n.id,
    state: n.state,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    tagSet: tagSet(n.tags),
    connectivityType: 'public',
  };
}

function describeNatGateways(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const ids = p.strings('NatGatewayId') ?? [];
  const max = p.int('MaxResults');
  if (max !== undefined && (max < 5 || max > 1000))
    throw new AwsError('InvalidParameterValue', `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`, 400);
  const fs = filters(p, ['nat-gateway-id', 'state', 'subnet-id', 'vpc-id', 'tag-key']);
  for (const id of ids) {
    if (!world.ec2.natGateways.some((n) => n.id === id)) throw new AwsError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`, 400);
  }
  let list = world.ec2.natGateways;
  if (ids.length > 0) list = list.filter((n) => ids.includes(n.id));
  for (const f of fs) {
    list = list.filter((n) => {
      const byTag = tagFilter(f, n.tags);
      if (byTag !== undefined) return byTag;
      if (f.name === 'nat-gateway-id') return matches(n.id, f.values);
      if (f.name === 'state') return matches(n.state, f.values);
      if (f.name === 'subnet-id') return matches(n.subnetId, f.values);
      if (f.name === 'vpc-id') return matches(n.vpcId, f.values);
      return false;
    });
  }
  const { NextToken: _token, MaxResults: _max, ...scope } = ctx.params;
  const page = paginate(list, {
    token: p.str('NextToken'),
    limit: max ?? 1000,
    scope,
    invalidToken: () => new AwsError('InvalidParameterValue', 'The parameter NextToken is not valid.', 400),
  });
  return { natGatewaySet: xmlList('item', page.items.map((n) => natGatewayXml(world, n))), nextToken: page.next };
}

function iamResource(operation: string, params: Params, world: World): string {
  if (operation === 'ReleaseAddress' && typeof params.AllocationId === 'string')
    return `arn:aws:ec2:${world.region}:${world.accountId}:elastic-ip/${params.AllocationId}`;
  if (operation === 'AuthorizeSecurityGroupIngress' && typeof params.GroupId === 'string')
    return `arn:aws:ec2:${world.region}:${world.accountId}:security-group/${params.GroupId}`;
  return '*';
}

export const ec2: ServiceModule = {
  signingName: 'ec2',
  protocol,
  operations: {
    DescribeAddresses: describeAddresses,
    ReleaseAddress: releaseAddress,
    DescribeNatGateways: describeNatGateways,
    AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
    ...vpcOperations,
  },
  iamResource,
};
