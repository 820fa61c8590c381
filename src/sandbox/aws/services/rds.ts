/**
 * Amazon RDS (awsQuery, API version 2014-10-31): DescribeDBClusters, DescribeDBInstances,
 * DescribeEvents, DescribeDBClusterParameters, DescribeDBParameters. Element names follow
 * the RDS API Reference.
 */
import { AwsError } from '../errors.js';
import { QueryXmlProtocol, xmlList } from '../protocols/query-xml.js';
import { arns, type DbCluster, type DbInstance, type RdsEvent, type World } from '../world.js';
import { defaultParameterGroupName, type RdsParameter, type RdsParameterGroup } from '../world-rotation.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const VERSION = '2014-10-31';
const protocol = new QueryXmlProtocol({ version: VERSION, xmlns: `http://rds.amazonaws.com/doc/${VERSION}/` });

const EVENT_RETENTION_MS = 14 * 86_400_000;
const SOURCE_TYPES = [
  'db-instance',
  'db-parameter-group',
  'db-security-group',
  'db-snapshot',
  'db-cluster',
  'db-cluster-snapshot',
  'custom-engine-version',
  'db-proxy',
  'blue-green-deployment',
  'db-shard-group',
  'zero-etl',
];

/** "prod-db" or "arn:aws:rds:…:cluster:prod-db" → "prod-db" */
function idFromArn(value: string): string {
  const m = /^arn:aws[\w-]*:rds:[^:]*:\d*:(?:cluster|db):(.+)$/.exec(value);
  return m ? m[1]! : value;
}

function maxRecords(p: ParamReader): number {
  const n = p.int('MaxRecords');
  if (n === undefined) return 100;
  // AWS's minimum is 20; the double accepts smaller pages so tests can exercise paging cheaply.
  if (n < 1 || n > 100) throw p.invalid(`Invalid value ${n} for MaxRecords. Must be between 20 and 100`);
  return n;
}

interface Filter {
  name: string;
  values: string[];
}

function filters(p: ParamReader, known: readonly string[]): Filter[] {
  const out: Filter[] = [];
  for (const raw of p.list('Filters') ?? []) {
    const f = (raw ?? {}) as Record<string, unknown>;
    const name = typeof f.Name === 'string' ? f.Name : '';
    const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === 'string') : [];
    if (!known.includes(name)) throw p.invalid(`Unrecognized filter name: ${name}`);
    if (values.length === 0) throw p.invalid(`The filter ${name} must have at least one value`);
    out.push({ name, values });
  }
  return out;
}

function pageFor<T>(all: readonly T[], p: ParamReader, params: Params) {
  const { Marker: _marker, MaxRecords: _max, ...scope } = params;
  return paginate(all, {
    token: p.str('Marker'),
    limit: maxRecords(p),
    scope,
    invalidToken: () => p.invalid('The parameter Marker is not valid.'),
  });
}

function masterUserSecret(world: World, arn: string | undefined) {
  if (arn === undefined) return undefined;
  const secret = world.secretsManager.secrets.find((s) => s.arn === arn);
  return {
    SecretArn: arn,
    SecretStatus: 'active',
    KmsKeyId: secret?.kmsKeyId ?? `arn:aws:kms:${world.region}:${world.accountId}:key/00000000-0000-4000-8000-000000000000`,
  };
}

const vpcSecurityGroups = (ids: readonly string[]) =>
  xmlList(
    'VpcSecurityGroupMembership',
    ids.map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
  );

