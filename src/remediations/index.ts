import { ec2ReleaseEip } from './ec2-release-eip.js';
import { ecsRedeployAll } from './ecs-redeploy-all.js';
import { ecsRedeploy } from './ecs-redeploy.js';
import { kmsKeyPolicyGrant } from './kms-key-policy-grant.js';
import { rotationSchedule } from './rotation-schedule.js';
import { route53ValidationRecord } from './route53-validation-record.js';
import type { RemediationAction } from './types.js';

/** Every action a button can run. show-cli is not here: it writes nothing. */
export const remediations: Record<string, RemediationAction> = {
  [ecsRedeploy.id]: ecsRedeploy as unknown as RemediationAction,
  [rotationSchedule.id]: rotationSchedule as unknown as RemediationAction,
  [ecsRedeployAll.id]: ecsRedeployAll as unknown as RemediationAction,
  [route53ValidationRecord.id]: route53ValidationRecord as unknown as RemediationAction,
  [ec2ReleaseEip.id]: ec2ReleaseEip as unknown as RemediationAction,
  [kmsKeyPolicyGrant.id]: kmsKeyPolicyGrant as unknown as RemediationAction,
};
