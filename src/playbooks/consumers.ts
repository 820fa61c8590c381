// Who reads a secret at task start: ECS services whose task definitions reference it, and
// their running tasks. Shared by the db-down playbook and the rotation alerts.
import type { AwsClients } from '../aws/clients.js';
import { listServices, runningTasks, taskDefinitionSecrets, type EcsService, type EcsTask, type SecretReference } from '../aws/ecs.js';
import { referencesSecret, type SecretIdentity } from './secret-refs.js';

export interface Consumer {
  service: EcsService;
  refs: SecretReference[];
}

/** Every ECS service of the Region with the secrets its task definition is given. */
export async function ecsInventory(aws: AwsClients): Promise<Consumer[]> {
  const services = await listServices(aws);
  const taskDefs = [...new Set(services.map((s) => s.taskDefinitionArn).filter(Boolean))];
  const refs = new Map(await Promise.all(taskDefs.map(async (td) => [td, await taskDefinitionSecrets(aws, td)] as const)));
  return services.map((service) => ({ service, refs: refs.get(service.taskDefinitionArn) ?? [] }));
}

export function consumersOf(inventory: Consumer[], secret: SecretIdentity): Consumer[] {
  return inventory
    .map((c) => ({ service: c.service, refs: c.refs.filter((r) => referencesSecret(r.valueFrom, secret)) }))
    .filter((c) => c.refs.length > 0);
}

/** Running tasks per consuming service, keyed by service ARN. */
export async function consumerTasks(aws: AwsClients, consumers: Consumer[]): Promise<Map<string, EcsTask[]>> {
  return new Map(await Promise.all(consumers.map(async (c) => [c.service.arn, await runningTasks(aws, c.service)] as const)));
}

/** Tasks that started before `time` (they hold what the secret was then). */
export function startedBefore(tasks: EcsTask[], time: Date): EcsTask[] {
  return tasks.filter((t) => t.startedAt && t.startedAt < time);
}
