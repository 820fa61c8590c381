// Scenario parts for the VPC network path (issue 14: can a function in these subnets reach
// Secrets Manager and the database?): VPCs, subnets, route tables, network ACLs, security
// groups and VPC endpoints, served by the double's EC2 Describe* actions. All optional;
// defaults (the local route, the default NACL, the main route table, the `*` deny entries)
// are applied by the double's world builder (aws/world-vpc.ts), as AWS adds them.
import * as z from 'zod';

const relativeTime = /^now(?:([+-])((?:\d+[dhms])+))?$/;
const time = z.string().refine((v) => relativeTime.test(v) || !Number.isNaN(new Date(v).getTime()), {
  message: 'an ISO time or now[+-]NdNhNmNs',
});
const tags = z.record(z.string(), z.string());
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { message: 'an IPv4 CIDR block (10.0.0.0/16)' });
const id = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { message: `an id: ${prefix}-<8 to 17 hex>` });
const port = z.number().int().min(-1).max(65535);

export const VpcSchema = z.object({
  id: id('vpc'),
  /** the primary CIDR block */
  cidrBlock: cidr,
  /** secondary CIDR blocks (default none) */
  extraCidrBlocks: z.array(cidr).optional(),
  isDefault: z.boolean().optional(),
  tags: tags.optional(),
});

export const SubnetSchema = z.object({
  id: id('subnet'),
  vpcId: z.string(),
  cidrBlock: cidr,
  /** default <region>a */
  availabilityZone: z.string().optional(),
  tags: tags.optional(),
});

export const RouteSchema = z.object({
  /** an IPv4 CIDR, or set destinationPrefixListId (gateway endpoints: pl-…) */
  destination: cidr.optional(),
  destinationPrefixListId: z.string().optional(),
  /** igw-…, vgw-…, vpce-… (gateway endpoints) or "local" */
  gatewayId: z.string().optional(),
  natGatewayId: z.string().optional(),
  transitGatewayId: z.string().optional(),
  vpcPeeringConnectionId: z.string().optional(),
  networkInterfaceId: z.string().optional(),
  /** blackhole: the target is gone (default active) */
  state: z.enum(['active', 'blackhole']).optional(),
});

export const RouteTableSchema = z.object({
  id: id('rtb'),
  vpcId: z.string(),
  /** the VPC's main route table (default false; the builder adds one with the local route only if none is) */
  main: z.boolean().optional(),
  /** subnets explicitly associated with it (default none) */
  subnetIds: z.array(z.string()).optional(),
  /** besides the local route for each VPC CIDR, which is always added */
  routes: z.array(RouteSchema).optional(),
  tags: tags.optional(),
});

export const NetworkAclEntrySchema = z.object({
  /** 1–32766 (32767 is the `*` entry the builder adds) */
  ruleNumber: z.number().int().min(1).max(32766),
  egress: z.boolean(),
  /** "-1" (all), "6" (TCP), "17" (UDP), "1" (ICMP), or tcp / udp / icmp / all */
  protocol: z.string(),
  action: z.enum(['allow', 'deny']),
  cidrBlock: cidr,
  /** for TCP/UDP: the port range (required by AWS for those protocols) */
  fromPort: port.optional(),
  toPort: port.optional(),
});

export const NetworkAclSchema = z.object({
  id: id('acl'),
  vpcId: z.string(),
  /** the VPC's default ACL: subnets with no explicit association use it (the builder adds an allow-all one if none is declared) */
  isDefault: z.boolean().optional(),
  subnetIds: z.array(z.string()).optional(),
  /** without the `*` deny entries, which are added to both directions */
  entries: z.array(NetworkAclEntrySchema).optional(),
  tags: tags.optional(),
});

export const SecurityGroupRuleSchema = z.object({
  /** "-1" (all), "tcp", "udp", "icmp" or a protocol number */
  protocol: z.string(),
  fromPort: port.optional(),
  toPort: port.optional(),
  cidrs: z.array(cidr).optional(),
  /** referenced security groups (sg-…) */
  groupIds: z.array(z.string()).optional(),
  prefixListIds: z.array(z.string()).optional(),
  description: z.string().optional(),
});

export const SecurityGroupSchema = z.object({
  id: id('sg'),
  /** default: the id */
  name: z.string().optional(),
  vpcId: z.string(),
  description: z.string().optional(),
  /** default none */
  ingress: z.array(SecurityGroupRuleSchema).optional(),
  /** default: all traffic to 0.0.0.0/0, as a new group has */
  egress: z.array(SecurityGroupRuleSchema).optional(),
  tags: tags.optional(),
});

export const VpcEndpointSchema = z.object({
  id: id('vpce'),
  vpcId: z.string(),
  /** com.amazonaws.<region>.secretsmanager */
  serviceName: z.string(),
  /** default Interface */
  type: z.enum(['Interface', 'Gateway', 'GatewayLoadBalancer']).optional(),
  /** default available */
  state: z.enum(['pendingAcceptance', 'pending', 'available', 'deleting', 'deleted', 'rejected', 'failed', 'expired']).optional(),
  /** Interface: the subnets it has a network interface in */
  subnetIds: z.array(z.string()).optional(),
  /** Interface: its security groups */
  securityGroupIds: z.array(z.string()).optional(),
  /** Gateway: the route tables it adds a prefix-list route to */
  routeTableIds: z.array(z.string()).optional(),
  /** default true for Interface, false otherwise */
  privateDnsEnabled: z.boolean().optional(),
  /** the endpoint policy as JSON (default: full access) */
  policy: z.record(z.string(), z.unknown()).optional(),
  createdAt: time.optional(),
  tags: tags.optional(),
});

export const VpcNetworkFields = {
  vpcs: z.array(VpcSchema).default([]),
  subnets: z.array(SubnetSchema).default([]),
  routeTables: z.array(RouteTableSchema).default([]),
  networkAcls: z.array(NetworkAclSchema).default([]),
  securityGroups: z.array(SecurityGroupSchema).default([]),
  vpcEndpoints: z.array(VpcEndpointSchema).default([]),
};
