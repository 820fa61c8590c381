/**
 * Amazon ElastiCache (awsQuery, API version 2015-02-02): DescribeCacheClusters,
 * DescribeReplicationGroups, ListTagsForResource. Element names follow the ElastiCache API
 * Reference. As in AWS, DescribeCacheClusters returns no tags: ListTagsForResource (by ARN)
 * does.
 *
 * - DescribeCacheClusters: `CacheClusterId`, `MaxRecords` (20–100; the double accepts
 *   smaller pages, as for RDS), `Marker`, `ShowCacheNodeInfo`; unknown id →
 *   `CacheClusterNotFound` 404.
 * - DescribeReplicationGroups: `ReplicationGroupId`, `MaxRecords`, `Marker`; unknown id →
 *   `ReplicationGroupNotFoundFault` 404.
 * - ListTagsForResource: `ResourceName` (a cluster or replication group ARN); unknown →
 *   `CacheClusterNotFound` / `ReplicationGroupNotFoundFault`; malformed → `InvalidARN`.
 */
import { AwsError } from '../errors.js';
import type { CacheCluster, ReplicationGroup } from '../world-ec2.js';
import { QueryXmlProtocol, xmlList } from '../protocols/query-xml.js';
import type { World } from '../world.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const VERSION = '2015-02-02';
const protocol = new QueryXmlProtocol({ version: VERSION, xmlns: `http://elasticache.amazonaws.com/doc/${VERSION}/` });

function pageFor<T>(all: readonly T[], p: ParamReader, params: Params) {
  const n = p.int('MaxRecords');
  if (n !== undefined && (n < 1 || n > 100)) throw p.invalid(`Invalid value ${n} for MaxRecords. Must be between 20 and 100`);
  const { Marker: _marker, MaxRecords: _max, ...scope } = params;
  return paginate(all, {
    token: p.str('Marker'),
    limit: n ?? 100,
    scope,
    invalidToken: () => p.invalid('The parameter Marker is not valid.'),
  });
}

function port(c: CacheCluster): number {
  return c.engine === 'memcached' ? 11211 : 6379;
}

function clusterXml(world: World, c: CacheCluster, showNodes: boolean) {
  const host = `${c.id}.${c.id.slice(0, 6)}.cfg.${world.region.replace(/-/g, '')}.cache.amazonaws.com`;
  return {
    CacheClusterId: c.id,
    ConfigurationEndpoint: c.engine === 'memcached' ? { Address: host, Port: port(c) } : undefined,
    ClientDownloadLandingPage: 'https://console.aws.amazon.com/elasticache/home#client-download:',
    CacheNodeType: c.nodeType,
    Engine: c.engine,
    EngineVersion: c.engineVersion,
    CacheClusterStatus: c.status,
    NumCacheNodes: c.numNodes,
    PreferredAvailabilityZone: `${world.region}a`,
    CacheClusterCreateTime: c.createdAt,
    PreferredMaintenanceWindow: 'sun:17:00-sun:18:00',
    CacheSecurityGroups: xmlList('CacheSecurityGroup', []),
    CacheParameterGroup: {
      CacheParameterGroupName: `default.${c.engine}${c.engineVersion.split('.')[0]}`,
      ParameterApplyStatus: 'in-sync',
      CacheNodeIdsToReboot: xmlList('CacheNodeId', []),
    },
    CacheSubnetGroupName: 'default',
    CacheNodes: showNodes
      ? xmlList(
          'CacheNode',
          Array.from({ length: c.numNodes }, (_, i) => ({
            CacheNodeId: String(i + 1).padStart(4, '0'),
            CacheNodeStatus: c.status === 'available' ? 'available' : c.status,
            CacheNodeCreateTime: c.createdAt,
            Endpoint: { Address: `${c.id}.${String(i + 1).padStart(4, '0')}.${world.region.replace(/-/g, '')}.cache.amazonaws.com`, Port: port(c) },
            ParameterGroupStatus: 'in-sync',
            CustomerAvailabilityZone: `${world.region}a`,
          })),
        )
      : undefined,
    AutoMinorVersionUpgrade: true,
    ReplicationGroupId: c.replicationGroupId,
    SnapshotRetentionLimit: 0,
    SnapshotWindow: '16:00-17:00',
    AuthTokenEnabled: false,
    TransitEncryptionEnabled: false,
    AtRestEncryptionEnabled: false,
    ARN: c.arn,
    ReplicationGroupLogDeliveryEnabled: false,
    NetworkType: 'ipv4',
    IpDiscovery: 'ipv4',
  };
}

