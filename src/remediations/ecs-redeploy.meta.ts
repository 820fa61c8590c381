// Redeploy an ECS service so its tasks restart and read the rotated secret (incident 003).
// The metadata (what the confirmation shows) is apart from the AWS calls so the Slack
// function, which only opens the confirmation, does not carry the ECS client.
import * as z from 'zod';
import { formatUtc } from '../time.js';
import { defineActionMeta } from './define.js';
import { shellQuote } from './shell.js';

const name = z.string().regex(/^[A-Za-z0-9_/:.-]{1,255}$/);

export const EcsRedeployParams = z.object({
  cluster: name,
  service: name,
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
  /** ISO time every task must have started after (the rotation); optional */
  after: z.string().datetime().optional(),
});
export type EcsRedeployParams = z.infer<typeof EcsRedeployParams>;

/** The commands that redeploy one service and wait for it (ecs-redeploy-all repeats them per service). */
export function redeployCommands(p: Pick<EcsRedeployParams, 'cluster' | 'service' | 'region'>): string[] {
  const base = `--region ${shellQuote(p.region)} --cluster ${shellQuote(p.cluster)}`;
  return [
    `aws ecs update-service ${base} --service ${shellQuote(p.service)} --force-new-deployment`,
    `aws ecs wait services-stable ${base} --services ${shellQuote(p.service)}`,
  ];
}

export const ecsRedeployMeta = defineActionMeta({
  id: 'ecs-redeploy',
  params: EcsRedeployParams,
  dangerous: false,
  label: (p) => `Redeploy ${p.service}`,
  doing: (p) => `redeploying ${p.service}`,
  plan: (p) => ({
    resource: `ECS service ${p.service} in cluster ${p.cluster} (${p.region})`,
    apiCall: `ecs:UpdateService { cluster: "${p.cluster}", service: "${p.service}", forceNewDeployment: true }`,
    effect: 'ECS starts new tasks with the same task definition (they read the current secret), then stops the old ones as the new ones pass health checks.',
    verification: `Waits for the deployment to reach COMPLETED and every running task to have started${p.after ? ` after ${formatUtc(new Date(p.after))}` : ' after the redeploy'}.`,
    undo: 'Nothing to undo: the same task definition keeps running. A failing rollout is rolled back by the deployment circuit breaker if enabled.',
  }),
  iamActions: { write: ['ecs:UpdateService'], read: ['ecs:DescribeServices', 'ecs:ListTasks', 'ecs:DescribeTasks'] },
  cli: redeployCommands,
});
