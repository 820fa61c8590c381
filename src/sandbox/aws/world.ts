/**
 * The live state of the AWS double: a scenario with every time resolved to a Date and every
 * derived identifier (ARNs, endpoints, event ids, deployment ids) filled in. Handlers read
 * and mutate it; tests may inspect or tweak it directly. Plain data only (no functions), so
 * a world can be logged or snapshotted.
 */
import { resolveTime, type Scenario } from '../scenario.js';
import { stableDigits, stableHex, stableUuid } from './ids.js';
import { ScenarioError } from './scenario-error.js';
import { buildCloudFormation, buildIam, buildKms, type CfnStack, type IamAllow, type KmsKey } from './world-kms-cfn-iam.js';
import { buildEc2World, buildElastiCacheWorld, type Ec2World, type ElastiCacheWorld } from './world-ec2.js';
import { buildAcmWorld, buildRoute53World, type AcmWorld, type Route53World } from './world-dns.js';
import { buildCodeBuildWorld, type CodeBuildWorld } from './world-codebuild.js';
import {
  buildParameterGroups,
  hasLambdaConfiguration,
  lambdaConfiguration,
  type LambdaConfiguration,
  type RdsParameterGroup,
} from './world-rotation.js';

export interface DbCluster {
  id: string;
  arn: string;
  resourceId: string;
  status: string;
  engine: string;
  engineVersion: string;
  endpoint: string;
  readerEndpoint: string;
  port: number;
  masterUsername: string;
  masterUserSecretArn?: string;
  createdAt: Date;
  /** TagList; absent = none */
  tags?: { key: string; value: string }[];
  /** DBClusterParameterGroup; absent = the engine's default group */
  parameterGroup?: string;
  /** VpcSecurityGroups */
  securityGroupIds: string[];
}

export interface DbInstance {
  id: string;
  arn: string;
  resourceId: string;
  status: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  /** set for an Aurora member instance */
  clusterId?: string;
  masterUsername: string;
  masterUserSecretArn?: string;
  endpoint: { address: string; port: number };
  availabilityZone: string;
  createdAt: Date;
  /** DBParameterGroups[0]; absent = the engine's default group */
  parameterGroup?: string;
  /** VpcSecurityGroups */
  securityGroupIds: string[];
}

export interface RdsEvent {
  sourceId: string;
  sourceType: 'db-cluster' | 'db-instance';
  sourceArn: string;
  time: Date;
  message: string;
  categories: string[];
}

export interface SecretVersion {
  id: string;
  stages: string[];
  createdAt: Date;
}

export interface Secret {
  arn: string;
  name: string;
  description?: string;
  /** the aws/secretsmanager key's ARN (RDS reports it in MasterUserSecret.KmsKeyId) */
  kmsKeyId: string;
  rotationEnabled: boolean;
  rotationRules?: { automaticallyAfterDays?: number; scheduleExpression?: string };
  rotationLambdaArn?: string;
  lastRotated?: Date;
  nextRotation?: Date;
  lastChanged?: Date;
  owningService?: string;
  createdAt: Date;
  tags: { key: string; value: string }[];
  versions: SecretVersion[];
}

export interface TrailEvent {
  eventId: string;
  requestId: string;
  time: Date;
  eventName: string;
  eventSource: string;
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  username?: string;
  userArn?: string;
  secretId?: string;
  errorCode?: string;
  errorMessage?: string;
  /** undefined: derived from secretId; null: explicitly null */
  requestParameters?: Record<string, unknown> | null;
  readOnly: boolean;
  /** explicit resources (e.g. AWS::KMS::Key); Secrets Manager events derive theirs from secretId */
  resources?: { type: string; name: string }[];
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface EcsDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  /** family:revision */
  taskDefinition: string;
  desiredCount: number;
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
  /** when the simulated rollout reaches its outcome (IN_PROGRESS deployments only) */
  settlesAt?: Date;
}

export interface EcsServiceEvent {
  id: string;
  createdAt: Date;
  message: string;
}

