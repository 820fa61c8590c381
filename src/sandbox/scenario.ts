// A scenario is a small AWS world as data: what the AWS double serves, what tests and the
// offline sandbox replay. Times are either ISO-8601 or relative to "now" at load time
// ("now", "now-2h", "now-3d4h30m", "now+6d"), so fixtures never age out of a window.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { CloudFormationScenarioSchema, IamScenarioSchema, KmsScenarioSchema } from './scenario-kms-cfn-iam.js';
import { Ec2ScenarioSchema, ElastiCacheScenarioSchema } from './scenario-ec2.js';
import { AcmScenarioSchema, Route53ScenarioSchema } from './scenario-dns.js';
import { LambdaConfigurationSchema, RdsParameterGroupSchema } from './scenario-rotation.js';
import { CodeBuildScenarioSchema } from './scenario-codebuild.js';

const relativeTime = /^now(?:([+-])((?:\d+[dhms])+))?$/;

export function resolveTime(value: string, now: Date): Date {
  const match = relativeTime.exec(value);
  if (!match) {
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) throw new Error(`not a time: ${value}`);
    return parsed;
  }
  const [, sign, spec] = match;
  if (!spec) return new Date(now);
  const unitMs: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };
  let offset = 0;
  for (const [, n, unit] of spec.matchAll(/(\d+)([dhms])/g)) offset += Number(n) * unitMs[unit as string]!;
  return new Date(now.getTime() + (sign === '-' ? -offset : offset));
}

const time = z.string().refine((v) => relativeTime.test(v) || !Number.isNaN(new Date(v).getTime()), {
  message: 'an ISO time or now[+-]NdNhNmNs',
});

export const FaultSchema = z.object({
  /** signing name of the service: rds, secretsmanager, cloudtrail, ecs, ssm, lambda, ... */
  service: z.string(),
  /** operation name as in the API reference (DescribeDBClusters), or "*" */
  operation: z.string(),
  kind: z.enum(['AccessDenied', 'Throttling', 'InternalError', 'Delay']),
  /** for Delay: milliseconds before answering */
  delayMs: z.number().int().nonnegative().optional(),
  /** how many calls the fault applies to; absent = every call */
  times: z.number().int().positive().optional(),
});
export type Fault = z.infer<typeof FaultSchema>;

const DbClusterSchema = z.object({
  id: z.string(),
  status: z.string().default('available'),
  engine: z.string().default('aurora-mysql'),
  engineVersion: z.string().optional(),
  endpoint: z.string().optional(),
  masterUsername: z.string().default('admin'),
  masterUserSecretArn: z.string().optional(),
  createdAt: time.optional(),
  /** TagList (e.g. aws:cloudformation:stack-name); default none */
  tags: z.record(z.string(), z.string()).optional(),
  /** DBClusterParameterGroup; default "default.<engine><major>" */
  parameterGroup: z.string().optional(),
  /** VpcSecurityGroups; default none */
  securityGroupIds: z.array(z.string()).optional(),
});

const DbInstanceSchema = z.object({
  id: z.string(),
  status: z.string().default('available'),
  engine: z.string().default('mysql'),
  engineVersion: z.string().optional(),
  instanceClass: z.string().default('db.t4g.medium'),
  /** set for an Aurora member instance */
  clusterId: z.string().optional(),
  masterUsername: z.string().default('admin'),
  masterUserSecretArn: z.string().optional(),
  createdAt: time.optional(),
  /** DBParameterGroups[0]; default "default.<engine><major>" */
  parameterGroup: z.string().optional(),
  /** VpcSecurityGroups; default none (a member instance: its cluster's) */
  securityGroupIds: z.array(z.string()).optional(),
});

const RdsEventSchema = z.object({
  sourceId: z.string(),
  sourceType: z.enum(['db-cluster', 'db-instance']),
  time,
  message: z.string(),
  categories: z.array(z.string()).default([]),
});

const SecretSchema = z.object({
  arn: z.string(),
  name: z.string(),
  description: z.string().optional(),
  rotationEnabled: z.boolean().default(false),
  rotationDays: z.number().int().positive().optional(),
  scheduleExpression: z.string().optional(),
  rotationLambdaArn: z.string().optional(),
  lastRotated: time.optional(),
  nextRotation: time.optional(),
  owningService: z.string().optional(),
  createdAt: time.optional(),
  tags: z.record(z.string(), z.string()).default({}),
});

const CloudTrailEventSchema = z.object({
  time,
  eventName: z.string(),
  eventSource: z.string(),
  eventType: z.enum(['AwsApiCall', 'AwsServiceEvent']).default('AwsApiCall'),
  username: z.string().optional(),
  userArn: z.string().optional(),
  /** for Secrets Manager events: the secret this event is about (put where AWS puts it) */
  secretId: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
  readOnly: z.boolean().default(false),
  /** the event's resources (LookupEvents `Resources`, the record's `resources`), e.g. { type: 'AWS::KMS::Key', name: <key ARN> } */
  resources: z.array(z.object({ type: z.string(), name: z.string() })).optional(),
});

const TaskSchema = z.object({
  id: z.string(),
  startedAt: time,
  lastStatus: z.string().default('RUNNING'),
  /** family:revision; defaults to the service's */
  taskDefinition: z.string().optional(),
});

