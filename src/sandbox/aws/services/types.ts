import type { Protocol } from '../protocols/types.js';
import type { World } from '../world.js';

export type Params = Record<string, unknown>;

export interface SimulationOptions {
  /** how long after UpdateService a simulated ECS rollout reaches its outcome */
  deployDelayMs: number;
}

export interface OperationContext {
  world: World;
  /** the double's clock at the time of the request */
  now: Date;
  params: Params;
  protocol: Protocol;
  options: SimulationOptions;
}

export type OperationHandler = (ctx: OperationContext) => unknown;

/** One AWS service of the double: its wire protocol and operation handlers. */
export interface ServiceModule {
  /** SigV4 signing name, as in the credential scope: rds, secretsmanager, cloudtrail, ecs */
  signingName: string;
  /** IAM action prefix (defaults to the signing name) */
  iamPrefix?: string;
  protocol: Protocol;
  operations: Record<string, OperationHandler>;
  /** the resource an AccessDenied message names for this call ("*" when none) */
  iamResource?(operation: string, params: Params, world: World): string;
  /** applies simulated changes that are due by `now` (e.g. an ECS rollout finishing) */
  advance?(world: World, now: Date): void;
  /** the next time advance() has something to do */
  nextChangeAt?(world: World): Date | undefined;
}
