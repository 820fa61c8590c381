// ElastiCache: cache clusters, replication groups and their tags (DescribeCacheClusters
// returns none: ListTagsForResource, one call per resource, does). Used by
// /why-deploy-failed for what a failed first deploy leaves behind (incident 001 §4).
import {
  ListTagsForResourceCommand,
  paginateDescribeCacheClusters,
  paginateDescribeReplicationGroups,
  ElastiCacheClient
} from '@aws-sdk/client-elasticache';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

const elasticacheClient = (aws: AwsClients) => withAbort(aws.client('elasticache', (config) => new ElastiCacheClient(config)));

export const ELASTICACHE_IAM = {
  describeCacheClusters: iam('elasticache:DescribeCacheClusters'),
  describeReplicationGroups: iam('elasticache:DescribeReplicationGroups'),
  listTagsForResource: iam('elasticache:ListTagsForResource'),
} as const;

export interface CacheClusterInfo {
  id: string;
  arn?: string;
  status: string;
  engine?: string;
  nodeType?: string;
  numNodes: number;
  replicationGroupId?: string;
  createdAt?: Date;
}

export interface ReplicationGroupInfo {
  id: string;
  arn?: string;
  status: string;
  description?: string;
  memberClusters: string[];
  nodeType?: string;
  createdAt?: Date;
}

export async function describeCacheClusters(aws: AwsClients, signal?: AbortSignal): Promise<CacheClusterInfo[]> {
  return awsCall(ELASTICACHE_IAM.describeCacheClusters, async () => {
    const all: CacheClusterInfo[] = [];
    const pages = paginateDescribeCacheClusters({ client: elasticacheClient(aws), pageSize: 100 }, {}, ...(signal ? [{ abortSignal: signal }] : []));
    for await (const page of pages)
      for (const c of page.CacheClusters ?? [])
        all.push({
          id: c.CacheClusterId ?? '?',
          ...(c.ARN ? { arn: c.ARN } : {}),
          status: c.CacheClusterStatus ?? 'unknown',
          ...(c.Engine ? { engine: c.Engine } : {}),
          ...(c.CacheNodeType ? { nodeType: c.CacheNodeType } : {}),
          numNodes: c.NumCacheNodes ?? 1,
          ...(c.ReplicationGroupId ? { replicationGroupId: c.ReplicationGroupId } : {}),
          ...(c.CacheClusterCreateTime ? { createdAt: c.CacheClusterCreateTime } : {}),
        });
    return all;
  });
}

export async function describeReplicationGroups(aws: AwsClients, signal?: AbortSignal): Promise<ReplicationGroupInfo[]> {
  return awsCall(ELASTICACHE_IAM.describeReplicationGroups, async () => {
    const all: ReplicationGroupInfo[] = [];
    const pages = paginateDescribeReplicationGroups({ client: elasticacheClient(aws), pageSize: 100 }, {}, ...(signal ? [{ abortSignal: signal }] : []));
    for await (const page of pages)
      for (const g of page.ReplicationGroups ?? [])
        all.push({
          id: g.ReplicationGroupId ?? '?',
          ...(g.ARN ? { arn: g.ARN } : {}),
          status: g.Status ?? 'unknown',
          ...(g.Description ? { description: g.Description } : {}),
          memberClusters: g.MemberClusters ?? [],
          ...(g.CacheNodeType ? { nodeType: g.CacheNodeType } : {}),
          ...(g.ReplicationGroupCreateTime ? { createdAt: g.ReplicationGroupCreateTime } : {}),
        });
    return all;
  });
}

/** The tags of a cache cluster or replication group, by ARN. */
export async function listCacheTags(aws: AwsClients, arn: string, signal?: AbortSignal): Promise<Record<string, string>> {
  return awsCall(ELASTICACHE_IAM.listTagsForResource, async () => {
    const out = await elasticacheClient(aws).send(new ListTagsForResourceCommand({ ResourceName: arn }), { abortSignal: signal });
    return Object.fromEntries((out.TagList ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));
  });
}