export interface EcsService {
  name: string;
  arn: string;
  /** family:revision */
  taskDefinition: string;
  desiredCount: number;
  onDeploy: 'complete' | 'fail' | 'hang';
  createdAt: Date;
  /** PRIMARY first */
  deployments: EcsDeployment[];
  /** newest first, as DescribeServices returns them */
  events: EcsServiceEvent[];
}

export interface EcsTask {
  id: string;
  arn: string;
  serviceName?: string;
  /** the deployment that started it (startedBy) */
  deploymentId?: string;
  /** family:revision */
  taskDefinition: string;
  lastStatus: string;
  desiredStatus: string;
  createdAt: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  stopCode?: string;
  availabilityZone: string;
}

export interface EcsCluster {
  name: string;
  arn: string;
  services: EcsService[];
  tasks: EcsTask[];
}

export interface TaskDefinition {
  family: string;
  revision: number;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: Date;
  containers: { name: string; image: string; secrets: { name: string; valueFrom: string }[] }[];
}

export interface SsmParameter {
  name: string;
  arn: string;
  type: 'String' | 'SecureString' | 'StringList';
  value: string;
  /** SecureString only: the KMS key as the scenario names it (default alias/aws/ssm) */
  keyId?: string;
  version: number;
  lastModified: Date;
}

export interface LambdaFunction {
  name: string;
  /** unqualified: arn:aws:lambda:REGION:ACCOUNT:function:NAME */
  arn: string;
  /** alias names besides $LATEST */
  aliases: string[];
  /** GetFunctionConfiguration and ListTags (world-rotation.ts); absent = the defaults there */
  configuration?: LambdaConfiguration;
}

/** One CloudWatch Logs event, as FilterLogEvents returns it. */
export interface LogEvent {
  /** 56 decimal digits, as AWS's event ids */
  eventId: string;
  stream: string;
  time: Date;
  /** when CloudWatch Logs received it: `time` + 500 ms in the double */
  ingestionTime: Date;
  message: string;
}

export interface LogGroup {
  name: string;
  /** without the ":*" suffix DescribeLogGroups' `arn` carries */
  arn: string;
  /** oldest first (time, then scenario order) */
  events: LogEvent[];
}

export interface World {
  scenarioName: string;
  accountId: string;
  region: string;
  rds: { clusters: DbCluster[]; instances: DbInstance[]; events: RdsEvent[]; parameterGroups?: RdsParameterGroup[] };
  secretsManager: { secrets: Secret[] };
  cloudtrail: { events: TrailEvent[] };
  ecs: { clusters: EcsCluster[]; taskDefinitions: TaskDefinition[] };
  ssm: { parameters: SsmParameter[] };
  lambda: { functions: LambdaFunction[] };
  logs: { groups: LogGroup[] };
  cloudformation: { stacks: CfnStack[] };
  kms: { keys: KmsKey[] };
  /** IAM is global in AWS; the double keeps it with the scenario's Region */
  iam: { allow: IamAllow[] };
  ec2: Ec2World;
  elasticache: ElastiCacheWorld;
  /** global: shared by every Region's world (world-dns.ts) */
  route53: Route53World;
  /** every Region's certificates, each with its Region (world-dns.ts) */
  acm: AcmWorld;
  /** CodeBuild projects and builds (world-codebuild.ts) */
  codebuild: CodeBuildWorld;
}

// ---------------------------------------------------------------- ARNs and names

