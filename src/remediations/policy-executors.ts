// The actions the alerts function runs without a button: WHYBOT_AUTO_REDEPLOY's ECS
// redeploys after a rotation. scripts/bundle.mjs puts this module in place of ./executors.ts
// in the alerts bundle, so the registry there knows only these, and the clients of the other
// actions (EC2, Route 53, KMS, IAM) are not in that bundle at all. Same export, same shape.
import type { ExecutorLoaders } from './executors.js';

export const executorLoaders: ExecutorLoaders = {
  'ecs-redeploy': async () => (await import('./ecs-redeploy.js')).ecsRedeploy,
};
