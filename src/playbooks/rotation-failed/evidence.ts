// What rotation-failed asks AWS, in incident 002's order, and nothing it concludes: the
// secret's rotation settings, the rotation function (timeout, VPC, when it was set up), its
// CloudWatch Logs read as invocations, the network path from its subnets to Secrets Manager
// (and RDS), and the database the secret is for (parameters, security groups). The secret's
// value is never read.
import type { AwsClients } from '../../aws/clients.js';
import { CLOUDFORMATION_IAM } from '../../aws/cloudformation.js';
import { functionConfiguration, functionSetup, LAMBDA_FUNCTION_IAM, type FunctionConfig, type FunctionSetup } from '../../aws/lambda-function.js';
import { LOGS_IAM, rotationInvocations, type RotationInvocations } from '../../aws/logs.js';
import { listDbs, parameterValues, RDS_IAM, ROTATION_DB_PARAMETERS, type DbParameterValues, type DbSummary } from '../../aws/rds.js';
import { describeSecret, listSecrets, SECRETS_IAM, type SecretInfo } from '../../aws/secrets.js';
import { AwsCallError } from '../../aws/errors.js';
import { Investigation, Skip } from '../../engine/investigation.js';
import type { CheckResult } from '../../findings.js';
import { defineChecks, rulesFor, type CheckIdOf } from '../define.js';
import type { Candidate, PlaybookInput, RunOptions, TargetLookup } from '../types.js';
import { dbForSecret, type DbMatch } from './db-match.js';
import { readDbGroups, readNetworkPath, type NetworkPath, NETWORK_IAM, DB_NETWORK_IAM } from '../vpc-path/read.js';
import type { SecurityGroupInfo } from '../../aws/vpc.js';

export const CHECKS = defineChecks([
  { id: 'secret', title: 'Secret’s rotation settings', iam: [SECRETS_IAM.describeSecret] },
  { id: 'function', title: 'Rotation function’s configuration (timeout, runtime, VPC)', iam: [LAMBDA_FUNCTION_IAM.getFunctionConfiguration] },
  {
    id: 'function-setup',
    title: 'When rotation was set up (the function’s CloudFormation stack)',
    iam: [LAMBDA_FUNCTION_IAM.listTags, CLOUDFORMATION_IAM.describeStacks],
  },
  { id: 'logs', title: 'Rotation function’s last invocations (CloudWatch Logs)', iam: [LOGS_IAM.filterLogEvents] },
  { id: 'network', title: 'Network path from the function to Secrets Manager (endpoints, routes, ACLs, security groups)', iam: NETWORK_IAM },
  { id: 'db', title: 'The database the secret is for', iam: [RDS_IAM.describeClusters, RDS_IAM.describeInstances] },
  {
    id: 'db-parameters',
    title: 'DB parameters that decide how the function logs in (TLS, password encryption)',
    iam: [RDS_IAM.describeClusterParameters, RDS_IAM.describeParameters],
  },
  { id: 'db-network', title: 'Whether the DB’s security groups admit the function', iam: DB_NETWORK_IAM },
] as const);
export type CheckId = CheckIdOf<typeof CHECKS>;

export interface RotationFailedEvidence {
  input: PlaybookInput;
  now: Date;
  since: Date;
  secret?: SecretInfo;
  /** DescribeSecret said there is no such secret */
  secretMissing?: boolean;
  /** the secret names a rotation function that does not exist */
  functionMissing?: boolean;
  fn?: FunctionConfig;
  setup?: FunctionSetup;
  logs?: RotationInvocations;
  network?: NetworkPath;
  /** the DB the secret is for, and how whybot knows */
  db?: DbMatch;
  dbParameters?: DbParameterValues;
  /** the DB's VPC security groups */
  dbGroups?: SecurityGroupInfo[];
  checks: CheckResult[];
}

/** Defines one of rotation-failed's rules (rules/*.ts). */
export const rule = rulesFor<RotationFailedEvidence, CheckId>();

const notFound = (err: unknown) => err instanceof AwsCallError && err.kind === 'not-found';

