import { cloudtrail } from './cloudtrail.js';
import { ecs } from './ecs.js';
import { rds } from './rds.js';
import { secretsManager } from './secretsmanager.js';
import type { ServiceModule } from './types.js';

/** Every service the double serves, by SigV4 signing name. */
export const SERVICES: ReadonlyMap<string, ServiceModule> = new Map(
  [rds, secretsManager, cloudtrail, ecs].map((s) => [s.signingName, s]),
);

export type { ServiceModule, OperationContext, OperationHandler, SimulationOptions } from './types.js';
