import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
  UpdateServiceCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

const ecsClient = (aws: AwsClients) => withAbort(aws.client('ecs', (config) => new ECSClient(config)));

export const ECS_IAM = {
  listClusters: iam('ecs:ListClusters'),
  listServices: iam('ecs:ListServices'),
  describeServices: iam('ecs:DescribeServices'),
  describeTaskDefinition: iam('ecs:DescribeTaskDefinition'),
  listTasks: iam('ecs:ListTasks'),
  describeTasks: iam('ecs:DescribeTasks'),
  updateService: iam('ecs:UpdateService'),
} as const;

export interface EcsService {
  clusterArn: string;
  clusterName: string;
  name: string;
  arn: string;
  taskDefinitionArn: string;
  desiredCount: number;
  runningCount: number;
}

export interface SecretReference {
  container: string;
  /** the environment variable the container sees */
  name: string;
  valueFrom: string;
}

export interface EcsTask {
  id: string;
  arn: string;
  startedAt?: Date;
  createdAt?: Date;
  lastStatus: string;
  taskDefinitionArn?: string;
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

export const nameFromArn = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

async function servicesOfCluster(client: ECSClient, clusterArn: string): Promise<EcsService[]> {
  const arns: string[] = [];
  await awsCall(ECS_IAM.listServices, async () => {
    for await (const page of paginateListServices({ client, pageSize: 100 }, { cluster: clusterArn }))
      arns.push(...(page.serviceArns ?? []));
  });
  const described = await Promise.all(
    chunks(arns, 10).map((batch) =>
      awsCall(ECS_IAM.describeServices, () =>
        client.send(new DescribeServicesCommand({ cluster: clusterArn, services: batch })),
      ),
    ),
  );
  return described.flatMap((out) =>
    (out.services ?? []).map((s) => ({
      clusterArn,
      clusterName: nameFromArn(clusterArn),
      name: s.serviceName ?? nameFromArn(s.serviceArn ?? '?'),
      arn: s.serviceArn ?? '',
      taskDefinitionArn: s.taskDefinition ?? '',
      desiredCount: s.desiredCount ?? 0,
      runningCount: s.runningCount ?? 0,
    })),
  );
}

/** Every service in every cluster of the Region. */
export async function listServices(aws: AwsClients): Promise<EcsService[]> {
  const client = ecsClient(aws);
  const clusterArns: string[] = [];
  await awsCall(ECS_IAM.listClusters, async () => {
    for await (const page of paginateListClusters({ client, pageSize: 100 }, {}))
      clusterArns.push(...(page.clusterArns ?? []));
  });
  return (await Promise.all(clusterArns.map((arn) => servicesOfCluster(client, arn)))).flat();
}

/** The secrets each container of a task definition is given at start. */
export async function taskDefinitionSecrets(aws: AwsClients, taskDefinitionArn: string): Promise<SecretReference[]> {
  return awsCall(ECS_IAM.describeTaskDefinition, async () => {
    const out = await ecsClient(aws).send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
    return (out.taskDefinition?.containerDefinitions ?? []).flatMap((c) =>
      (c.secrets ?? []).map((s) => ({ container: c.name ?? '?', name: s.name ?? '?', valueFrom: s.valueFrom ?? '' })),
    );
  });
}

export interface ServiceRollout {
  /** the PRIMARY deployment: the one ECS is rolling out */
  deploymentId?: string;
  /** when the PRIMARY deployment was created */
  deploymentCreatedAt?: Date;
  rolloutState?: string;
  rolloutReason?: string;
  desiredCount: number;
  runningCount: number;
  /** newest first, as ECS lists them */
  events: Array<{ time?: Date; message: string }>;
}

/** Forces a new deployment with the same task definition: every task restarts and re-reads its secrets. */
export async function forceNewDeployment(
  aws: AwsClients,
  cluster: string,
  service: string,
): Promise<{ requestId?: string; deploymentId?: string }> {
  return awsCall(ECS_IAM.updateService, async () => {
    const out = await ecsClient(aws).send(new UpdateServiceCommand({ cluster, service, forceNewDeployment: true }));
    const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
    return { requestId: out.$metadata.requestId, deploymentId: primary?.id };
  });
}

export async function describeRollout(aws: AwsClients, cluster: string, service: string): Promise<ServiceRollout> {
  return awsCall(ECS_IAM.describeServices, async () => {
    const out = await ecsClient(aws).send(new DescribeServicesCommand({ cluster, services: [service] }));
    const s = out.services?.[0];
    if (!s) throw Object.assign(new Error(`service ${service} not found in cluster ${cluster}`), { name: 'ServiceNotFoundException' });
    const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
    return {
      deploymentId: primary?.id,
      ...(primary?.createdAt ? { deploymentCreatedAt: primary.createdAt } : {}),
      rolloutState: primary?.rolloutState,
      rolloutReason: primary?.rolloutStateReason,
      desiredCount: s.desiredCount ?? 0,
      runningCount: s.runningCount ?? 0,
      events: (s.events ?? []).map((e) => ({ time: e.createdAt, message: e.message ?? '' })),
    };
  });
}

export async function runningTasks(aws: AwsClients, service: Pick<EcsService, 'clusterArn' | 'name'>): Promise<EcsTask[]> {
  const client = ecsClient(aws);
  const arns: string[] = [];
  await awsCall(ECS_IAM.listTasks, async () => {
    const pages = paginateListTasks(
      { client, pageSize: 100 },
      { cluster: service.clusterArn, serviceName: service.name, desiredStatus: 'RUNNING' },
    );
    for await (const page of pages) arns.push(...(page.taskArns ?? []));
  });
  const described = await Promise.all(
    chunks(arns, 100).map((batch) =>
      awsCall(ECS_IAM.describeTasks, () => client.send(new DescribeTasksCommand({ cluster: service.clusterArn, tasks: batch }))),
    ),
  );
  return described.flatMap((out) =>
    (out.tasks ?? []).map((t) => ({
      id: nameFromArn(t.taskArn ?? '?'),
      arn: t.taskArn ?? '',
      startedAt: t.startedAt,
      createdAt: t.createdAt,
      lastStatus: t.lastStatus ?? 'UNKNOWN',
      taskDefinitionArn: t.taskDefinitionArn,
    })),
  );
}