export async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<RotationFailedEvidence> {
  const now = opts.now?.() ?? new Date();
  const since = new Date(now.getTime() - input.hours * 3_600_000);
  const inv = new Investigation(CHECKS, opts);
  const e: RotationFailedEvidence = { input, now, since, checks: [] };

  // The DB list does not depend on the secret: read it while Secrets Manager answers.
  const dbs = inv.run('db', () => listDbs(aws));

  const secretOut = await inv.run('secret', async (signal) => {
    try {
      return await describeSecret(aws, input.target, signal);
    } catch (err) {
      if (!notFound(err)) throw err;
      e.secretMissing = true;
      return new Skip(`no secret named ${input.target} in ${input.region}`);
    }
  });
  const secret = secretOut.ok ? secretOut.value : undefined;
  e.secret = secret;
  const fnArn = secret?.rotationLambdaArn;
  const noFunction = !secret
    ? e.secretMissing
      ? 'no such secret'
      : 'the secret could not be described'
    : secret.owningService && !fnArn
      ? `rotation is managed by ${secret.owningService}: there is no rotation function`
      : 'the secret has no rotation function';

  const fnOut = fnArn
    ? await inv.run('function', async (signal) => {
        const found = await functionConfiguration(aws, fnArn, signal);
        if (!found) {
          e.functionMissing = true;
          return new Skip(`the rotation function ${fnArn} does not exist`);
        }
        return found;
      })
    : inv.skip('function', noFunction);
  const fn = fnOut.ok ? fnOut.value : undefined;
  e.fn = fn;

  const setup = fnArn && !e.functionMissing
    ? inv.run('function-setup', (signal) => functionSetup(aws, fn?.arn ?? fnArn, signal))
    : Promise.resolve(inv.skip('function-setup', e.functionMissing ? 'the rotation function does not exist' : noFunction));

  const logs = fnArn && !e.functionMissing
    ? inv.run('logs', (signal) =>
        rotationInvocations(aws, {
          functionName: fn?.name ?? fnArn,
          ...(fn?.logGroup ? { logGroupName: fn.logGroup } : {}),
          secretArn: secret!.arn,
          since,
          until: now,
          signal,
        }),
      )
    : Promise.resolve(inv.skip('logs', e.functionMissing ? 'the rotation function does not exist' : noFunction));

  const network = fn?.vpc
    ? inv.run('network', (signal) => readNetworkPath(aws, input.region, fn.vpc!, signal))
    : Promise.resolve(
        inv.skip('network', fn ? 'the function is not in a VPC: it calls Secrets Manager’s public endpoint' : fnArn ? 'the function could not be described' : noFunction),
      );

  const dbsOut = await dbs;
  const match = dbsOut.ok && secret ? dbForSecret(dbsOut.value, secret) : undefined;
  e.db = match;
  const noDb = !dbsOut.ok
    ? 'the DBs could not be listed'
    : !secret
      ? 'no secret to match a DB to'
      : 'no DB in this Region is tied to the secret (its host is only in the secret’s value, which whybot never reads)';

  const db = match?.db;
  const params = db?.parameterGroup
    ? inv.run('db-parameters', (signal) =>
        parameterValues(aws, { kind: db.kind, group: db.parameterGroup!, names: ROTATION_DB_PARAMETERS, signal }).then(
          (v) => v ?? new Skip(`parameter group ${db.parameterGroup} does not exist`),
        ),
      )
    : Promise.resolve(inv.skip('db-parameters', db ? `${db.id} reports no parameter group` : noDb));

  const dbNetwork = db && fn?.vpc && (db.securityGroupIds?.length ?? 0) > 0
    ? inv.run('db-network', (signal) => readDbGroups(aws, db.securityGroupIds!, signal))
    : Promise.resolve(
        inv.skip('db-network', !db ? noDb : !fn ? (fnArn ? 'the function could not be described' : noFunction) : !fn.vpc ? 'the function is not in a VPC' : `${db.id} reports no VPC security groups`),
      );

  const [setupOut, logsOut, networkOut, paramsOut, dbNetworkOut] = await Promise.all([setup, logs, network, params, dbNetwork]);
  if (setupOut.ok) e.setup = setupOut.value;
  if (logsOut.ok) e.logs = logsOut.value;
  if (networkOut.ok) e.network = networkOut.value;
  if (paramsOut.ok) e.dbParameters = paramsOut.value;
  if (dbNetworkOut.ok) e.dbGroups = dbNetworkOut.value;
  e.checks = inv.results();
  return e;
}

/** The secret by name or ARN, rotated or not, for the search across accounts. */
export const secretLookup: TargetLookup = {
  async find(aws, target) {
    try {
      const s = await describeSecret(aws, target);
      return { id: s.name, description: s.rotationEnabled ? 'rotation on' : 'rotation off' };
    } catch (err) {
      if (err instanceof AwsCallError && err.kind === 'not-found') return undefined;
      throw err;
    }
  },
};

/** Secrets whose rotation runs a Lambda function: what the command can be about. */
export async function rotatedSecrets(aws: AwsClients): Promise<Candidate[]> {
  return (await listSecrets(aws))
    .filter((s) => s.rotationEnabled)
    .map((s) => ({
      id: s.name,
      description: s.rotationLambdaArn ? `rotated by ${s.rotationLambdaArn.slice(s.rotationLambdaArn.lastIndexOf(':') + 1)}` : `managed by ${s.owningService ?? '?'}`,
    }));
}
