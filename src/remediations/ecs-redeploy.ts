// Redeploy an ECS service so its tasks restart and read the rotated secret (incident 003).
import { z } from 'zod';
import { describeRollout, ECS_IAM, forceNewDeployment, runningTasks } from '../aws/ecs.js';
import { formatUtc } from '../time.js';
import { pollUntil, type RemediationAction } from './types.js';

const name = z.string().regex(/^[A-Za-z0-9_/:.-]{1,255}$/);

export const EcsRedeployParams = z.object({
  cluster: name,
  service: name,
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
  /** ISO time every task must have started after (the rotation); optional */
  after: z.string().datetime().optional(),
});
type P = z.infer<typeof EcsRedeployParams>;

export const ecsRedeploy: RemediationAction<P> = {
  id: 'ecs-redeploy',
  params: EcsRedeployParams,
  dangerous: false,
  iamActions: [ECS_IAM.updateService, ECS_IAM.describeServices, ECS_IAM.listTasks, ECS_IAM.describeTasks],
  label: (p) => `Redeploy ${p.service}`,
  doing: (p) => `redeploying ${p.service}`,
  plan: (p) => ({
    resource: `ECS service ${p.service} in cluster ${p.cluster} (${p.region})`,
    apiCall: `ecs:UpdateService { cluster: "${p.cluster}", service: "${p.service}", forceNewDeployment: true }`,
    effect: 'ECS starts new tasks with the same task definition (they read the current secret), then stops the old ones as the new ones pass health checks.',
    verification: `Waits for the deployment to reach COMPLETED and every running task to have started${p.after ? ` after ${formatUtc(new Date(p.after))}` : ' after the redeploy'}.`,
    undo: 'Nothing to undo: the same task definition keeps running. A failing rollout is rolled back by the deployment circuit breaker if enabled.',
  }),
  async execute(aws, p) {
    const out = await forceNewDeployment(aws, p.cluster, p.service);
    return {
      done: `redeployed ${p.service}`,
      ...(out.requestId ? { awsRequestId: out.requestId } : {}),
      facts: { ...(out.deploymentId ? { deploymentId: out.deploymentId } : {}), startedAt: new Date().toISOString() },
    };
  },
  async verify(aws, p, facts, opts) {
    const after = new Date(p.after ?? facts.startedAt ?? 0);
    return pollUntil(async () => {
      const r = await describeRollout(aws, p.cluster, p.service);
      const events = r.events.slice(0, 3).map((e) => e.message).join(' | ');
      if (facts.deploymentId && r.deploymentId !== facts.deploymentId)
        return { done: true, ok: false, detail: `another deployment (${r.deploymentId ?? 'none'}) replaced ours; events: ${events}` };
      if (r.rolloutState === 'FAILED') return { done: true, ok: false, detail: `deployment FAILED: ${r.rolloutReason ?? ''} events: ${events}` };
      const tasks = await runningTasks(aws, { clusterArn: p.cluster, name: p.service });
      const fresh = tasks.filter((t) => t.startedAt && t.startedAt > after).length;
      const state = `deployment ${r.rolloutState ?? 'unknown'}, ${fresh} of ${tasks.length} running tasks started after ${formatUtc(after)}`;
      if (r.rolloutState === 'COMPLETED' && tasks.length > 0 && fresh === tasks.length) return { done: true, ok: true, detail: state };
      return { done: false, ok: false, detail: `${state}; events: ${events}` };
    }, opts);
  },
};
