import { ecsRedeployAllSpec } from './ecs-redeploy-all.spec.js';
import { ecsRedeploySpec } from './ecs-redeploy.spec.js';
import { rotationScheduleSpec } from './rotation-schedule.spec.js';
import type { RemediationSpec } from './types.js';

/** What each action is, without how it runs: enough to validate, authorise and confirm. */
export const remediationSpecs: Record<string, RemediationSpec> = {
  [ecsRedeploySpec.id]: ecsRedeploySpec as unknown as RemediationSpec,
  [rotationScheduleSpec.id]: rotationScheduleSpec as unknown as RemediationSpec,
  [ecsRedeployAllSpec.id]: ecsRedeployAllSpec as unknown as RemediationSpec,
};
