// Scenario parts for EC2 (Elastic IPs, NAT gateways) and ElastiCache: what a failed first
// deploy leaves behind (incident 001 §4). Defaults are applied by the double's world
// builder (aws/world-ec2.ts), so a scenario tweaked in code with literals type-checks.
import * as z from 'zod';
import { VpcNetworkFields } from './scenario-vpc.js';

const relativeTime = /^now(?:([+-])((?:\d+[dhms])+))?$/;
const time = z.string().refine((v) => relativeTime.test(v) || !Number.isNaN(new Date(v).getTime()), {
  message: 'an ISO time or now[+-]NdNhNmNs',
});

const tags = z.record(z.string(), z.string());

export const Ec2AddressSchema = z.object({
  /** eipalloc-… */
  allocationId: z.string().regex(/^eipalloc-[0-9a-f]{8,17}$/, { message: 'an allocation id: eipalloc-<8 to 17 hex>' }),
  publicIp: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, { message: 'an IPv4 address' }),
  /** eipassoc-…: set when the address is associated (with an instance, a NAT gateway's ENI…) */
  associationId: z.string().optional(),
  /** what it is associated with, when associated: eni-… (default: derived) */
  networkInterfaceId: z.string().optional(),
  /** default none */
  tags: tags.optional(),
});

export const Ec2NatGatewaySchema = z.object({
  /** nat-… */
  id: z.string().regex(/^nat-[0-9a-f]{8,17}$/, { message: 'a NAT gateway id: nat-<8 to 17 hex>' }),
  state: z.enum(['pending', 'failed', 'available', 'deleting', 'deleted']),
  subnetId: z.string(),
  vpcId: z.string(),
  /** the EIP allocations it uses (public NAT gateways); default none */
  allocationIds: z.array(z.string()).optional(),
  /** for failed ones: the reason AWS gives (default none) */
  failureMessage: z.string().optional(),
  createdAt: time.optional(),
  tags: tags.optional(),
});

export const Ec2Schema = z.object({
  addresses: z.array(Ec2AddressSchema).default([]),
  natGateways: z.array(Ec2NatGatewaySchema).default([]),
  /** the network path (scenario-vpc.ts): vpcs, subnets, routeTables, networkAcls, securityGroups, vpcEndpoints */
  ...VpcNetworkFields,
});

export const CacheClusterSchema = z.object({
  id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,49}$/, { message: 'a cache cluster id (letters, digits, hyphens; at most 50)' }),
  /** available, creating, deleting, modifying, create-failed, incompatible-network, restore-failed, snapshotting… */
  status: z.string(),
  engine: z.enum(['redis', 'valkey', 'memcached']).optional(),
  /** default cache.t3.micro */
  nodeType: z.string().optional(),
  /** default 1 */
  numNodes: z.number().int().positive().optional(),
  /** the replication group it belongs to, if any (which must be in replicationGroups) */
  replicationGroupId: z.string().optional(),
  createdAt: time.optional(),
  /** served by ListTagsForResource (DescribeCacheClusters returns no tags, as in AWS) */
  tags: tags.optional(),
});

export const ReplicationGroupSchema = z.object({
  id: z.string(),
  status: z.string(),
  description: z.string().optional(),
  createdAt: time.optional(),
  tags: tags.optional(),
});

export const ElastiCacheSchema = z.object({
  clusters: z.array(CacheClusterSchema).default([]),
  replicationGroups: z.array(ReplicationGroupSchema).default([]),
});

export const Ec2ScenarioSchema = Ec2Schema.prefault({});
export const ElastiCacheScenarioSchema = ElastiCacheSchema.prefault({});

export type Ec2Scenario = z.infer<typeof Ec2Schema>;
export type ElastiCacheScenario = z.infer<typeof ElastiCacheSchema>;
