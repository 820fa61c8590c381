// Where each action's implementation lives, as a loader: a dynamic import, so that whoever
// imports the registry (./index.ts) loads an action's AWS adapters and SDK client (EC2's
// alone is ~850 KB bundled) only when that action runs. In a Lambda bundle each import()
// below is a chunk of its own (scripts/bundle.mjs builds with splitting).
//
// The alerts bundle replaces this module with ./policy-executors.ts (scripts/bundle.mjs,
// FUNCTION_SUBSTITUTES): alerts runs no button, only WHYBOT_AUTO_REDEPLOY's ECS redeploys.
import type { ActionId, ActionParams } from './metas.js';
import type { RemediationAction } from './types.js';

/** Loads action `K`'s implementation, typed by its params. */
export type ExecutorLoader<K extends ActionId> = () => Promise<RemediationAction<ActionParams<K>, K>>;
/** The actions a bundle can run; both tables (this one and ./policy-executors.ts) have this type. */
export type ExecutorLoaders = { [K in ActionId]?: ExecutorLoader<K> };

export const executorLoaders: ExecutorLoaders = {
  'ecs-redeploy': async () => (await import('./ecs-redeploy.js')).ecsRedeploy,
  'rotation-schedule': async () => (await import('./rotation-schedule.js')).rotationSchedule,
  'ecs-redeploy-all': async () => (await import('./ecs-redeploy-all.js')).ecsRedeployAll,
  'route53-validation-record': async () => (await import('./route53-validation-record.js')).route53ValidationRecord,
  'ec2-release-eip': async () => (await import('./ec2-release-eip.js')).ec2ReleaseEip,
  'kms-key-policy-grant': async () => (await import('./kms-key-policy-grant.js')).kmsKeyPolicyGrant,
  'sg-allow-https-from-vpc': async () => (await import('./sg-allow-https-from-vpc.js')).sgAllowHttpsFromVpc,
  'lambda-timeout': async () => (await import('./lambda-timeout.js')).lambdaTimeout,
  'rotate-now': async () => (await import('./rotate-now.js')).rotateNow,
  'codebuild-image': async () => (await import('./codebuild-image.js')).codebuildImage,
  'codebuild-start-build': async () => (await import('./codebuild-start-build.js')).codebuildStartBuild,
} satisfies Required<ExecutorLoaders>; // the worker runs every action