function clusterXml(world: World, c: DbCluster) {
  const members = world.rds.instances.filter((i) => i.clusterId === c.id);
  return {
    AllocatedStorage: 1,
    AvailabilityZones: xmlList('AvailabilityZone', [`${world.region}a`, `${world.region}c`, `${world.region}d`]),
    BackupRetentionPeriod: 7,
    DBClusterIdentifier: c.id,
    DBClusterParameterGroup: c.parameterGroup ?? defaultParameterGroupName(c.engine, c.engineVersion),
    DBSubnetGroup: 'default',
    Status: c.status,
    Endpoint: c.endpoint,
    ReaderEndpoint: c.readerEndpoint,
    MultiAZ: members.length > 1,
    Engine: c.engine,
    EngineVersion: c.engineVersion,
    Port: c.port,
    MasterUsername: c.masterUsername,
    VpcSecurityGroups: vpcSecurityGroups(c.securityGroupIds),
    PreferredBackupWindow: '16:00-16:30',
    PreferredMaintenanceWindow: 'sun:17:00-sun:17:30',
    DBClusterMembers: xmlList(
      'DBClusterMember',
      members.map((m, index) => ({
        DBInstanceIdentifier: m.id,
        IsClusterWriter: index === 0,
        DBClusterParameterGroupStatus: 'in-sync',
        PromotionTier: 1,
      })),
    ),
    StorageEncrypted: true,
    DbClusterResourceId: c.resourceId,
    DBClusterArn: c.arn,
    IAMDatabaseAuthenticationEnabled: false,
    ClusterCreateTime: c.createdAt,
    EngineMode: 'provisioned',
    DeletionProtection: false,
    HttpEndpointEnabled: false,
    CopyTagsToSnapshot: false,
    CrossAccountClone: false,
    TagList: xmlList('Tag', (c.tags ?? []).map((t) => ({ Key: t.key, Value: t.value }))),
    AutoMinorVersionUpgrade: true,
    MasterUserSecret: masterUserSecret(world, c.masterUserSecretArn),
  };
}

function instanceXml(world: World, i: DbInstance) {
  const aurora = i.clusterId !== undefined;
  return {
    DBInstanceIdentifier: i.id,
    DBInstanceClass: i.instanceClass,
    Engine: i.engine,
    DBInstanceStatus: i.status,
    MasterUsername: i.masterUsername,
    Endpoint: { Address: i.endpoint.address, Port: i.endpoint.port },
    VpcSecurityGroups: vpcSecurityGroups(i.securityGroupIds),
    AllocatedStorage: aurora ? 1 : 20,
    InstanceCreateTime: i.createdAt,
    PreferredBackupWindow: '16:00-16:30',
    BackupRetentionPeriod: aurora ? 7 : 1,
    AvailabilityZone: i.availabilityZone,
    PreferredMaintenanceWindow: 'sun:17:00-sun:17:30',
    MultiAZ: false,
    EngineVersion: i.engineVersion,
    AutoMinorVersionUpgrade: true,
    DBParameterGroups: xmlList('DBParameterGroup', [
      { DBParameterGroupName: i.parameterGroup ?? defaultParameterGroupName(i.engine, i.engineVersion), ParameterApplyStatus: 'in-sync' },
    ]),
    LicenseModel: i.engine.includes('postgres') ? 'postgresql-license' : 'general-public-license',
    PubliclyAccessible: false,
    StorageType: aurora ? 'aurora' : 'gp3',
    DbInstancePort: 0,
    DBClusterIdentifier: i.clusterId,
    StorageEncrypted: true,
    DbiResourceId: i.resourceId,
    CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    CopyTagsToSnapshot: false,
    DBInstanceArn: i.arn,
    IAMDatabaseAuthenticationEnabled: false,
    DeletionProtection: false,
    TagList: xmlList('Tag', []),
    // Aurora members carry no secret of their own: the cluster's MasterUserSecret applies.
    MasterUserSecret: aurora ? undefined : masterUserSecret(world, i.masterUserSecretArn),
  };
}

function eventXml(e: RdsEvent) {
  return {
    SourceIdentifier: e.sourceId,
    SourceType: e.sourceType,
    Message: e.message,
    EventCategories: xmlList('EventCategory', e.categories),
    Date: e.time,
    SourceArn: e.sourceArn,
  };
}

