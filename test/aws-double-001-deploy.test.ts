// The AWS double's EC2 (ec2 query protocol) and ElastiCache (awsQuery) with the REAL SDK v3
// clients, reached through AWS_ENDPOINT_URL: what a failed first deploy leaves behind.
import {
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  EC2Client,
  ReleaseAddressCommand,
  paginateDescribeNatGateways,
} from '@aws-sdk/client-ec2';
import {
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-elasticache';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { buildWorld } from '../src/sandbox/aws/world.js';
import { loadScenario, ScenarioSchema, type Scenario } from '../src/sandbox/scenario.js';

const REGION = 'ap-northeast-1';
let aws: AwsDouble;
let ec2: EC2Client;
let cache: ElastiCacheClient;

async function start(tweak?: (s: Scenario) => void) {
  const scenario = await loadScenario('incident-001-deploy');
  tweak?.(scenario);
  aws = await startAwsDouble({ scenario });
  process.env.AWS_ENDPOINT_URL = aws.url;
  ec2 = new EC2Client({ region: REGION, maxAttempts: 1 });
  cache = new ElastiCacheClient({ region: REGION, maxAttempts: 1 });
}

beforeEach(async () => start());
afterEach(async () => {
  ec2.destroy();
  cache.destroy();
  await aws.close();
});

const caught = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as Error & { $metadata: { httpStatusCode?: number }; $fault: string };
  }
  throw new Error('expected a failure');
};

