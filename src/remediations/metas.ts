import { ec2ReleaseEipSpec } from './ec2-release-eip.meta.js';
import { ecsRedeployAllSpec } from './ecs-redeploy-all.meta.js';
import { ecsRedeploySpec } from './ecs-redeploy.meta.js';
import { kmsKeyPolicyGrantSpec } from './kms-key-policy-grant.meta.js';
import { rotationScheduleSpec } from './rotation-schedule.meta.js';
import { route53ValidationRecordSpec } from './route53-validation-record.meta.js';
import type { RemediationSpec } from './types.js';

/** What each action is, without how it runs: enough to validate, authorise and confirm. */
export const remediationSpecs: Record<string, RemediationSpec> = {
  [ecsRedeploySpec.id]: ecsRedeploySpec as unknown as RemediationSpec,
  [rotationScheduleSpec.id]: rotationScheduleSpec as unknown as RemediationSpec,
  [ecsRedeployAllSpec.id]: ecsRedeployAllSpec as unknown as RemediationSpec,
  [route53ValidationRecordSpec.id]: route53ValidationRecordSpec as unknown as RemediationSpec,
  [ec2ReleaseEipSpec.id]: ec2ReleaseEipSpec as unknown as RemediationSpec,
  [kmsKeyPolicyGrantSpec.id]: kmsKeyPolicyGrantSpec as unknown as RemediationSpec,
};
