/**
 * Amazon ECS (awsJson1_1, target prefix "AmazonEC2ContainerServiceV20141113"): ListClusters,
 * ListServices, DescribeServices, DescribeTaskDefinition, ListTasks, DescribeTasks and
 * UpdateService with a simulated rollout.
 *
 * Rollout: UpdateService with forceNewDeployment (or a new task definition) adds a PRIMARY
 * deployment IN_PROGRESS (the previous ones become ACTIVE). `deployDelayMs` later the
 * service's `onDeploy` decides: "complete" starts new tasks (startedAt = that moment), stops
 * the old ones and marks the rollout COMPLETED with the usual service events; "fail" marks it
 * FAILED (circuit breaker) and leaves the old tasks running; "hang" stays IN_PROGRESS.
 */
import { AwsError } from '../errors.js';
import { randomDigits, randomHex, randomUUID, stableUuid } from '../ids.js';
import { Json11Protocol } from '../protocols/json11.js';
import {
  arns,
  steadyStateMessage,
  type EcsCluster,
  type EcsDeployment,
  type EcsService,
  type EcsTask,
  type TaskDefinition,
  type World,
} from '../world.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const protocol = new Json11Protocol({ messageKey: 'message' });

/** stopped tasks stay visible to ListTasks/DescribeTasks for about an hour */
const STOPPED_VISIBLE_MS = 3_600_000;
const MAX_SERVICE_EVENTS = 100;

function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

function lastSegment(value: string): string {
  return value.slice(value.lastIndexOf('/') + 1);
}

function findCluster(world: World, ref: string | undefined): EcsCluster {
  const name = ref === undefined || ref === '' ? 'default' : ref.startsWith('arn:') ? lastSegment(ref) : ref;
  const cluster = world.ecs.clusters.find((c) => c.name === name);
  if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
  return cluster;
}

function findService(cluster: EcsCluster, ref: string): EcsService | undefined {
  if (ref.startsWith('arn:')) {
    // arn:…:service/CLUSTER/NAME (or the old arn:…:service/NAME)
    const parts = ref.slice(ref.indexOf(':service/') + ':service/'.length).split('/');
    if (parts.length === 2 && parts[0] !== cluster.name) return undefined;
    return cluster.services.find((s) => s.name === parts[parts.length - 1]);
  }
  return cluster.services.find((s) => s.name === ref);
}

function findTask(cluster: EcsCluster, ref: string): EcsTask | undefined {
  return cluster.tasks.find((t) => (ref.startsWith('arn:') ? t.arn === ref : t.id === ref));
}

/** "family:rev", "family" (latest ACTIVE revision) or the full ARN */
export function findTaskDefinition(world: World, ref: string): TaskDefinition | undefined {
  const familyRev = ref.startsWith('arn:') ? ref.slice(ref.indexOf('task-definition/') + 'task-definition/'.length) : ref;
  const m = /^(.+):(\d+)$/.exec(familyRev);
  if (m) return world.ecs.taskDefinitions.find((td) => td.family === m[1] && td.revision === Number(m[2]));
  return world.ecs.taskDefinitions
    .filter((td) => td.family === familyRev && td.status === 'ACTIVE')
    .sort((a, b) => b.revision - a.revision)[0];
}

function maxResults(p: ParamReader, fallback: number): number {
  const n = p.int('maxResults') ?? fallback;
  if (n < 1 || n > 100) throw invalidParameter('maxResults must be between 1 and 100.');
  return n;
}

function pageOf<T>(all: readonly T[], p: ParamReader, params: Params, fallback: number) {
  const { nextToken: _t, maxResults: _m, ...scope } = params;
  return paginate(all, {
    token: p.str('nextToken'),
    limit: maxResults(p, fallback),
    scope,
    invalidToken: () => invalidParameter('Invalid token.'),
  });
}

// ---------------------------------------------------------------- shapes

function tdArn(world: World, familyRevision: string): string {
  return arns.taskDefinition(world, familyRevision);
}

function serviceTasks(cluster: EcsCluster, s: EcsService): EcsTask[] {
  return cluster.tasks.filter((t) => t.serviceName === s.name);
}

