// The registry of what each action is, without how it runs: enough to validate, authorise,
// confirm, do it by hand, and grant its IAM actions. No AWS client: the Slack function holds it.
// Adding an action: its <id>.meta.ts goes in TYPED below, its <id>.ts in ./executors.ts.
import type { z } from 'zod';
import { codebuildImageMeta } from './codebuild-image.meta.js';
import { codebuildStartBuildMeta } from './codebuild-start-build.meta.js';
import { eraseMeta } from './define.js';
import { ec2ReleaseEipMeta } from './ec2-release-eip.meta.js';
import { ecsRedeployAllMeta } from './ecs-redeploy-all.meta.js';
import { ecsRedeployMeta } from './ecs-redeploy.meta.js';
import { kmsKeyPolicyGrantMeta } from './kms-key-policy-grant.meta.js';
import { lambdaTimeoutMeta } from './lambda-timeout.meta.js';
import { rotateNowMeta } from './rotate-now.meta.js';
import { rotationScheduleMeta } from './rotation-schedule.meta.js';
import { route53ValidationRecordMeta } from './route53-validation-record.meta.js';
import { sgAllowHttpsFromVpcMeta } from './sg-allow-https-from-vpc.meta.js';
import type { ActionMeta } from './types.js';

/** Every action, keyed by its id, each with its own params type. */
const TYPED = {
  [ecsRedeployMeta.id]: ecsRedeployMeta,
  [rotationScheduleMeta.id]: rotationScheduleMeta,
  [ecsRedeployAllMeta.id]: ecsRedeployAllMeta,
  [route53ValidationRecordMeta.id]: route53ValidationRecordMeta,
  [ec2ReleaseEipMeta.id]: ec2ReleaseEipMeta,
  [kmsKeyPolicyGrantMeta.id]: kmsKeyPolicyGrantMeta,
  [sgAllowHttpsFromVpcMeta.id]: sgAllowHttpsFromVpcMeta,
  [lambdaTimeoutMeta.id]: lambdaTimeoutMeta,
  [rotateNowMeta.id]: rotateNowMeta,
  [codebuildImageMeta.id]: codebuildImageMeta,
  [codebuildStartBuildMeta.id]: codebuildStartBuildMeta,
};

export type ActionId = keyof typeof TYPED;
/** The params of action `K`, as its schema outputs them. */
export type ActionParams<K extends ActionId> = z.output<(typeof TYPED)[K]['params']>;

/** The same map, typed so that `typedMetas[id]` for a generic id keeps that action's params type. */
export const typedMetas: { [K in ActionId]: ActionMeta<ActionParams<K>, K> } = TYPED;

export const actionIds: readonly ActionId[] = Object.values(TYPED).map((m) => m.id);

const erasedMeta = <K extends ActionId>(id: K) => eraseMeta(typedMetas[id]);

/** Every action, its params erased to Params (parsed against its own schema on every call). */
export const actionMetas: Record<string, ActionMeta> = Object.fromEntries(actionIds.map((id) => [id, erasedMeta(id)]));

const onWriteOf = (id: ActionId): readonly string[] => typedMetas[id].iamActions.onWrite ?? [];

/** The IAM actions the given actions need (writes, reads, and what AWS checks on a write's behalf), each once. */
export function iamActionsOf(ids: readonly ActionId[]): string[] {
  return [...new Set(ids.flatMap((id) => [...typedMetas[id].iamActions.write, ...typedMetas[id].iamActions.read, ...onWriteOf(id)]))];
}

/** Every AWS write any action performs: what a read-only deployment withholds. */
export const WRITE_ACTIONS: readonly string[] = [...new Set(actionIds.flatMap((id) => typedMetas[id].iamActions.write))];

/**
 * Everything the remediation policy grants: the writes, and what AWS checks the caller for
 * while doing them (rotate-now: lambda:InvokeFunction). A read-only deployment withholds all
 * of it from the functions that run remediations.
 */
export const REMEDIATION_GRANTS: readonly string[] = [...new Set([...WRITE_ACTIONS, ...actionIds.flatMap(onWriteOf)])];