export const arns = {
  rdsCluster: (w: Pick<World, 'region' | 'accountId'>, id: string) => `arn:aws:rds:${w.region}:${w.accountId}:cluster:${id}`,
  rdsInstance: (w: Pick<World, 'region' | 'accountId'>, id: string) => `arn:aws:rds:${w.region}:${w.accountId}:db:${id}`,
  ecsCluster: (w: Pick<World, 'region' | 'accountId'>, name: string) => `arn:aws:ecs:${w.region}:${w.accountId}:cluster/${name}`,
  ecsService: (w: Pick<World, 'region' | 'accountId'>, cluster: string, name: string) =>
    `arn:aws:ecs:${w.region}:${w.accountId}:service/${cluster}/${name}`,
  ecsTask: (w: Pick<World, 'region' | 'accountId'>, cluster: string, id: string) =>
    `arn:aws:ecs:${w.region}:${w.accountId}:task/${cluster}/${id}`,
  taskDefinition: (w: Pick<World, 'region' | 'accountId'>, familyRevision: string) =>
    `arn:aws:ecs:${w.region}:${w.accountId}:task-definition/${familyRevision}`,
  /** "/a/b" → …:parameter/a/b, "name" → …:parameter/name */
  ssmParameter: (w: Pick<World, 'region' | 'accountId'>, name: string) =>
    `arn:aws:ssm:${w.region}:${w.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
  lambdaFunction: (w: Pick<World, 'region' | 'accountId'>, name: string) => `arn:aws:lambda:${w.region}:${w.accountId}:function:${name}`,
  logGroup: (w: Pick<World, 'region' | 'accountId'>, name: string) => `arn:aws:logs:${w.region}:${w.accountId}:log-group:${name}`,
};

/** "arn:…:secret:name-AbC123" → "arn:…:secret:name" */
export function secretArnWithoutSuffix(arn: string): string {
  return arn.replace(/-[A-Za-z0-9]{6}$/, '');
}

/** A Lambda log stream name for a day: "2026/11/23/[$LATEST]<32 hex>", stable per group and day. */
/** In a scenario's log message, the event's time: `[INFO]\t{{time}}\t<request id>\t…`. */
export const LOG_TIME = '{{time}}';

export function lambdaStreamName(group: string, time: Date): string {
  const day = time.toISOString().slice(0, 10);
  return `${day.replaceAll('-', '/')}/[$LATEST]${stableHex(`logs:${group}:${day}`, 32)}`;
}

export function defaultPort(engine: string): number {
  if (engine.includes('postgres')) return 5432;
  if (engine.startsWith('oracle')) return 1521;
  if (engine.startsWith('sqlserver')) return 1433;
  return 3306;
}

function defaultEngineVersion(engine: string): string {
  switch (engine) {
    case 'aurora-mysql':
      return '8.0.mysql_aurora.3.08.0';
    case 'aurora-postgresql':
      return '16.6';
    case 'postgres':
      return '16.6';
    case 'mariadb':
      return '10.11.10';
    default:
      return '8.0.40';
  }
}

export function steadyStateMessage(service: string): string {
  return `(service ${service}) has reached a steady state.`;
}

// ---------------------------------------------------------------- building

/** Resolves a scenario into a fresh world; `now` anchors the relative times ("now-3h"). */
export function buildWorld(scenario: Scenario, now: Date): World {
  const at = (value: string | undefined, fallback: Date): Date => (value === undefined ? fallback : resolveTime(value, now));
  const w = { region: scenario.region, accountId: scenario.accountId };
  const defaultCreated = new Date(now.getTime() - 30 * 86_400_000);
  const azs = ['a', 'c', 'd'].map((s) => `${scenario.region}${s}`);

  // The random-looking part of RDS host names is fixed per account and Region.
  const hostPart =
    scenario.rds.clusters.map((c) => /\.cluster-(?:ro-)?([a-z0-9]{12})\./.exec(c.endpoint ?? '')?.[1]).find(Boolean) ??
    stableHex(`${scenario.accountId}/${scenario.region}/rds`, 12);
  const kmsKeyFor = (arn: string) => `arn:aws:kms:${scenario.region}:${scenario.accountId}:key/${stableUuid(`kms:${arn}`)}`;

  const clusters: DbCluster[] = scenario.rds.clusters.map((c) => {
    const endpoint = c.endpoint ?? `${c.id}.cluster-${hostPart}.${scenario.region}.rds.amazonaws.com`;
    return {
      id: c.id,
      arn: arns.rdsCluster(w, c.id),
      resourceId: `cluster-${stableHex(`cluster:${c.id}`, 26).toUpperCase()}`,
      status: c.status,
      engine: c.engine,
      engineVersion: c.engineVersion ?? defaultEngineVersion(c.engine),
      endpoint,
      readerEndpoint: endpoint.replace('.cluster-', '.cluster-ro-'),
      port: defaultPort(c.engine),
      masterUsername: c.masterUsername,
      ...(c.masterUserSecretArn !== undefined && { masterUserSecretArn: c.masterUserSecretArn }),
      createdAt: at(c.createdAt, defaultCreated),
      ...(c.tags !== undefined && { tags: Object.entries(c.tags).map(([key, value]) => ({ key, value })) }),
      ...(c.parameterGroup !== undefined && { parameterGroup: c.parameterGroup }),
      securityGroupIds: [...(c.securityGroupIds ?? [])],
    };
  });

  const instances: DbInstance[] = scenario.rds.instances.map((i, index) => {
    const cluster = i.clusterId === undefined ? undefined : clusters.find((c) => c.id === i.clusterId);
    if (i.clusterId !== undefined && !cluster) {
      throw new ScenarioError(`scenario ${scenario.name}: instance ${i.id} names cluster ${i.clusterId}, which is not in rds.clusters`);
    }
    return {
      id: i.id,
      arn: arns.rdsInstance(w, i.id),
      resourceId: `db-${stableHex(`db:${i.id}`, 26).toUpperCase()}`,
      status: i.status,
      engine: i.engine,
      engineVersion: i.engineVersion ?? cluster?.engineVersion ?? defaultEngineVersion(i.engine),
      instanceClass: i.instanceClass,
      ...(i.clusterId !== undefined && { clusterId: i.clusterId }),
      masterUsername: cluster?.masterUsername ?? i.masterUsername,
      ...(i.masterUserSecretArn !== undefined && { masterUserSecretArn: i.masterUserSecretArn }),
      endpoint: { address: `${i.id}.${hostPart}.${scenario.region}.rds.amazonaws.com`, port: defaultPort(i.engine) },
      availabilityZone: azs[index % azs.length]!,
      createdAt: at(i.createdAt, cluster?.createdAt ?? defaultCreated),
      ...(i.parameterGroup !== undefined && { parameterGroup: i.parameterGroup }),
      securityGroupIds: [...(i.securityGroupIds ?? cluster?.securityGroupIds ?? [])],
    };
  });

  const rdsEvents: RdsEvent[] = scenario.rds.events.map((e) => ({
    sourceId: e.sourceId,
    sourceType: e.sourceType,
    sourceArn: e.sourceType === 'db-cluster' ? arns.rdsCluster(w, e.sourceId) : arns.rdsInstance(w, e.sourceId),
    time: resolveTime(e.time, now),
    message: e.message,
    categories: [...e.categories],
  }));

  const trailEvents: TrailEvent[] = scenario.cloudtrail.events.map((e, index) => ({
    eventId: stableUuid(`${scenario.name}:cloudtrail:${index}`),
    requestId: stableUuid(`${scenario.name}:cloudtrail-request:${index}`),
    time: resolveTime(e.time, now),
    eventName: e.eventName,
    eventSource: e.eventSource,
    eventType: e.eventType,
    ...(e.username !== undefined && { username: e.username }),
    ...(e.userArn !== undefined && { userArn: e.userArn }),
    ...(e.secretId !== undefined && { secretId: e.secretId }),
    ...(e.errorCode !== undefined && { errorCode: e.errorCode }),
    ...(e.errorMessage !== undefined && { errorMessage: e.errorMessage }),
    ...(e.requestParameters !== undefined && { requestParameters: e.requestParameters }),
    readOnly: e.readOnly,
    ...(e.resources !== undefined && { resources: e.resources.map((r) => ({ ...r })) }),
  }));

  const secrets: Secret[] = scenario.secretsManager.secrets.map((s) => {
    const createdAt = at(s.createdAt, defaultCreated);
    const lastRotated = s.lastRotated === undefined ? undefined : resolveTime(s.lastRotated, now);
    const versions: SecretVersion[] = [
      { id: stableUuid(`${s.arn}:current`), stages: ['AWSCURRENT'], createdAt: lastRotated ?? createdAt },
    ];
    if (lastRotated) versions.push({ id: stableUuid(`${s.arn}:previous`), stages: ['AWSPREVIOUS'], createdAt });
    // A rotation that failed after the last success leaves its new version labelled AWSPENDING.
    const rotationEvents = trailEvents
      .filter((e) => e.eventType === 'AwsServiceEvent' && e.secretId === s.arn && /^Rotation(Succeeded|Failed)$/.test(e.eventName))
      .sort((a, b) => a.time.getTime() - b.time.getTime());
    const lastOutcome = rotationEvents[rotationEvents.length - 1];
    if (lastOutcome?.eventName === 'RotationFailed') {
      versions.push({ id: stableUuid(`${s.arn}:pending`), stages: ['AWSPENDING'], createdAt: lastOutcome.time });
    }
    const rules =
      s.rotationDays !== undefined || s.scheduleExpression !== undefined
        ? {
            ...(s.rotationDays !== undefined && { automaticallyAfterDays: s.rotationDays }),
            ...(s.scheduleExpression !== undefined && { scheduleExpression: s.scheduleExpression }),
          }
        : undefined;
    return {
      arn: s.arn,
      name: s.name,
      ...(s.description !== undefined && { description: s.description }),
      kmsKeyId: kmsKeyFor(s.arn),
      rotationEnabled: s.rotationEnabled,
      ...(rules && { rotationRules: rules }),
      ...(s.rotationLambdaArn !== undefined && { rotationLambdaArn: s.rotationLambdaArn }),
      ...(lastRotated && { lastRotated }),
      ...(s.nextRotation !== undefined && { nextRotation: resolveTime(s.nextRotation, now) }),
      lastChanged: lastRotated ?? createdAt,
      ...(s.owningService !== undefined && { owningService: s.owningService }),
      createdAt,
      tags: Object.entries(s.tags).map(([key, value]) => ({ key, value })),
      versions,
    };
  });

  const taskDefinitions: TaskDefinition[] = scenario.ecs.taskDefinitions.map((td) => ({
    family: td.family,
    revision: td.revision,
    arn: arns.taskDefinition(w, `${td.family}:${td.revision}`),
    status: 'ACTIVE',
    registeredAt: defaultCreated,
    containers: td.containers.map((c) => ({ name: c.name, image: c.image, secrets: c.secrets.map((s) => ({ ...s })) })),
  }));
  const knownTaskDefinitions = new Set(taskDefinitions.map((td) => `${td.family}:${td.revision}`));

  const ecsClusters: EcsCluster[] = scenario.ecs.clusters.map((c) => {
    const cluster: EcsCluster = { name: c.name, arn: arns.ecsCluster(w, c.name), services: [], tasks: [] };
    for (const s of c.services) {
      for (const ref of [s.taskDefinition, ...s.tasks.flatMap((t) => (t.taskDefinition ? [t.taskDefinition] : []))]) {
        if (!knownTaskDefinitions.has(ref)) {
          throw new ScenarioError(`scenario ${scenario.name}: service ${c.name}/${s.name} uses task definition ${ref}, which is not in ecs.taskDefinitions`);
        }
      }
      const deploymentId = `ecs-svc/${stableDigits(`${c.name}/${s.name}`, 19)}`;
      const tasks: EcsTask[] = s.tasks.map((t, index) => {
        const startedAt = resolveTime(t.startedAt, now);
        const stopped = t.lastStatus === 'STOPPED';
        return {
          id: t.id,
          arn: arns.ecsTask(w, c.name, t.id),
          serviceName: s.name,
          deploymentId,
          taskDefinition: t.taskDefinition ?? s.taskDefinition,
          lastStatus: t.lastStatus,
          desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
          createdAt: new Date(startedAt.getTime() - 45_000),
          startedAt,
          availabilityZone: azs[index % azs.length]!,
        };
      });
      const starts = tasks.map((t) => t.startedAt!.getTime());
      const firstStart = starts.length ? Math.min(...starts) : now.getTime() - 86_400_000;
      const lastStart = starts.length ? Math.max(...starts) : firstStart;
      const steadyAt = new Date(Math.min(now.getTime(), lastStart + 120_000));
      const desiredCount = s.desiredCount ?? tasks.filter((t) => t.lastStatus === 'RUNNING').length;
      cluster.tasks.push(...tasks);
      cluster.services.push({
        name: s.name,
        arn: arns.ecsService(w, c.name, s.name),
        taskDefinition: s.taskDefinition,
        desiredCount,
        onDeploy: s.onDeploy,
        createdAt: new Date(firstStart - 600_000),
        deployments: [
          {
            id: deploymentId,
            status: 'PRIMARY',
            taskDefinition: s.taskDefinition,
            desiredCount,
            failedTasks: 0,
            rolloutState: 'COMPLETED',
            rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
            createdAt: new Date(firstStart - 60_000),
            updatedAt: steadyAt,
          },
        ],
        events: [{ id: stableUuid(`${c.name}/${s.name}:steady`), createdAt: steadyAt, message: steadyStateMessage(s.name) }],
      });
    }
    return cluster;
  });

  const parameters: SsmParameter[] = [];
  for (const p of scenario.ssm?.parameters ?? []) {
    if (parameters.some((q) => q.name === p.name)) throw new ScenarioError(`scenario ${scenario.name}: SSM parameter ${p.name} is listed twice`);
    const type = p.type ?? 'SecureString';
    parameters.push({
      name: p.name,
      arn: arns.ssmParameter(w, p.name),
      type,
      value: p.value,
      ...(type === 'SecureString' && { keyId: p.keyId ?? 'alias/aws/ssm' }),
      version: p.version ?? 1,
      lastModified: at(p.lastModified, defaultCreated),
    });
  }

  const functions: LambdaFunction[] = [];
  for (const f of scenario.lambda?.functions ?? []) {
    if (functions.some((g) => g.name === f.name)) throw new ScenarioError(`scenario ${scenario.name}: Lambda function ${f.name} is listed twice`);
    functions.push({
      name: f.name,
      arn: arns.lambdaFunction(w, f.name),
      aliases: [...(f.aliases ?? [])],
      // only for a function the scenario configures: the handlers apply the same defaults otherwise
      ...(hasLambdaConfiguration(f) && { configuration: lambdaConfiguration(scenario, f, now) }),
    });
  }

  const logGroups: LogGroup[] = [];
  for (const g of scenario.logs?.groups ?? []) {
    if (logGroups.some((h) => h.name === g.name)) throw new ScenarioError(`scenario ${scenario.name}: log group ${g.name} is listed twice`);
    const events = (g.events ?? [])
      .map((e, index) => {
        const t = resolveTime(e.time, now);
        return {
          index,
          event: {
            eventId: stableDigits(`${scenario.name}:logs:${g.name}:${index}`, 56),
            stream: e.stream ?? lambdaStreamName(g.name, t),
            time: t,
            ingestionTime: new Date(t.getTime() + 500),
            // "{{time}}" in a message is the event's own time (ISO), as Lambda's log formats print it
            message: e.message.replaceAll(LOG_TIME, t.toISOString()),
          },
        };
      })
      .sort((a, b) => a.event.time.getTime() - b.event.time.getTime() || a.index - b.index)
      .map(({ event }) => event);
    logGroups.push({ name: g.name, arn: arns.logGroup(w, g.name), events });
  }

  return {
    scenarioName: scenario.name,
    accountId: scenario.accountId,
    region: scenario.region,
    rds: { clusters, instances, events: rdsEvents, ...(scenario.rds.parameterGroups && { parameterGroups: buildParameterGroups(scenario) }) },
    secretsManager: { secrets },
    cloudtrail: { events: trailEvents },
    ecs: { clusters: ecsClusters, taskDefinitions },
    ssm: { parameters },
    lambda: { functions },
    logs: { groups: logGroups },
    cloudformation: buildCloudFormation(scenario, now),
    kms: buildKms(scenario, now),
    iam: buildIam(scenario),
    ec2: buildEc2World(scenario, now),
    elasticache: buildElastiCacheWorld(scenario, now),
    route53: buildRoute53World(scenario, now),
    acm: buildAcmWorld(scenario, now),
    codebuild: buildCodeBuildWorld(scenario, now),
  };
}