function describeDBClusters(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const wanted = p.str('DBClusterIdentifier');
  const fs = filters(p, ['db-cluster-id', 'engine', 'db-cluster-resource-id', 'clone-group-id', 'domain']);
  let clusters = world.rds.clusters;
  if (wanted !== undefined) {
    const id = idFromArn(wanted);
    clusters = clusters.filter((c) => c.id === id);
    if (clusters.length === 0) throw new AwsError('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
  }
  for (const f of fs) {
    clusters = clusters.filter((c) => {
      if (f.name === 'db-cluster-id') return f.values.map(idFromArn).includes(c.id);
      if (f.name === 'engine') return f.values.includes(c.engine);
      if (f.name === 'db-cluster-resource-id') return f.values.includes(c.resourceId);
      return false;
    });
  }
  const page = pageFor(clusters, p, ctx.params);
  return { Marker: page.next, DBClusters: xmlList('DBCluster', page.items.map((c) => clusterXml(world, c))) };
}

function describeDBInstances(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const wanted = p.str('DBInstanceIdentifier');
  const fs = filters(p, ['db-cluster-id', 'db-instance-id', 'dbi-resource-id', 'domain', 'engine']);
  let instances = world.rds.instances;
  if (wanted !== undefined) {
    const id = idFromArn(wanted);
    instances = instances.filter((i) => i.id === id);
    if (instances.length === 0) throw new AwsError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
  }
  for (const f of fs) {
    instances = instances.filter((i) => {
      if (f.name === 'db-cluster-id') return i.clusterId !== undefined && f.values.map(idFromArn).includes(i.clusterId);
      if (f.name === 'db-instance-id') return f.values.map(idFromArn).includes(i.id);
      if (f.name === 'dbi-resource-id') return f.values.includes(i.resourceId);
      if (f.name === 'engine') return f.values.includes(i.engine);
      return false;
    });
  }
  const page = pageFor(instances, p, ctx.params);
  return { Marker: page.next, DBInstances: xmlList('DBInstance', page.items.map((i) => instanceXml(world, i))) };
}

function describeEvents(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world, now } = ctx;
  const sourceId = p.str('SourceIdentifier');
  const sourceType = p.str('SourceType');
  if (sourceType !== undefined && !SOURCE_TYPES.includes(sourceType)) {
    throw p.invalid(`Invalid value ${sourceType} for SourceType. Must be one of: ${SOURCE_TYPES.join(', ')}`);
  }
  if (sourceId !== undefined && sourceType === undefined) {
    throw new AwsError('InvalidParameterCombination', 'SourceType must be provided when SourceIdentifier is specified.', 400);
  }
  const categories = p.strings('EventCategories') ?? [];
  const startParam = p.date('StartTime');
  const endParam = p.date('EndTime');
  const duration = p.int('Duration');
  if (duration !== undefined && duration < 0) throw p.invalid(`Invalid value ${duration} for Duration.`);
  // Duration is ignored when StartTime or EndTime is given; with EndTime alone the window is
  // the hour before it; with nothing at all, the past hour.
  let start: Date;
  let end: Date;
  if (startParam || endParam) {
    end = endParam ?? now;
    start = startParam ?? new Date(end.getTime() - 60 * 60_000);
  } else {
    end = now;
    start = new Date(now.getTime() - (duration ?? 60) * 60_000);
  }
  if (start > end) throw p.invalid('The StartTime must be before the EndTime.');
  const retained = now.getTime() - EVENT_RETENTION_MS;
  const events = world.rds.events
    .map((e, index) => ({ e, index }))
    .filter(({ e }) => {
      const t = e.time.getTime();
      if (t < retained || t < start.getTime() || t > end.getTime()) return false;
      if (sourceType !== undefined && e.sourceType !== sourceType) return false;
      if (sourceId !== undefined && e.sourceId !== idFromArn(sourceId)) return false;
      if (categories.length > 0 && !e.categories.some((c) => categories.includes(c))) return false;
      return true;
    })
    .sort((a, b) => a.e.time.getTime() - b.e.time.getTime() || a.index - b.index)
    .map(({ e }) => e);
  const page = pageFor(events, p, ctx.params);
  return { Marker: page.next, Events: xmlList('Event', page.items.map(eventXml)) };
}

// ---------------------------------------------------------------- parameter groups

const PARAMETER_SOURCES = ['user', 'engine-default', 'system'];

/**
 * The engine-default values the double knows for an engine's default group (a few that
 * matter to rotation plus one unrelated one; AWS lists hundreds). An approximation of RDS's
 * defaults: rds.force_ssl is on from PostgreSQL 15 (RDS, not Aurora), password_encryption
 * is scram-sha-256 from PostgreSQL 14, require_secure_transport is off.
 */
