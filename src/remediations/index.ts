import { ecsRedeployAll } from './ecs-redeploy-all.js';
import { ecsRedeploy } from './ecs-redeploy.js';
import { rotationSchedule } from './rotation-schedule.js';
import type { RemediationAction } from './types.js';

/** Every action a button can run. show-cli is not here: it writes nothing. */
export const remediations: Record<string, RemediationAction> = {
  [ecsRedeploy.id]: ecsRedeploy as unknown as RemediationAction,
  [rotationSchedule.id]: rotationSchedule as unknown as RemediationAction,
  [ecsRedeployAll.id]: ecsRedeployAll as unknown as RemediationAction,
};
