import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  paginateDescribeDBClusterParameters,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  paginateDescribeDBParameters,
  paginateDescribeEvents,
  type DBCluster,
  type DBInstance,
  RDSClient
} from '@aws-sdk/client-rds';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

const rdsClient = (aws: AwsClients) => withAbort(aws.client('rds', (config) => new RDSClient(config)));

export const RDS_IAM = {
  describeClusters: iam('rds:DescribeDBClusters'),
  describeInstances: iam('rds:DescribeDBInstances'),
  describeEvents: iam('rds:DescribeEvents'),
  describeClusterParameters: iam('rds:DescribeDBClusterParameters'),
  describeParameters: iam('rds:DescribeDBParameters'),
} as const;

export interface DbSummary {
  kind: 'cluster' | 'instance';
  id: string;
  arn?: string;
  status: string;
  engine?: string;
  engineVersion?: string;
  masterUsername?: string;
  masterUserSecretArn?: string;
  masterUserSecretStatus?: string;
  /** for an Aurora member instance: its cluster */
  clusterId?: string;
  iamAuthEnabled?: boolean;
  /** clusters only: TagList (e.g. aws:cloudformation:stack-name) */
  tags?: Record<string, string>;
  /** a cluster's DB cluster parameter group, an instance's (first) DB parameter group */
  parameterGroup?: string;
  /** the port it listens on (a cluster's Port, an instance's Endpoint.Port) */
  port?: number;
  /** VpcSecurityGroups */
  securityGroupIds?: string[];
}

export interface RdsEvent {
  sourceId: string;
  sourceType: string;
  time: Date;
  message: string;
  categories: string[];
}

const securityGroupIdsOf = (groups: { VpcSecurityGroupId?: string }[] | undefined): string[] =>
  (groups ?? []).flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : []));

const fromCluster = (c: DBCluster): DbSummary => ({
  kind: 'cluster',
  id: c.DBClusterIdentifier ?? '?',
  arn: c.DBClusterArn,
  status: c.Status ?? 'unknown',
  engine: c.Engine,
  engineVersion: c.EngineVersion,
  masterUsername: c.MasterUsername,
  masterUserSecretArn: c.MasterUserSecret?.SecretArn,
  masterUserSecretStatus: c.MasterUserSecret?.SecretStatus,
  iamAuthEnabled: c.IAMDatabaseAuthenticationEnabled,
  tags: Object.fromEntries((c.TagList ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ''])),
  ...(c.DBClusterParameterGroup !== undefined && { parameterGroup: c.DBClusterParameterGroup }),
  ...(c.Port !== undefined && { port: c.Port }),
  securityGroupIds: securityGroupIdsOf(c.VpcSecurityGroups),
});

const fromInstance = (i: DBInstance): DbSummary => ({
  kind: 'instance',
  id: i.DBInstanceIdentifier ?? '?',
  arn: i.DBInstanceArn,
  status: i.DBInstanceStatus ?? 'unknown',
  engine: i.Engine,
  engineVersion: i.EngineVersion,
  masterUsername: i.MasterUsername,
  masterUserSecretArn: i.MasterUserSecret?.SecretArn,
  masterUserSecretStatus: i.MasterUserSecret?.SecretStatus,
  clusterId: i.DBClusterIdentifier,
  iamAuthEnabled: i.IAMDatabaseAuthenticationEnabled,
  ...(i.DBParameterGroups?.[0]?.DBParameterGroupName !== undefined && { parameterGroup: i.DBParameterGroups[0].DBParameterGroupName }),
  ...(i.Endpoint?.Port !== undefined && { port: i.Endpoint.Port }),
  securityGroupIds: securityGroupIdsOf(i.VpcSecurityGroups),
});

async function notFoundAsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === 'not-found') return undefined;
    throw err;
  }
}

/** The cluster or instance with this identifier (clusters win), or undefined. */
export async function describeDb(aws: AwsClients, id: string, signal?: AbortSignal): Promise<DbSummary | undefined> {
  const rds = rdsClient(aws);
  const [cluster, instance] = await Promise.all([
    notFoundAsUndefined(
      awsCall(RDS_IAM.describeClusters, async () => {
        const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), { abortSignal: signal });
        const c = out.DBClusters?.[0];
        return c ? fromCluster(c) : undefined;
      }),
    ),
    notFoundAsUndefined(
      awsCall(RDS_IAM.describeInstances, async () => {
        const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), { abortSignal: signal });
        const i = out.DBInstances?.[0];
        return i ? fromInstance(i) : undefined;
      }),
    ),
  ]);
  return cluster ?? instance;
}