function deploymentJson(world: World, cluster: EcsCluster, s: EcsService, d: EcsDeployment) {
  const tasks = serviceTasks(cluster, s).filter((t) => t.deploymentId === d.id);
  return {
    id: d.id,
    status: d.status,
    taskDefinition: tdArn(world, d.taskDefinition),
    desiredCount: d.desiredCount,
    pendingCount: tasks.filter((t) => t.lastStatus === 'PENDING').length,
    runningCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    failedTasks: d.failedTasks,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

function serviceJson(world: World, cluster: EcsCluster, s: EcsService) {
  const tasks = serviceTasks(cluster, s);
  return {
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: cluster.arn,
    loadBalancers: [],
    serviceRegistries: [],
    status: 'ACTIVE',
    desiredCount: s.desiredCount,
    runningCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingCount: tasks.filter((t) => t.lastStatus === 'PENDING').length,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    platformFamily: 'Linux',
    taskDefinition: tdArn(world, s.taskDefinition),
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments: s.deployments.map((d) => deploymentJson(world, cluster, s, d)),
    roleArn: `arn:aws:iam::${world.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: s.events.slice(0, MAX_SERVICE_EVENTS).map((e) => ({ id: e.id, createdAt: e.createdAt, message: e.message })),
    createdAt: s.createdAt,
    placementConstraints: [],
    placementStrategy: [],
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${world.accountId}:role/deploy`,
    enableECSManagedTags: true,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    availabilityZoneRebalancing: 'ENABLED',
  };
}

function taskJson(world: World, cluster: EcsCluster, t: EcsTask) {
  const td = findTaskDefinition(world, t.taskDefinition);
  return {
    attachments: [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: t.availabilityZone,
    clusterArn: cluster.arn,
    connectivity: 'CONNECTED',
    connectivityAt: new Date(t.createdAt.getTime() + 5_000),
    containers: (td?.containers ?? []).map((c) => ({
      containerArn: `arn:aws:ecs:${world.region}:${world.accountId}:container/${cluster.name}/${t.id}/${stableUuid(`${t.id}/${c.name}`)}`,
      taskArn: t.arn,
      name: c.name,
      image: c.image,
      lastStatus: t.lastStatus,
      networkInterfaces: [],
      healthStatus: 'UNKNOWN',
      cpu: '0',
    })),
    cpu: '512',
    memory: '1024',
    createdAt: t.createdAt,
    desiredStatus: t.desiredStatus,
    enableExecuteCommand: false,
    group: t.serviceName !== undefined ? `service:${t.serviceName}` : `family:${t.taskDefinition.split(':')[0]}`,
    healthStatus: 'UNKNOWN',
    lastStatus: t.lastStatus,
    launchType: 'FARGATE',
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [] },
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    pullStartedAt: t.startedAt ? new Date(t.createdAt.getTime() + 10_000) : undefined,
    pullStoppedAt: t.startedAt ? new Date(t.createdAt.getTime() + 20_000) : undefined,
    startedAt: t.startedAt,
    startedBy: t.deploymentId,
    stopCode: t.stopCode,
    stoppedAt: t.stoppedAt,
    stoppedReason: t.stoppedReason,
    stoppingAt: t.stoppingAt,
    tags: [],
    taskArn: t.arn,
    taskDefinitionArn: tdArn(world, t.taskDefinition),
    version: t.lastStatus === 'STOPPED' ? 5 : 3,
  };
}

function taskDefinitionJson(world: World, td: TaskDefinition) {
  return {
    taskDefinitionArn: td.arn,
    containerDefinitions: td.containers.map((c) => ({
      name: c.name,
      image: c.image,
      cpu: 0,
      portMappings: [],
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      secrets: c.secrets.map((s) => ({ name: s.name, valueFrom: s.valueFrom })),
      systemControls: [],
    })),
    family: td.family,
    executionRoleArn: `arn:aws:iam::${world.accountId}:role/ecsTaskExecutionRole`,
    networkMode: 'awsvpc',
    revision: td.revision,
    volumes: [],
    status: td.status,
    requiresAttributes: [],
    placementConstraints: [],
    compatibilities: ['EC2', 'FARGATE'],
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    registeredAt: td.registeredAt,
    registeredBy: `arn:aws:iam::${world.accountId}:role/deploy`,
  };
}

// ---------------------------------------------------------------- operations

function listClusters(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const page = pageOf(ctx.world.ecs.clusters, p, ctx.params, 100);
  return { clusterArns: page.items.map((c) => c.arn), nextToken: page.next };
}

function listServices(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const cluster = findCluster(ctx.world, p.str('cluster'));
  const launchType = p.str('launchType');
  const strategy = p.str('schedulingStrategy');
  const services = cluster.services.filter(
    () => (launchType === undefined || launchType === 'FARGATE') && (strategy === undefined || strategy === 'REPLICA'),
  );
  const page = pageOf(services, p, ctx.params, 10);
  return { serviceArns: page.items.map((s) => s.arn), nextToken: page.next };
}

function describeServices(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const cluster = findCluster(ctx.world, p.str('cluster'));
  const refs = p.strings('services', true) ?? [];
  if (refs.length === 0) throw invalidParameter('Services cannot be empty.');
  if (refs.length > 10) throw invalidParameter('Services cannot have more than 10 elements.');
  const services = [];
  const failures = [];
  for (const ref of refs) {
    const s = findService(cluster, ref);
    if (s) services.push(serviceJson(ctx.world, cluster, s));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : arns.ecsService(ctx.world, cluster.name, ref), reason: 'MISSING' });
  }
  return { services, failures };
}

