import type { Protocol } from '../protocols/types.js';
import type { World } from '../world.js';

export type Params = Record<string, unknown>;

export interface SimulationOptions {
  /** how long after UpdateService a simulated ECS rollout reaches its outcome */
  deployDelayMs: number;
  /** the accounts the double serves besides the scenario's (STS AssumeRole) */
  accounts: {
    /** the principal whybot runs as, as AccessDenied messages name it */
    callerArn: string;
    /** account ids whose roles AssumeRole refuses */
    denyAssumeRole: Set<string>;
  };
}

/** One Invoke the double accepted, as AwsDouble.invocations records it. */
export interface LambdaInvocation {
  /** the function's name, also when the caller named it by a full or partial ARN */
  functionName: string;
  /** Event, RequestResponse or DryRun */
  invocationType: string;
  /** the request payload, parsed as JSON ({} when the request had none) */
  payload: unknown;
  /** arrival time on the double's clock, epoch ms */
  at: number;
}

/** Stands in for the invoked function's code: its result is the RequestResponse payload. */
export type InvokeHandler = (inv: { functionName: string; invocationType: string; payload: unknown }) => unknown | Promise<unknown>;

/** The double's state for Lambda, shared by every Region. */
export interface LambdaRuntime {
  invocations: LambdaInvocation[];
  onInvoke?: InvokeHandler;
}

/** One SendMessage the double accepted, as AwsDouble.sqsMessages records it. */
export interface SqsMessage {
  messageId: string;
  queueUrl: string;
  body: string;
  delaySeconds: number;
  /** arrival time on the double's clock, epoch ms */
  at: number;
  /** when SQS would first deliver it (at + DelaySeconds), epoch ms */
  visibleAt: number;
}

/** The double's SQS queues, shared by every Region: what was sent. */
export interface SqsRuntime {
  messages: SqsMessage[];
}

export interface OperationContext {
  world: World;
  /** the double's clock at the time of the request */
  now: Date;
  params: Params;
  protocol: Protocol;
  options: SimulationOptions;
  lambda: LambdaRuntime;
  sqs: SqsRuntime;
  /** runs `task` once the answer has been written to the client (only if the call succeeds) */
  afterResponse(task: () => void | Promise<void>): void;
}

export type OperationHandler = (ctx: OperationContext) => unknown;

/** One AWS service of the double: its wire protocol and operation handlers. */
export interface ServiceModule {
  /** SigV4 signing name, as in the credential scope: rds, secretsmanager, cloudtrail, ecs, ssm, lambda */
  signingName: string;
  /** IAM action prefix (defaults to the signing name) */
  iamPrefix?: string;
  /** IAM action names that differ from the operation's (Lambda: Invoke → InvokeFunction) */
  iamActions?: Record<string, string>;
  protocol: Protocol;
  operations: Record<string, OperationHandler>;
  /** the resource an AccessDenied message names for this call ("*" when none) */
  iamResource?(operation: string, params: Params, world: World): string;
  /** applies simulated changes that are due by `now` (e.g. an ECS rollout finishing) */
  advance?(world: World, now: Date): void;
  /** the next time advance() has something to do */
  nextChangeAt?(world: World): Date | undefined;
}