/** Every cluster, and every instance that is not an Aurora cluster member. */
export async function listDbs(aws: AwsClients): Promise<DbSummary[]> {
  const client = rdsClient(aws);
  const [clusters, instances] = await Promise.all([
    awsCall(RDS_IAM.describeClusters, async () => {
      const all: DbSummary[] = [];
      for await (const page of paginateDescribeDBClusters({ client, pageSize: 100 }, {}))
        all.push(...(page.DBClusters ?? []).map(fromCluster));
      return all;
    }),
    awsCall(RDS_IAM.describeInstances, async () => {
      const all: DbSummary[] = [];
      for await (const page of paginateDescribeDBInstances({ client, pageSize: 100 }, {}))
        all.push(...(page.DBInstances ?? []).map(fromInstance));
      return all;
    }),
  ]);
  return [...clusters, ...instances.filter((i) => !i.clusterId)];
}

export async function describeEvents(
  aws: AwsClients,
  q: { sourceId: string; sourceType: 'db-cluster' | 'db-instance'; since: Date; until: Date },
): Promise<RdsEvent[]> {
  const client = rdsClient(aws);
  return awsCall(RDS_IAM.describeEvents, async () => {
    const all: RdsEvent[] = [];
    const pages = paginateDescribeEvents(
      { client, pageSize: 100 },
      { SourceIdentifier: q.sourceId, SourceType: q.sourceType, StartTime: q.since, EndTime: q.until },
    );
    for await (const page of pages)
      for (const e of page.Events ?? [])
        all.push({
          sourceId: e.SourceIdentifier ?? q.sourceId,
          sourceType: e.SourceType ?? q.sourceType,
          time: e.Date ?? new Date(0),
          message: e.Message ?? '',
          categories: e.EventCategories ?? [],
        });
    return all;
  });
}

/** Every DB cluster (with its tags), without the instances. */
export async function listDbClusters(aws: AwsClients, signal?: AbortSignal): Promise<DbSummary[]> {
  const client = rdsClient(aws);
  return awsCall(RDS_IAM.describeClusters, async () => {
    const all: DbSummary[] = [];
    for await (const page of paginateDescribeDBClusters({ client, pageSize: 100 }, {}, ...(signal ? [{ abortSignal: signal }] : [])))
      all.push(...(page.DBClusters ?? []).map(fromCluster));
    return all;
  });
}

/** The parameters that decide how a rotation function may log in (incident 002). */
export const ROTATION_DB_PARAMETERS = ['rds.force_ssl', 'require_secure_transport', 'password_encryption'] as const;

export interface DbParameter {
  name: string;
  /** absent when the parameter has no value set (AWS omits ParameterValue) */
  value?: string;
  /** user, engine-default or system */
  source?: string;
}

export interface DbParameterValues {
  /** the wanted names the group has, by name (a name the group does not have is absent) */
  values: Record<string, DbParameter>;
  /** DescribeDB(Cluster)Parameters calls made */
  pages: number;
  /** the page bound stopped the walk before every parameter was seen */
  truncated: boolean;
}

/**
 * The values of `names` in a DB cluster parameter group (`kind: 'cluster'`,
 * DescribeDBClusterParameters) or a DB parameter group (`kind: 'instance'`,
 * DescribeDBParameters). Pages through the whole group (100 a page, at most `maxPages`,
 * default 20) and stops once every name is found. A missing group gives undefined; other
 * failures throw AwsCallError naming the action.
 */
export async function parameterValues(
  aws: AwsClients,
  q: { kind: 'cluster' | 'instance'; group: string; names: readonly string[]; maxPages?: number; pageSize?: number; signal?: AbortSignal },
): Promise<DbParameterValues | undefined> {
  const client = rdsClient(aws);
  const wanted = new Set(q.names);
  const maxPages = Math.max(1, Math.floor(q.maxPages ?? 20));
  const config = { client, pageSize: q.pageSize ?? 100 };
  const options = q.signal ? [{ abortSignal: q.signal }] : [];
  const action = q.kind === 'cluster' ? RDS_IAM.describeClusterParameters : RDS_IAM.describeParameters;
  return notFoundAsUndefined(
    awsCall(action, async () => {
      const values: Record<string, DbParameter> = {};
      let pages = 0;
      let truncated = false;
      const walk =
        q.kind === 'cluster'
          ? paginateDescribeDBClusterParameters(config, { DBClusterParameterGroupName: q.group }, ...options)
          : paginateDescribeDBParameters(config, { DBParameterGroupName: q.group }, ...options);
      if (wanted.size === 0) return { values, pages, truncated };
      for await (const page of walk) {
        pages++;
        for (const p of page.Parameters ?? []) {
          if (p.ParameterName === undefined || !wanted.has(p.ParameterName)) continue;
          values[p.ParameterName] = {
            name: p.ParameterName,
            ...(p.ParameterValue !== undefined && { value: p.ParameterValue }),
            ...(p.Source !== undefined && { source: p.Source }),
          };
        }
        if (Object.keys(values).length === wanted.size) break;
        if (pages >= maxPages && page.Marker) {
          truncated = true;
          break;
        }
      }
      return { values, pages, truncated };
    }),
  );
}