function describeTaskDefinition(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const td = findTaskDefinition(ctx.world, p.str('taskDefinition', true));
  if (!td) throw new AwsError('ClientException', 'Unable to describe task definition.');
  const include = p.strings('include') ?? [];
  return { taskDefinition: taskDefinitionJson(ctx.world, td), ...(include.includes('TAGS') && { tags: [] }) };
}

function listTasks(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { now } = ctx;
  const cluster = findCluster(ctx.world, p.str('cluster'));
  const serviceName = p.str('serviceName');
  const family = p.str('family');
  const startedBy = p.str('startedBy');
  const desired = p.str('desiredStatus') ?? 'RUNNING';
  if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired)) throw invalidParameter(`Invalid desiredStatus: ${desired}`);
  if (serviceName !== undefined && family !== undefined) {
    throw invalidParameter('Cannot specify both family and serviceName.');
  }
  let service: EcsService | undefined;
  if (serviceName !== undefined) {
    service = findService(cluster, serviceName);
    if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
  }
  const tasks = cluster.tasks.filter((t) => {
    if (t.desiredStatus !== desired) return false;
    if (desired === 'STOPPED' && t.stoppedAt && now.getTime() - t.stoppedAt.getTime() > STOPPED_VISIBLE_MS) return false;
    if (service && t.serviceName !== service.name) return false;
    if (family !== undefined && t.taskDefinition.split(':')[0] !== family) return false;
    if (startedBy !== undefined && t.deploymentId !== startedBy) return false;
    return true;
  });
  const page = pageOf(tasks, p, ctx.params, 100);
  return { taskArns: page.items.map((t) => t.arn), nextToken: page.next };
}

function describeTasks(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const cluster = findCluster(ctx.world, p.str('cluster'));
  const refs = p.strings('tasks', true) ?? [];
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('Tasks cannot have more than 100 elements.');
  const tasks = [];
  const failures = [];
  for (const ref of refs) {
    const t = findTask(cluster, ref);
    if (t) tasks.push(taskJson(ctx.world, cluster, t));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : arns.ecsTask(ctx.world, cluster.name, ref), reason: 'MISSING' });
  }
  return { tasks, failures };
}

function updateService(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world, now } = ctx;
  const cluster = findCluster(world, p.str('cluster'));
  const service = findService(cluster, p.str('service', true));
  if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
  const desiredCount = p.int('desiredCount');
  if (desiredCount !== undefined && desiredCount < 0) throw invalidParameter('desiredCount must be greater than or equal to 0.');
  const tdRef = p.str('taskDefinition');
  const force = p.bool('forceNewDeployment') ?? false;

  let taskDefinition = service.taskDefinition;
  if (tdRef !== undefined) {
    const td = findTaskDefinition(world, tdRef);
    if (!td) throw new AwsError('ClientException', 'TaskDefinition not found.');
    taskDefinition = `${td.family}:${td.revision}`;
  }
  if (desiredCount !== undefined) service.desiredCount = desiredCount;

  if (force || taskDefinition !== service.taskDefinition) {
    for (const d of service.deployments) {
      d.status = 'ACTIVE';
      delete d.settlesAt;
    }
    const id = `ecs-svc/${randomDigits(19)}`;
    const deployment: EcsDeployment = {
      id,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: service.desiredCount,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: now,
      updatedAt: now,
      ...(service.onDeploy !== 'hang' && { settlesAt: new Date(now.getTime() + ctx.options.deployDelayMs) }),
    };
    service.deployments.unshift(deployment);
    service.taskDefinition = taskDefinition;
  } else {
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    if (primary) {
      primary.desiredCount = service.desiredCount;
      primary.updatedAt = now;
    }
  }
  return { service: serviceJson(world, cluster, service) };
}

// ---------------------------------------------------------------- simulation