function engineDefaults(engine: string, version: string): RdsParameter[] {
  const major = Number.parseInt(version, 10);
  if (engine.includes('postgres')) {
    return [
      { name: 'max_connections', value: 'LEAST({DBInstanceClassMemory/9531392},5000)', source: 'engine-default' },
      { name: 'password_encryption', value: major >= 14 ? 'scram-sha-256' : 'md5', source: 'engine-default' },
      { name: 'rds.force_ssl', value: engine === 'postgres' && major >= 15 ? '1' : '0', source: 'system' },
    ];
  }
  return [
    { name: 'max_connections', value: '{DBInstanceClassMemory/12582880}', source: 'engine-default' },
    { name: 'require_secure_transport', value: 'OFF', source: 'engine-default' },
  ];
}

/** The named group of this kind: the scenario's, or an engine default group some DB uses. */
function findParameterGroup(world: World, kind: 'cluster' | 'instance', name: string): RdsParameterGroup | undefined {
  const own = world.rds.parameterGroups?.find((g) => g.kind === kind && g.name === name);
  if (own) return own;
  const users: { engine: string; engineVersion: string; parameterGroup?: string }[] = kind === 'cluster' ? world.rds.clusters : world.rds.instances;
  const user = users.find((d) => (d.parameterGroup ?? defaultParameterGroupName(d.engine, d.engineVersion)) === name);
  if (!user || !name.startsWith('default.')) return undefined;
  return { name, kind, family: name.slice('default.'.length), parameters: engineDefaults(user.engine, user.engineVersion) };
}

function parameterXml(p: RdsParameter, kind: 'cluster' | 'instance') {
  return {
    ParameterName: p.name,
    ParameterValue: p.value,
    Description: p.name,
    Source: p.source,
    ApplyType: 'dynamic',
    DataType: 'string',
    IsModifiable: p.source !== 'system' || p.name === 'rds.force_ssl',
    ApplyMethod: 'pending-reboot',
    ...(kind === 'cluster' && { SupportedEngineModes: xmlList('member', ['provisioned']) }),
  };
}

function describeParameters(kind: 'cluster' | 'instance') {
  const member = kind === 'cluster' ? 'DBClusterParameterGroupName' : 'DBParameterGroupName';
  return (ctx: OperationContext) => {
    const p = new ParamReader(ctx);
    const name = p.str(member, true);
    const source = p.str('Source');
    if (source !== undefined && !PARAMETER_SOURCES.includes(source)) throw p.invalid(`Invalid value ${source} for Source. Must be one of: ${PARAMETER_SOURCES.join(', ')}`);
    const fs = filters(p, ['parameter-name']);
    const group = findParameterGroup(ctx.world, kind, name);
    if (!group) {
      throw new AwsError('DBParameterGroupNotFound', `${kind === 'cluster' ? 'DBClusterParameterGroup' : 'DBParameterGroup'} not found: ${name}`, 404);
    }
    let parameters = [...group.parameters].sort((a, b) => a.name.localeCompare(b.name));
    if (source !== undefined) parameters = parameters.filter((x) => x.source === source);
    for (const f of fs) parameters = parameters.filter((x) => f.values.includes(x.name));
    const page = pageFor(parameters, p, ctx.params);
    return { Marker: page.next, Parameters: xmlList('Parameter', page.items.map((x) => parameterXml(x, kind))) };
  };
}

function iamResource(operation: string, params: Params, world: World): string {
  const id = (key: string) => (typeof params[key] === 'string' ? idFromArn(params[key]) : '*');
  if (operation === 'DescribeDBClusters') return arns.rdsCluster(world, id('DBClusterIdentifier'));
  if (operation === 'DescribeDBInstances') return arns.rdsInstance(world, id('DBInstanceIdentifier'));
  if (operation === 'DescribeDBClusterParameters') return `arn:aws:rds:${world.region}:${world.accountId}:cluster-pg:${id('DBClusterParameterGroupName')}`;
  if (operation === 'DescribeDBParameters') return `arn:aws:rds:${world.region}:${world.accountId}:pg:${id('DBParameterGroupName')}`;
  return '*';
}

export const rds: ServiceModule = {
  signingName: 'rds',
  protocol,
  operations: {
    DescribeDBClusters: describeDBClusters,
    DescribeDBInstances: describeDBInstances,
    DescribeEvents: describeEvents,
    DescribeDBClusterParameters: describeParameters('cluster'),
    DescribeDBParameters: describeParameters('instance'),
  },
  iamResource,
};