describe('EC2 (ec2 query protocol)', () => {
  it('DescribeAddresses: every address with association and tags', async () => {
    const out = await ec2.send(new DescribeAddressesCommand({}));
    expect(out.Addresses).toHaveLength(4);
    const free = out.Addresses!.find((a) => a.AllocationId === 'eipalloc-0a1b2c3d4e5f60718')!;
    expect(free).toMatchObject({ PublicIp: '54.250.10.21', Domain: 'vpc', NetworkBorderGroup: REGION });
    expect(free.AssociationId).toBeUndefined();
    expect(free.Tags).toContainEqual({ Key: 'aws:cloudformation:stack-name', Value: 'MyAppStack' });
    const held = out.Addresses!.find((a) => a.AllocationId === 'eipalloc-0b2c3d4e5f6071829')!;
    expect(held.AssociationId).toBe('eipassoc-0c3d4e5f607182930');
    expect(held.NetworkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(out.$metadata.requestId).toBeDefined();
  });

  it('DescribeAddresses: AllocationId.N and Filter.N (tags, wildcards); an unknown id is InvalidAllocationID.NotFound', async () => {
    const byId = await ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0a1b2c3d4e5f60718', 'eipalloc-0d4e5f60718293a4b'] }));
    expect(byId.Addresses!.map((a) => a.PublicIp)).toEqual(['54.250.10.21', '13.112.40.7']);
    const call = aws.calls.at(-1)!;
    expect(call.params).toEqual({ AllocationId: ['eipalloc-0a1b2c3d4e5f60718', 'eipalloc-0d4e5f60718293a4b'] });
    const byTag = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'tag:aws:cloudformation:stack-name', Values: ['MyApp*'] }] }));
    expect(byTag.Addresses!.map((a) => a.AllocationId)).toEqual(['eipalloc-0a1b2c3d4e5f60718', 'eipalloc-0b2c3d4e5f6071829']);
    const err = await caught(ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-00000000'] })));
    expect(err.name).toBe('InvalidAllocationID.NotFound');
    expect(err.message).toBe("The allocation ID 'eipalloc-00000000' does not exist");
    expect(err.$metadata.httpStatusCode).toBe(400);
    const bad = await caught(ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })));
    expect(bad.name).toBe('InvalidParameterValue');
  });

  it('ReleaseAddress: refuses an associated address (InvalidIPAddress.InUse), releases a free one once', async () => {
    const inUse = await caught(ec2.send(new ReleaseAddressCommand({ AllocationId: 'eipalloc-0b2c3d4e5f6071829' })));
    expect(inUse.name).toBe('InvalidIPAddress.InUse');
    expect(inUse.message).toBe('Address is in use');
    await ec2.send(new ReleaseAddressCommand({ AllocationId: 'eipalloc-0a1b2c3d4e5f60718' }));
    expect(aws.world.ec2.addresses.map((a) => a.allocationId)).not.toContain('eipalloc-0a1b2c3d4e5f60718');
    const again = await caught(ec2.send(new ReleaseAddressCommand({ AllocationId: 'eipalloc-0a1b2c3d4e5f60718' })));
    expect(again.name).toBe('InvalidAllocationID.NotFound');
    const gone = await caught(ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0a1b2c3d4e5f60718'] })));
    expect(gone.name).toBe('InvalidAllocationID.NotFound');
    const noId = await caught(ec2.send(new ReleaseAddressCommand({})));
    expect(noId.name).toBe('MissingParameter');
  });

  it('DescribeNatGateways: states, addresses, tags, filters and pages of MaxResults', async () => {
    const all = await ec2.send(new DescribeNatGatewaysCommand({}));
    expect(all.NatGateways!.map((n) => `${n.NatGatewayId}:${n.State}`)).toEqual([
      'nat-0f1e2d3c4b5a69788:available',
      'nat-0a9b8c7d6e5f43210:deleted',
      'nat-0123456789abcdef0:available',
    ]);
    const nat = all.NatGateways![0]!;
    expect(nat).toMatchObject({ SubnetId: 'subnet-0aaa1111bbbb2222c', VpcId: 'vpc-0123456789abcdef0', ConnectivityType: 'public' });
    expect(nat.CreateTime).toBeInstanceOf(Date);
    expect(nat.NatGatewayAddresses).toEqual([
      expect.objectContaining({ AllocationId: 'eipalloc-0b2c3d4e5f6071829', PublicIp: '54.250.10.22', IsPrimary: true, Status: 'succeeded' }),
    ]);
    const live = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['available', 'pending'] }, { Name: 'tag:aws:cloudformation:stack-name', Values: ['MyAppStack'] }] }));
    expect(live.NatGateways!.map((n) => n.NatGatewayId)).toEqual(['nat-0f1e2d3c4b5a69788']);
    // Pages: add 6 more so that MaxResults 5 needs two pages.
    for (let i = 0; i < 6; i++)
      aws.world.ec2.natGateways.push({ ...aws.world.ec2.natGateways[0]!, id: `nat-0000000000000000${i}`, tags: [] });
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeNatGateways({ client: ec2, pageSize: 5 }, {})) {
      pages++;
      ids.push(...page.NatGateways!.map((n) => n.NatGatewayId!));
    }
    expect(pages).toBe(2);
    expect(ids).toHaveLength(9);
    const tooSmall = await caught(ec2.send(new DescribeNatGatewaysCommand({ MaxResults: 4 })));
    expect(tooSmall.name).toBe('InvalidParameterValue');
    const unknown = await caught(ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-00000000'] })));
    expect(unknown.name).toBe('NatGatewayNotFound');
  });

  it('faults use EC2’s codes: UnauthorizedOperation 403 with the IAM message, RequestLimitExceeded 503 (retried)', async () => {
    aws.inject({ service: 'ec2', operation: 'ReleaseAddress', kind: 'AccessDenied', times: 1 });
    const denied = await caught(ec2.send(new ReleaseAddressCommand({ AllocationId: 'eipalloc-0a1b2c3d4e5f60718' })));
    expect(denied.name).toBe('UnauthorizedOperation');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toMatch(
      /^You are not authorized to perform this operation\. User: arn:aws:sts::123456789012:assumed-role\/whybot\/whybot-sandbox is not authorized to perform: ec2:ReleaseAddress on resource: arn:aws:ec2:ap-northeast-1:123456789012:elastic-ip\/eipalloc-0a1b2c3d4e5f60718/,
    );
    aws.inject({ service: 'ec2', operation: 'DescribeAddresses', kind: 'Throttling', times: 1 });
    const throttled = await caught(ec2.send(new DescribeAddressesCommand({})));
    expect(throttled.name).toBe('RequestLimitExceeded');
    expect(throttled.$metadata.httpStatusCode).toBe(503);
    aws.inject({ service: 'ec2', operation: 'DescribeAddresses', kind: 'Throttling', times: 1 });
    const retrying = new EC2Client({ region: REGION, maxAttempts: 2 });
    const out = await retrying.send(new DescribeAddressesCommand({}));
    retrying.destroy();
    expect(out.Addresses).toHaveLength(4);
    expect(out.$metadata.attempts).toBe(2);
  });

  it('an operation it does not serve is InvalidAction; other Regions are empty', async () => {
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const err = await caught(ec2.send(new DescribeInstancesCommand({})));
    expect(err.name).toBe('InvalidAction');
    const elsewhere = new EC2Client({ region: 'us-east-1', maxAttempts: 1 });
    expect((await elsewhere.send(new DescribeAddressesCommand({}))).Addresses).toEqual([]);
    elsewhere.destroy();
  });
});

