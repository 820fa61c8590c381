import { cloudformation } from './cloudformation.js';
import { cloudtrail } from './cloudtrail.js';
import { codebuild } from './codebuild.js';
import { ec2 } from './ec2.js';
import { ecs } from './ecs.js';
import { elasticache } from './elasticache.js';
import { iam } from './iam.js';
import { kms } from './kms.js';
import { lambda } from './lambda.js';
import { logs } from './logs.js';
import { rds } from './rds.js';
import { route53 } from './route53.js';
import { route53Domains } from './route53domains.js';
import { acm } from './acm.js';
import { secretsManager } from './secretsmanager.js';
import { ssm } from './ssm.js';
import { sqs } from './sqs.js';
import { sts } from './sts.js';
import type { ServiceModule } from './types.js';

/** Every service the double serves, by SigV4 signing name. */
export const SERVICES: ReadonlyMap<string, ServiceModule> = new Map(
  [rds, secretsManager, cloudtrail, ecs, ssm, lambda, logs, cloudformation, ec2, elasticache, kms, iam, route53, route53Domains, acm, codebuild, sqs, sts].map((s) => [s.signingName, s]),
);

export type {
  ServiceModule,
  OperationContext,
  OperationHandler,
  SimulationOptions,
  InvokeHandler,
  LambdaInvocation,
  LambdaRuntime,
  SqsMessage,
  SqsRuntime,
} from './types.js';