const ServiceSchema = z.object({
  name: z.string(),
  /** family:revision */
  taskDefinition: z.string(),
  desiredCount: z.number().int().nonnegative().optional(),
  tasks: z.array(TaskSchema).default([]),
  /** how the double behaves after UpdateService{forceNewDeployment}: complete, fail, or stay in progress */
  onDeploy: z.enum(['complete', 'fail', 'hang']).default('complete'),
});

const EcsClusterSchema = z.object({ name: z.string(), services: z.array(ServiceSchema).default([]) });

const TaskDefinitionSchema = z.object({
  family: z.string(),
  revision: z.number().int().positive(),
  containers: z.array(
    z.object({
      name: z.string(),
      image: z.string().default('public.ecr.aws/docker/library/busybox:latest'),
      secrets: z.array(z.object({ name: z.string(), valueFrom: z.string() })).default([]),
    }),
  ),
});

// ssm and lambda entries keep their defaults out of the schema (applied by the double's
// world builder), so a scenario tweaked in code with `{ name, value }` literals type-checks.
const SsmParameterSchema = z.object({
  /** e.g. "/whybot/prod/slack-bot-token" (a leading slash is part of the name, as in SSM) */
  name: z.string().min(1),
  value: z.string(),
  /** default SecureString */
  type: z.enum(['String', 'SecureString', 'StringList']).optional(),
  /** for SecureString: the KMS key (id, alias or ARN); default alias/aws/ssm */
  keyId: z.string().optional(),
  /** default 1 */
  version: z.number().int().positive().optional(),
  /** default: 30 days before now */
  lastModified: time.optional(),
});

const LambdaFunctionSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'a Lambda function name (letters, digits, - and _; at most 64)' }),
  /** alias names an Invoke may qualify the function with, besides $LATEST (default none) */
  aliases: z.array(z.string()).optional(),
  ...LambdaConfigurationSchema,
});

// CloudWatch Logs: log groups with their events (FilterLogEvents). Defaults (stream, ids,
// ingestion time) are applied by the double's world builder, as for ssm and lambda.
const LogEventSchema = z.object({
  time,
  /** the log stream; default: a Lambda-style stream of the event's day, "YYYY/MM/DD/[$LATEST]<32 hex>" */
  stream: z.string().min(1).optional(),
  /** "{{time}}" in it becomes the event's time (ISO 8601), so relative times stay consistent with the text */
  message: z.string(),
});

const LogGroupSchema = z.object({
  /** e.g. "/aws/lambda/SecretsManagerRotation" (AWS's log group name rules: 1–512 of . - _ / # letters digits) */
  name: z.string().regex(/^[.\-_\/#A-Za-z0-9]{1,512}$/, { message: 'a log group name (letters, digits, . - _ / #; at most 512)' }),
  /** default none */
  events: z.array(LogEventSchema).optional(),
});

export const ScenarioSchema = z.object({
  name: z.string(),
  description: z.string(),
  accountId: z.string().regex(/^\d{12}$/).default('123456789012'),
  region: z.string().default('ap-northeast-1'),
  rds: z
    .object({
      clusters: z.array(DbClusterSchema).default([]),
      instances: z.array(DbInstanceSchema).default([]),
      events: z.array(RdsEventSchema).default([]),
      /** DB (cluster) parameter groups with values (DescribeDBClusterParameters / DescribeDBParameters); default none */
      parameterGroups: z.array(RdsParameterGroupSchema).optional(),
    })
    .prefault({}),
  secretsManager: z.object({ secrets: z.array(SecretSchema).default([]) }).prefault({}),
  cloudtrail: z.object({ events: z.array(CloudTrailEventSchema).default([]) }).prefault({}),
  ecs: z
    .object({
      clusters: z.array(EcsClusterSchema).default([]),
      taskDefinitions: z.array(TaskDefinitionSchema).default([]),
    })
    .prefault({}),
  ssm: z.object({ parameters: z.array(SsmParameterSchema).default([]) }).prefault({}),
  lambda: z.object({ functions: z.array(LambdaFunctionSchema).default([]) }).prefault({}),
  logs: z.object({ groups: z.array(LogGroupSchema).default([]) }).prefault({}),
  cloudformation: CloudFormationScenarioSchema,
  kms: KmsScenarioSchema,
  iam: IamScenarioSchema,
  ec2: Ec2ScenarioSchema,
  elasticache: ElastiCacheScenarioSchema,
  route53: Route53ScenarioSchema,
  acm: AcmScenarioSchema,
  /** CodeBuild projects and their builds (scenario-codebuild.ts); default none */
  codebuild: CodeBuildScenarioSchema,
  faults: z.array(FaultSchema).default([]),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

export const scenariosDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios');

export async function loadScenario(nameOrPath: string): Promise<Scenario> {
  const file = nameOrPath.endsWith('.json') ? nameOrPath : path.join(scenariosDir, `${nameOrPath}.json`);
  const raw: unknown = JSON.parse(await readFile(file, 'utf8'));
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`scenario ${file} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function listScenarios(): Promise<string[]> {
  return (await readdir(scenariosDir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}