function addEvent(service: EcsService, at: Date, message: string): void {
  service.events.unshift({ id: randomUUID(), createdAt: at, message });
  service.events.length = Math.min(service.events.length, MAX_SERVICE_EVENTS);
}

function taskList(tasks: EcsTask[]): string {
  return tasks.map((t) => `(task ${t.id})`).join(' ');
}

function settle(world: World, cluster: EcsCluster, service: EcsService, d: EcsDeployment): void {
  const at = d.settlesAt ?? d.updatedAt;
  delete d.settlesAt;
  d.updatedAt = at;
  const azs = ['a', 'c', 'd'].map((s) => `${world.region}${s}`);
  const newTask = (index: number): EcsTask => {
    const id = randomHex(32);
    return {
      id,
      arn: arns.ecsTask(world, cluster.name, id),
      serviceName: service.name,
      deploymentId: d.id,
      taskDefinition: d.taskDefinition,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      createdAt: d.createdAt,
      startedAt: at,
      availabilityZone: azs[index % azs.length]!,
    };
  };

  if (service.onDeploy === 'fail') {
    const failed = Array.from({ length: Math.max(1, d.desiredCount) }, (_, i) => {
      const { startedAt: _never, ...t } = newTask(i);
      return {
        ...t,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppingAt: at,
        stoppedAt: at,
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
      };
    });
    cluster.tasks.push(...failed);
    d.failedTasks = failed.length;
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    addEvent(service, at, `(service ${service.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`);
    return;
  }

  const started = Array.from({ length: d.desiredCount }, (_, i) => newTask(i));
  const stopped = serviceTasks(cluster, service).filter((t) => t.lastStatus === 'RUNNING' && t.deploymentId !== d.id);
  for (const t of stopped) {
    t.lastStatus = 'STOPPED';
    t.desiredStatus = 'STOPPED';
    t.stoppingAt = at;
    t.stoppedAt = at;
    t.stoppedReason = `Scaling activity initiated by (deployment ${d.id})`;
    t.stopCode = 'ServiceSchedulerInitiated';
  }
  cluster.tasks.push(...started);
  if (started.length > 0) addEvent(service, at, `(service ${service.name}) has started ${started.length} tasks: ${taskList(started)}.`);
  if (stopped.length > 0) addEvent(service, at, `(service ${service.name}) has stopped ${stopped.length} running tasks: ${taskList(stopped)}.`);
  d.rolloutState = 'COMPLETED';
  d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
  service.deployments = [d];
  addEvent(service, at, `(service ${service.name}) (deployment ${d.id}) deployment completed.`);
  addEvent(service, at, steadyStateMessage(service.name));
}

function pendingRollouts(world: World) {
  return world.ecs.clusters.flatMap((cluster) =>
    cluster.services.flatMap((service) =>
      service.deployments
        .filter((d) => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS' && d.settlesAt !== undefined)
        .map((d) => ({ cluster, service, d })),
    ),
  );
}

function advance(world: World, now: Date): void {
  for (const { cluster, service, d } of pendingRollouts(world)) {
    if (d.settlesAt! <= now) settle(world, cluster, service, d);
  }
}

function nextChangeAt(world: World): Date | undefined {
  const times = pendingRollouts(world).map(({ d }) => d.settlesAt!.getTime());
  return times.length ? new Date(Math.min(...times)) : undefined;
}

function iamResource(operation: string, params: Params, world: World): string {
  const cluster = typeof params.cluster === 'string' ? (params.cluster.startsWith('arn:') ? lastSegment(params.cluster) : params.cluster) : 'default';
  if (operation === 'UpdateService' && typeof params.service === 'string') {
    return params.service.startsWith('arn:') ? params.service : arns.ecsService(world, cluster, params.service);
  }
  if (operation === 'DescribeServices' && Array.isArray(params.services) && typeof params.services[0] === 'string') {
    const s = params.services[0];
    return s.startsWith('arn:') ? s : arns.ecsService(world, cluster, s);
  }
  if (operation === 'ListServices' || operation === 'ListTasks' || operation === 'DescribeTasks') return arns.ecsCluster(world, cluster);
  return '*';
}

export const ecs: ServiceModule = {
  signingName: 'ecs',
  protocol,
  operations: {
    ListClusters: listClusters,
    ListServices: listServices,
    DescribeServices: describeServices,
    DescribeTaskDefinition: describeTaskDefinition,
    ListTasks: listTasks,
    DescribeTasks: describeTasks,
    UpdateService: updateService,
  },
  iamResource,
  advance,
  nextChangeAt,
};
