import { describeRollout, forceNewDeployment, runningTasks } from '../aws/ecs.js';
import { formatUtc } from '../time.js';
import { defineAction } from './define.js';
import { ecsRedeployMeta } from './ecs-redeploy.meta.js';
import { pollUntil } from './types.js';

export const ecsRedeploy = defineAction(ecsRedeployMeta, {
  async execute(aws, p) {
    const out = await forceNewDeployment(aws, p.cluster, p.service);
    return {
      done: `redeployed ${p.service}`,
      ...(out.requestId ? { awsRequestId: out.requestId } : {}),
      facts: { ...(out.deploymentId ? { deploymentId: out.deploymentId } : {}), startedAt: new Date().toISOString() },
    };
  },
  async reconcile(aws, p, facts) {
    // UpdateService with forceNewDeployment creates a new PRIMARY deployment: one created
    // after the write started is ours (nobody else redeploys within seconds, and if they did,
    // the service got what the button asked for).
    const started = Date.parse(facts.writeStartedAt ?? '');
    const r = await describeRollout(aws, p.cluster, p.service);
    if (!r.deploymentCreatedAt || Number.isNaN(started)) return { happened: 'unknown' };
    if (r.deploymentCreatedAt.getTime() < started - 1_000) return { happened: 'not-happened' };
    return {
      happened: 'happened',
      done: `redeployed ${p.service}`,
      facts: { ...(r.deploymentId ? { deploymentId: r.deploymentId } : {}), startedAt: facts.writeStartedAt ?? new Date().toISOString() },
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
});
