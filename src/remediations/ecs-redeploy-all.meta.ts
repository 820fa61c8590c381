// Redeploy every ECS service that still holds a rotated secret, from one button.
import * as z from 'zod';
import { formatUtc } from '../time.js';
import { defineActionMeta } from './define.js';
import { ecsRedeployMeta, redeployCommands } from './ecs-redeploy.meta.js';

/** "cluster/service,cluster/service" (button params are flat) */
const serviceList = z.string().regex(/^[A-Za-z0-9_.:-]{1,255}\/[A-Za-z0-9_.:-]{1,255}(,[A-Za-z0-9_.:-]{1,255}\/[A-Za-z0-9_.:-]{1,255}){0,49}$/);

export const EcsRedeployAllParams = z.object({
  services: serviceList,
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
  after: z.string().datetime().optional(),
});
export type EcsRedeployAllParams = z.infer<typeof EcsRedeployAllParams>;

export const parseServices = (list: string) =>
  list.split(',').map((s) => {
    const [cluster, service] = s.split('/') as [string, string];
    return { cluster, service };
  });

export const ecsRedeployAllMeta = defineActionMeta({
  id: 'ecs-redeploy-all',
  params: EcsRedeployAllParams,
  dangerous: false,
  label: (p) => `Redeploy all ${parseServices(p.services).length}`,
  doing: (p) => `redeploying ${parseServices(p.services).map((s) => s.service).join(', ')}`,
  plan: (p) => ({
    resource: `ECS services ${parseServices(p.services).map((s) => `${s.service} (cluster ${s.cluster})`).join(', ')} in ${p.region}`,
    apiCall: parseServices(p.services).map((s) => `ecs:UpdateService { cluster: "${s.cluster}", service: "${s.service}", forceNewDeployment: true }`).join('\n'),
    effect: 'Each service starts new tasks with the same task definition (they read the current secret), then stops the old ones.',
    verification: `Waits for every deployment to reach COMPLETED and every running task to have started${p.after ? ` after ${formatUtc(new Date(p.after))}` : ' after the redeploy'}.`,
    undo: 'Nothing to undo: the same task definitions keep running.',
  }),
  // exactly what ecs-redeploy calls, once per service
  iamActions: ecsRedeployMeta.iamActions,
  cli: (p) => parseServices(p.services).flatMap((s) => redeployCommands({ ...s, region: p.region })),
});