describe('ElastiCache (awsQuery)', () => {
  it('DescribeCacheClusters: status, node type, ARN; nodes on request; no tags', async () => {
    const out = await cache.send(new DescribeCacheClustersCommand({ ShowCacheNodeInfo: true }));
    expect(out.CacheClusters!.map((c) => `${c.CacheClusterId}:${c.CacheClusterStatus}:${c.CacheNodeType}`)).toEqual([
      'myapp-cache:available:cache.t3.micro',
      'legacy-cache:available:cache.m6g.large',
    ]);
    const c = out.CacheClusters![0]!;
    expect(c).toMatchObject({ Engine: 'redis', NumCacheNodes: 1, ARN: 'arn:aws:elasticache:ap-northeast-1:123456789012:cluster:myapp-cache' });
    expect(c.CacheClusterCreateTime).toBeInstanceOf(Date);
    expect(c.CacheNodes).toHaveLength(1);
    const without = await cache.send(new DescribeCacheClustersCommand({ CacheClusterId: 'myapp-cache' }));
    expect(without.CacheClusters![0]!.CacheNodes).toBeUndefined();
  });

  it('not found: CacheClusterNotFoundFault / ReplicationGroupNotFoundFault, 404', async () => {
    const err = await caught(cache.send(new DescribeCacheClustersCommand({ CacheClusterId: 'nope' })));
    expect(err.name).toBe('CacheClusterNotFoundFault');
    expect(err.$metadata.httpStatusCode).toBe(404);
    const rg = await caught(cache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'nope' })));
    expect(rg.name).toBe('ReplicationGroupNotFoundFault');
  });

  it('replication groups list their member clusters; ListTagsForResource returns tags by ARN', async () => {
    ec2.destroy();
    cache.destroy();
    await aws.close();
    await start((s) => {
      s.elasticache.replicationGroups.push({ id: 'myapp-redis', status: 'create-failed', tags: { 'aws:cloudformation:stack-name': 'MyAppStack' } });
      s.elasticache.clusters.push({ id: 'myapp-redis-001', status: 'available', nodeType: 'cache.t4g.small', replicationGroupId: 'myapp-redis' });
    });
    const out = await cache.send(new DescribeReplicationGroupsCommand({}));
    expect(out.ReplicationGroups).toEqual([
      expect.objectContaining({ ReplicationGroupId: 'myapp-redis', Status: 'create-failed', MemberClusters: ['myapp-redis-001'], CacheNodeType: 'cache.t4g.small' }),
    ]);
    const tags = await cache.send(new ListTagsForResourceCommand({ ResourceName: out.ReplicationGroups![0]!.ARN! }));
    expect(tags.TagList).toEqual([{ Key: 'aws:cloudformation:stack-name', Value: 'MyAppStack' }]);
    const clusterTags = await cache.send(new ListTagsForResourceCommand({ ResourceName: 'arn:aws:elasticache:ap-northeast-1:123456789012:cluster:myapp-cache' }));
    expect(clusterTags.TagList).toContainEqual({ Key: 'aws:cloudformation:logical-id', Value: 'CacheCluster' });
    const bad = await caught(cache.send(new ListTagsForResourceCommand({ ResourceName: 'myapp-cache' })));
    expect(bad.name).toBe('InvalidARNFault');
  });

  it('AccessDenied on ElastiCache is the query protocol’s AccessDenied 403', async () => {
    aws.inject({ service: 'elasticache', operation: 'ListTagsForResource', kind: 'AccessDenied' });
    const err = await caught(cache.send(new ListTagsForResourceCommand({ ResourceName: 'arn:aws:elasticache:ap-northeast-1:123456789012:cluster:myapp-cache' })));
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toMatch(/elasticache:ListTagsForResource on resource: arn:aws:elasticache:ap-northeast-1:123456789012:cluster:myapp-cache/);
  });
});

describe('RDS tags and scenario checks', () => {
  it('DescribeDBClusters carries the scenario’s TagList', async () => {
    const rds = new RDSClient({ region: REGION, maxAttempts: 1 });
    const out = await rds.send(new DescribeDBClustersCommand({}));
    rds.destroy();
    expect(out.DBClusters!.find((c) => c.DBClusterIdentifier === 'prod-db')!.TagList).toEqual([{ Key: 'aws:cloudformation:stack-name', Value: 'LegacyStack' }]);
    expect(out.DBClusters!.find((c) => c.DBClusterIdentifier === 'myapp-db')).toMatchObject({ Status: 'failed', TagList: [] });
  });

  it('rejects duplicate or dangling entries; an empty scenario has no EC2 or ElastiCache resources', () => {
    const base = ScenarioSchema.parse({ name: 't', description: '' });
    expect(buildWorld(base, new Date()).ec2).toEqual({
      addresses: [],
      natGateways: [],
      vpcs: [],
      subnets: [],
      routeTables: [],
      networkAcls: [],
      securityGroups: [],
      vpcEndpoints: [],
    });
    const dup = ScenarioSchema.parse({
      name: 't',
      description: '',
      ec2: { addresses: [{ allocationId: 'eipalloc-0a1b2c3d', publicIp: '1.2.3.4' }, { allocationId: 'eipalloc-0a1b2c3d', publicIp: '1.2.3.5' }] },
    });
    expect(() => buildWorld(dup, new Date())).toThrow(/listed twice/);
    const dangling = ScenarioSchema.parse({ name: 't', description: '', elasticache: { clusters: [{ id: 'c1', status: 'available', replicationGroupId: 'rg' }] } });
    expect(() => buildWorld(dangling, new Date())).toThrow(/not in elasticache\.replicationGroups/);
    expect(ScenarioSchema.safeParse({ name: 't', description: '', ec2: { addresses: [{ allocationId: 'alloc-1', publicIp: '1.2.3.4' }] } }).success).toBe(false);
  });
});
