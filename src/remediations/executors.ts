// Where each action's implementation lives, as a loader: a dynamic import, so that whoever
// imports the registry (./index.ts) loads an action's AWS adapters and SDK client (EC2's
// alone is ~850 KB bundled) only when that action runs. In a Lambda bundle each import()
// below is a chunk of its own (scripts/bundle.mjs builds with splitting).
//
// The alerts bundle replaces this module with ./policy-executors.ts (scripts/bundle.mjs,
// FUNCTION_SUBSTITUTES): alerts runs no button, only WHYBOT_AUTO_REDEPLOY's ECS redeploys.
import type { RemediationExecutor } from './types.js';

export type ExecutorLoader = () => Promise<RemediationExecutor>;

// `as unknown as`: each module exports RemediationExecutor<ItsParams>; loaders are keyed by id.
export const executorLoaders: Record<string, ExecutorLoader> = {
  'ecs-redeploy': async () => (await import('./ecs-redeploy.js')).ecsRedeploy as unknown as RemediationExecutor,
  'rotation-schedule': async () => (await import('./rotation-schedule.js')).rotationSchedule as unknown as RemediationExecutor,
  'ecs-redeploy-all': async () => (await import('./ecs-redeploy-all.js')).ecsRedeployAll as unknown as RemediationExecutor,
  'route53-validation-record': async () => (await import('./route53-validation-record.js')).route53ValidationRecord as unknown as RemediationExecutor,
  'ec2-release-eip': async () => (await import('./ec2-release-eip.js')).ec2ReleaseEip as unknown as RemediationExecutor,
  'kms-key-policy-grant': async () => (await import('./kms-key-policy-grant.js')).kmsKeyPolicyGrant as unknown as RemediationExecutor,
};
