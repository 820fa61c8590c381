import { cloudtrail } from './cloudtrail.js';
import { ecs } from './ecs.js';
import { lambda } from './lambda.js';
import { logs } from './logs.js';
import { rds } from './rds.js';
import { secretsManager } from './secretsmanager.js';
import { ssm } from './ssm.js';
import type { ServiceModule } from './types.js';

/** Every service the double serves, by SigV4 signing name. */
export const SERVICES: ReadonlyMap<string, ServiceModule> = new Map(
  [rds, secretsManager, cloudtrail, ecs, ssm, lambda, logs].map((s) => [s.signingName, s]),
);

export type {
  ServiceModule,
  OperationContext,
  OperationHandler,
  SimulationOptions,
  InvokeHandler,
  LambdaInvocation,
  LambdaRuntime,
} from './types.js';