function groupXml(world: World, g: ReplicationGroup) {
  const members = world.elasticache.clusters.filter((c) => c.replicationGroupId === g.id);
  return {
    ReplicationGroupId: g.id,
    Description: g.description,
    Status: g.status,
    MemberClusters: xmlList('ClusterId', members.map((m) => m.id)),
    NodeGroups: xmlList('NodeGroup', []),
    AutomaticFailover: 'disabled',
    MultiAZ: 'disabled',
    ClusterEnabled: false,
    CacheNodeType: members[0]?.nodeType,
    AuthTokenEnabled: false,
    TransitEncryptionEnabled: false,
    AtRestEncryptionEnabled: false,
    ARN: g.arn,
    ReplicationGroupCreateTime: g.createdAt,
    Engine: members[0]?.engine ?? 'redis',
  };
}

function describeCacheClusters(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const id = p.str('CacheClusterId');
  let list = world.elasticache.clusters;
  if (id !== undefined) {
    list = list.filter((c) => c.id.toLowerCase() === id.toLowerCase());
    if (list.length === 0) throw new AwsError('CacheClusterNotFound', `CacheCluster not found: ${id}`, 404);
  }
  if (p.bool('ShowCacheClustersNotInReplicationGroups')) list = list.filter((c) => c.replicationGroupId === undefined);
  const page = pageFor(list, p, ctx.params);
  const nodes = p.bool('ShowCacheNodeInfo') ?? false;
  return { Marker: page.next, CacheClusters: xmlList('CacheCluster', page.items.map((c) => clusterXml(world, c, nodes))) };
}

function describeReplicationGroups(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const id = p.str('ReplicationGroupId');
  let list = world.elasticache.replicationGroups;
  if (id !== undefined) {
    list = list.filter((g) => g.id.toLowerCase() === id.toLowerCase());
    if (list.length === 0) throw new AwsError('ReplicationGroupNotFoundFault', `ReplicationGroup ${id} not found.`, 404);
  }
  const page = pageFor(list, p, ctx.params);
  return { Marker: page.next, ReplicationGroups: xmlList('ReplicationGroup', page.items.map((g) => groupXml(world, g))) };
}

function listTagsForResource(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const arn = p.str('ResourceName', true);
  const m = /^arn:aws[\w-]*:elasticache:([^:]+):(\d{12}):(cluster|replicationgroup):(.+)$/.exec(arn);
  if (!m) throw new AwsError('InvalidARN', `The ARN ${arn} is not valid.`, 400);
  const [, region, account, kind, id] = m;
  const here = region === world.region && account === world.accountId;
  const found =
    kind === 'cluster'
      ? world.elasticache.clusters.find((c) => c.id === id)
      : world.elasticache.replicationGroups.find((g) => g.id === id);
  if (!here || !found) {
    throw kind === 'cluster'
      ? new AwsError('CacheClusterNotFound', `CacheCluster not found: ${id ?? ''}`, 404)
      : new AwsError('ReplicationGroupNotFoundFault', `ReplicationGroup ${id ?? ''} not found.`, 404);
  }
  return { TagList: xmlList('Tag', found.tags.map((t) => ({ Key: t.key, Value: t.value }))) };
}

function iamResource(operation: string, params: Params, world: World): string {
  if (operation === 'ListTagsForResource' && typeof params.ResourceName === 'string') return params.ResourceName;
  if (operation === 'DescribeCacheClusters' && typeof params.CacheClusterId === 'string')
    return `arn:aws:elasticache:${world.region}:${world.accountId}:cluster:${params.CacheClusterId}`;
  if (operation === 'DescribeReplicationGroups' && typeof params.ReplicationGroupId === 'string')
    return `arn:aws:elasticache:${world.region}:${world.accountId}:replicationgroup:${params.ReplicationGroupId}`;
  return '*';
}

export const elasticache: ServiceModule = {
  signingName: 'elasticache',
  protocol,
  operations: {
    DescribeCacheClusters: describeCacheClusters,
    DescribeReplicationGroups: describeReplicationGroups,
    ListTagsForResource: listTagsForResource,
  },
  iamResource,
};
