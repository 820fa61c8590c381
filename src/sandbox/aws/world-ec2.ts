/**
 * The EC2 and ElastiCache parts of the double's world (incident 001 §4: what a failed first
 * deploy leaves behind), built from the scenario's `ec2` and `elasticache` sections.
 * Plain data, as the rest of the world; handlers mutate it (ReleaseAddress removes an address).
 */
import { resolveTime, type Scenario } from '../scenario.js';
import { stableHex } from './ids.js';
import { ScenarioError } from './scenario-error.js';
import { buildVpcWorld, type VpcWorld } from './world-vpc.js';

export interface Ec2Address {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  networkInterfaceId?: string;
  /** the NAT gateway whose ENI holds it, when associated with one */
  natGatewayId?: string;
  tags: { key: string; value: string }[];
}

export interface Ec2NatGateway {
  id: string;
  state: 'pending' | 'failed' | 'available' | 'deleting' | 'deleted';
  subnetId: string;
  vpcId: string;
  allocationIds: string[];
  failureMessage?: string;
  createdAt: Date;
  tags: { key: string; value: string }[];
}

export interface CacheCluster {
  id: string;
  arn: string;
  status: string;
  engine: 'redis' | 'valkey' | 'memcached';
  engineVersion: string;
  nodeType: string;
  numNodes: number;
  replicationGroupId?: string;
  createdAt: Date;
  tags: { key: string; value: string }[];
}

export interface ReplicationGroup {
  id: string;
  arn: string;
  status: string;
  description: string;
  createdAt: Date;
  tags: { key: string; value: string }[];
}

/** Elastic IPs and NAT gateways, and the VPC network (world-vpc.ts) */
export interface Ec2World extends VpcWorld {
  addresses: Ec2Address[];
  natGateways: Ec2NatGateway[];
}

export interface ElastiCacheWorld {
  clusters: CacheCluster[];
  replicationGroups: ReplicationGroup[];
}

export class Ec2ScenarioError extends ScenarioError {}

const tagList = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));

export const elasticacheArns = {
  cluster: (w: { region: string; accountId: string }, id: string) => `arn:aws:elasticache:${w.region}:${w.accountId}:cluster:${id}`,
  replicationGroup: (w: { region: string; accountId: string }, id: string) =>
    `arn:aws:elasticache:${w.region}:${w.accountId}:replicationgroup:${id}`,
};

export function buildEc2World(scenario: Scenario, now: Date): Ec2World {
  const defaultCreated = new Date(now.getTime() - 86_400_000);
  const natGateways: Ec2NatGateway[] = [];
  for (const n of scenario.ec2.natGateways) {
    if (natGateways.some((m) => m.id === n.id)) throw new Ec2ScenarioError(`scenario ${scenario.name}: NAT gateway ${n.id} is listed twice`);
    natGateways.push({
      id: n.id,
      state: n.state,
      subnetId: n.subnetId,
      vpcId: n.vpcId,
      allocationIds: [...(n.allocationIds ?? [])],
      ...(n.failureMessage !== undefined && { failureMessage: n.failureMessage }),
      createdAt: n.createdAt === undefined ? defaultCreated : resolveTime(n.createdAt, now),
      tags: tagList(n.tags),
    });
  }
  const addresses: Ec2Address[] = [];
  for (const a of scenario.ec2.addresses) {
    if (addresses.some((b) => b.allocationId === a.allocationId))
      throw new Ec2ScenarioError(`scenario ${scenario.name}: address ${a.allocationId} is listed twice`);
    const nat = natGateways.find((n) => n.allocationIds.includes(a.allocationId) && n.state !== 'deleted' && n.state !== 'failed');
    addresses.push({
      allocationId: a.allocationId,
      publicIp: a.publicIp,
      ...(a.associationId !== undefined && {
        associationId: a.associationId,
        networkInterfaceId: a.networkInterfaceId ?? `eni-${stableHex(`eni:${a.allocationId}`, 17)}`,
        ...(nat && { natGatewayId: nat.id }),
      }),
      tags: tagList(a.tags),
    });
  }
  return { addresses, natGateways, ...buildVpcWorld(scenario, now) };
}

export function buildElastiCacheWorld(scenario: Scenario, now: Date): ElastiCacheWorld {
  const w = { region: scenario.region, accountId: scenario.accountId };
  const defaultCreated = new Date(now.getTime() - 86_400_000);
  const replicationGroups: ReplicationGroup[] = [];
  for (const g of scenario.elasticache.replicationGroups) {
    if (replicationGroups.some((h) => h.id === g.id))
      throw new Ec2ScenarioError(`scenario ${scenario.name}: replication group ${g.id} is listed twice`);
    replicationGroups.push({
      id: g.id,
      arn: elasticacheArns.replicationGroup(w, g.id),
      status: g.status,
      description: g.description ?? g.id,
      createdAt: g.createdAt === undefined ? defaultCreated : resolveTime(g.createdAt, now),
      tags: tagList(g.tags),
    });
  }
  const clusters: CacheCluster[] = [];
  for (const c of scenario.elasticache.clusters) {
    if (clusters.some((d) => d.id === c.id)) throw new Ec2ScenarioError(`scenario ${scenario.name}: cache cluster ${c.id} is listed twice`);
    if (c.replicationGroupId !== undefined && !replicationGroups.some((g) => g.id === c.replicationGroupId))
      throw new Ec2ScenarioError(
        `scenario ${scenario.name}: cache cluster ${c.id} names replication group ${c.replicationGroupId}, which is not in elasticache.replicationGroups`,
      );
    const engine = c.engine ?? 'redis';
    clusters.push({
      id: c.id,
      arn: elasticacheArns.cluster(w, c.id),
      status: c.status,
      engine,
      engineVersion: engine === 'memcached' ? '1.6.22' : engine === 'valkey' ? '8.0' : '7.1',
      nodeType: c.nodeType ?? 'cache.t3.micro',
      numNodes: c.numNodes ?? 1,
      ...(c.replicationGroupId !== undefined && { replicationGroupId: c.replicationGroupId }),
      createdAt: c.createdAt === undefined ? defaultCreated : resolveTime(c.createdAt, now),
      tags: tagList(c.tags),
    });
  }
  return { clusters, replicationGroups };
}
