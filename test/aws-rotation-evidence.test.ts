// Issue 14's read-only evidence for /why-rotation-failed, below the playbook: the rotation
// function (GetFunctionConfiguration, ListTags → DescribeStacks), its log read as invocations,
// and the DB's parameters — through the REAL SDK v3 clients against the AWS double, plus the
// pure log parser on realistic Lambda/rotation-template log text.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { AwsCallError } from '../src/aws/errors.js';
import { functionConfiguration, functionSetup, functionTags, LAMBDA_FUNCTION_IAM, STACK_NAME_TAG } from '../src/aws/lambda-function.js';
import { declaredIamActions } from '../src/aws/iam.js';
import { rotationInvocations } from '../src/aws/logs.js';
import { describeDb, parameterValues, RDS_IAM, ROTATION_DB_PARAMETERS } from '../src/aws/rds.js';
import { invocationsForSecret, parseRotationLog, sameSecretArn, type RotationLogLine } from '../src/aws/rotation-log.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { buildWorld } from '../src/sandbox/aws/world.js';
import { listScenarios, loadScenario, resolveTime, ScenarioSchema, type Scenario } from '../src/sandbox/scenario.js';
import { startFor, T0 } from './helpers/aws-double.js';

const REGION = 'ap-northeast-1';
const ACCOUNT = '123456789012';
const FN = 'SecretsManagerRDSPostgreSQLRotationSingleUser';
const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN}`;
const STACK = 'SecretsManagerRDSPostgreSQLRotationSingleUser-Stack';
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/app/db-AbC123`;
const OTHER_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/report/db-XyZ789`;
const ENV_SECRETISH = 'hunter2-Sup3rSecret!';
const ENDPOINT_VALUE = 'https://vpce-0abc123-xyz.secretsmanager.ap-northeast-1.vpce.amazonaws.com';

const ID1 = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const ID2 = '7a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d';
const ID3 = '8b3c4d5e-6f7a-4b2c-8d3e-4f5a6b7c8d9e';
const ID4 = '9c4d5e6f-7a8b-4c3d-9e4f-5a6b7c8d9e0f';
const VERSION = '0b7e5a7e-1c1d-4b1a-9f1e-2a3b4c5d6e7f';
const STREAM_A = '2026/11/23/[$LATEST]aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const STREAM_B = '2026/11/23/[$LATEST]bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

const at = (rel: string) => resolveTime(rel, T0);
const iso = (rel: string) => at(rel).toISOString();

// ------------------------------------------------------------------ realistic log text

const start = (id: string) => `START RequestId: ${id} Version: $LATEST\n`;
const end = (id: string) => `END RequestId: ${id}\n`;
const report = (id: string, durationMs: number, extra = '') =>
  `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 128 MB\tMax Memory Used: 82 MB\t${extra}\n`;
const info = (rel: string, id: string, text: string) => `[INFO]\t${iso(rel)}\t${id}\t${text}\n`;
const foundCredentials = (rel: string, id: string) => info(rel, id, 'Found credentials in environment variables.');
const timedOut = (rel: string, id: string, seconds: string) => `${iso(rel)} ${id} Task timed out after ${seconds} seconds\n\n`;
const missingKeyError = (key: string) =>
  `[ERROR] KeyError: '${key} key is missing from secret JSON'\nTraceback (most recent call last):\n  File "/var/task/lambda_function.py", line 76, in lambda_handler\n    create_secret(service_client, arn, token)\n  File "/var/task/lambda_function.py", line 110, in create_secret\n    current_dict = get_secret_dict(service_client, arn, "AWSCURRENT")\n  File "/var/task/lambda_function.py", line 402, in get_secret_dict\n    raise KeyError("%s key is missing from secret JSON" % field)\n`;

const line = (rel: string, stream: string, message: string): RotationLogLine => ({ time: at(rel), stream, message });

/** One successful rotation: Secrets Manager invokes the function once per step. */
function successfulRotation(stream: string): RotationLogLine[] {
  const steps: [string, string, string][] = [
    [ID1, 'now-40m', `createSecret: Successfully put secret for ARN ${SECRET} and version ${VERSION}.`],
    [ID2, 'now-39m', `setSecret: Successfully set password for user app in PostgreSQL DB for secret arn ${SECRET}.`],
    [ID3, 'now-38m', `testSecret: Successfully signed into PostgreSQL DB for secret arn ${SECRET}.`],
    [ID4, 'now-37m', `finishSecret: Successfully set AWSCURRENT stage to version ${VERSION} for secret ${SECRET}.`],
  ];
  return steps.flatMap(([id, rel, text]) => [
    line(rel, stream, start(id)),
    line(rel, stream, foundCredentials(rel, id)),
    line(rel, stream, info(rel, id, text)),
    line(rel, stream, end(id)),
    line(rel, stream, report(id, 812.4)),
  ]);
}

describe('parseRotationLog (pure)', () => {
  it('a timeout after "Found credentials": no step, the timeout, duration and init duration from REPORT', () => {
    const { invocations, unattributed } = parseRotationLog([
      line('now-10m', STREAM_A, start(ID1)),
      line('now-10m', STREAM_A, foundCredentials('now-10m', ID1)),
      line('now-9m30s', STREAM_A, timedOut('now-9m30s', ID1, '30.03')),
      line('now-9m30s', STREAM_A, end(ID1)),
      line('now-9m30s', STREAM_A, report(ID1, 30033.51, 'Init Duration: 412.34 ms\tStatus: timeout')),
    ]);
    expect(unattributed).toBe(0);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({
      requestId: ID1,
      stream: STREAM_A,
      startedAt: at('now-10m'),
      lastAt: at('now-9m30s'),
      steps: [],
      foundCredentials: true,
      lastLine: 'Found credentials in environment variables.',
      timedOut: true,
      timeoutSeconds: 30.03,
      durationMs: 30033.51,
      initDurationMs: 412.34,
      ended: true,
      secretArns: [],
      lineCount: 5,
    });
    expect(invocations[0]!.error).toBeUndefined();
  });

  it('"Status: timeout" in REPORT alone also counts as the timeout', () => {
    const { invocations } = parseRotationLog([
      line('now-2m', STREAM_A, start(ID1)),
      line('now-1m', STREAM_A, report(ID1, 60000, 'Status: timeout')),
    ]);
    expect(invocations[0]).toMatchObject({ timedOut: true, durationMs: 60000 });
    expect(invocations[0]!.timeoutSeconds).toBeUndefined();
  });

  it('stopped after createSecret: the createSecret invocation succeeded, the next one ran to its timeout without a step', () => {
    const { invocations } = parseRotationLog([
      line('now-20m', STREAM_A, start(ID1)),
      line('now-20m', STREAM_A, foundCredentials('now-20m', ID1)),
      line('now-20m', STREAM_A, info('now-20m', ID1, `createSecret: Successfully put secret for ARN ${SECRET} and version ${VERSION}.`)),
      line('now-20m', STREAM_A, end(ID1)),
      line('now-20m', STREAM_A, report(ID1, 1204.7, 'Init Duration: 398.02 ms')),
      line('now-19m', STREAM_A, start(ID2)),
      line('now-19m', STREAM_A, foundCredentials('now-19m', ID2)),
      line('now-18m30s', STREAM_A, timedOut('now-18m30s', ID2, '30.00')),
      line('now-18m30s', STREAM_A, end(ID2)),
      line('now-18m30s', STREAM_A, report(ID2, 30001.2)),
    ]);
    expect(invocations.map((i) => [i.requestId, i.steps, i.timedOut])).toEqual([
      [ID1, ['createSecret'], false],
      [ID2, [], true],
    ]);
    expect(invocations[0]).toMatchObject({ durationMs: 1204.7, initDurationMs: 398.02, secretArns: [SECRET] });
    expect(invocations[0]!.lastLine).toBe(`createSecret: Successfully put secret for ARN ${SECRET} and version ${VERSION}.`);
    // the stalled invocation names no secret, so it is kept for this one
    expect(invocationsForSecret(invocations, SECRET).map((i) => i.requestId)).toEqual([ID1, ID2]);
  });

  it('the "key is missing from secret JSON" error: the key, the step from the traceback, the error line', () => {
    const { invocations, unattributed } = parseRotationLog([
      line('now-5m', STREAM_B, start(ID3)),
      line('now-5m', STREAM_B, foundCredentials('now-5m', ID3)),
      // an unhandled exception carries no request id: it belongs to what runs in the stream
      line('now-5m', STREAM_B, missingKeyError('username')),
      line('now-5m', STREAM_B, end(ID3)),
      line('now-5m', STREAM_B, report(ID3, 843.21)),
    ]);
    expect(unattributed).toBe(0);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({
      requestId: ID3,
      missingKey: 'username',
      steps: ['createSecret'],
      error: "[ERROR] KeyError: 'username key is missing from secret JSON'",
      lastLine: "[ERROR] KeyError: 'username key is missing from secret JSON'",
      timedOut: false,
      durationMs: 843.21,
    });
  });

  it('a successful four-step rotation: four invocations, one step each, in order', () => {
    const { invocations } = parseRotationLog(successfulRotation(STREAM_A));
    expect(invocations.map((i) => i.requestId)).toEqual([ID1, ID2, ID3, ID4]);
    expect(invocations.flatMap((i) => i.steps)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(invocations.every((i) => i.ended && !i.timedOut && i.error === undefined && i.durationMs === 812.4)).toBe(true);
    // the ARN at the end of a sentence loses its full stop
    expect(invocations.every((i) => i.secretArns.length === 1 && i.secretArns[0] === SECRET)).toBe(true);
    expect(invocations[3]!.lastLine).toBe(`finishSecret: Successfully set AWSCURRENT stage to version ${VERSION} for secret ${SECRET}.`);
  });

  it('two interleaved invocations in two streams (two secrets), lines out of order, an init line before START', () => {
    const lines = [
      line('now-3m', STREAM_A, start(ID1)),
      line('now-3m', STREAM_B, info('now-3m', '', 'Found credentials in environment variables.')), // init: no id yet
      line('now-2m59s', STREAM_B, start(ID2)),
      line('now-2m58s', STREAM_A, info('now-2m58s', ID1, `setSecret: Unable to log into database with previous, current, or pending secret of secret arn ${SECRET}`)),
      line('now-2m57s', STREAM_B, info('now-2m57s', ID2, `createSecret: Successfully put secret for ARN ${OTHER_SECRET} and version ${VERSION}.`)),
      line('now-2m56s', STREAM_B, missingKeyError('password')),
      line('now-2m55s', STREAM_A, `[ERROR] ValueError: Unable to log into database with previous, current, or pending secret of secret arn ${SECRET}\nTraceback (most recent call last):\n  File "/var/task/lambda_function.py", line 175, in set_secret\n`),
      line('now-2m54s', STREAM_B, end(ID2)),
      line('now-2m54s', STREAM_B, report(ID2, 5012.3)),
      line('now-2m53s', STREAM_A, end(ID1)),
      line('now-2m53s', STREAM_A, report(ID1, 7001.9)),
    ];
    const { invocations, unattributed } = parseRotationLog([...lines].reverse());
    expect(unattributed).toBe(0);
    const [a, b] = invocations;
    expect(a).toMatchObject({
      requestId: ID1,
      stream: STREAM_A,
      steps: ['setSecret'],
      secretArns: [SECRET],
      durationMs: 7001.9,
      error: `[ERROR] ValueError: Unable to log into database with previous, current, or pending secret of secret arn ${SECRET}`,
    });
    expect(a!.missingKey).toBeUndefined();
    expect(a!.foundCredentials).toBe(false);
    expect(b).toMatchObject({
      requestId: ID2,
      stream: STREAM_B,
      // the START line's time; the init line before it still belongs to it (foundCredentials)
      startedAt: at('now-2m59s'),
      steps: ['createSecret'],
      secretArns: [OTHER_SECRET],
      missingKey: 'password',
      foundCredentials: true,
      durationMs: 5012.3,
    });
    expect(invocationsForSecret(invocations, SECRET).map((i) => i.requestId)).toEqual([ID1]);
    expect(invocationsForSecret(invocations, 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/report/db').map((i) => i.requestId)).toEqual([ID2]);
  });

  it('a window starting mid-invocation, lines nobody owns, END without REPORT', () => {
    const { invocations, unattributed } = parseRotationLog([
      line('now-9m', STREAM_A, 'some line before anything started'),
      line('now-8m', STREAM_B, info('now-8m', ID1, 'testSecret: Successfully signed into PostgreSQL DB')),
      line('now-7m', STREAM_B, '[ERROR] RuntimeError: boom'),
      line('now-6m', STREAM_B, end(ID1)),
    ]);
    expect(unattributed).toBe(1);
    expect(invocations[0]).toMatchObject({ requestId: ID1, steps: ['testSecret'], error: '[ERROR] RuntimeError: boom', ended: true, durationMs: 120_000 });
  });

  it('redacts what it returns, even when given raw lines', () => {
    const { invocations } = parseRotationLog([
      line('now-1m', STREAM_A, start(ID1)),
      line('now-1m', STREAM_A, `[ERROR]\t${iso('now-1m')}\t${ID1}\tsetSecret: connecting with {'username': 'app', 'password': 'Sup3r"Secr3t!'}`),
    ]);
    expect(invocations[0]!.error).toContain("'password': '[redacted]'");
    expect(JSON.stringify(invocations)).not.toContain('Sup3r');
  });

  it('sameSecretArn: with or without the random suffix', () => {
    expect(sameSecretArn(SECRET, SECRET.replace(/-AbC123$/, ''))).toBe(true);
    expect(sameSecretArn(SECRET, OTHER_SECRET)).toBe(false);
  });
});

// ------------------------------------------------------------------ through the AWS double

function rotationScenario(): Scenario {
  const filler = Object.fromEntries(Array.from({ length: 230 }, (_, i) => [`zz_param_${String(i).padStart(3, '0')}`, String(i)]));
  return ScenarioSchema.parse({
    name: 'rotation-evidence',
    description: 'a rotation function in a VPC, its stack, its log, and a DB with parameter groups',
    lambda: {
      functions: [
        {
          name: FN,
          runtime: 'python3.9',
          timeout: 30,
          memorySize: 128,
          lastModified: '2021-06-01T00:05:00Z',
          vpc: { subnetIds: ['subnet-0aaa', 'subnet-0bbb'], securityGroupIds: ['sg-0rot'], vpcId: 'vpc-0main' },
          environment: { SECRETS_MANAGER_ENDPOINT: ENDPOINT_VALUE, EXCLUDE_CHARACTERS: '/@"\'\\', DB_PASSWORD: ENV_SECRETISH },
          tags: { [STACK_NAME_TAG]: STACK, 'lambda:createdBy': 'SAM' },
        },
        { name: 'no-stack', tags: {} },
        { name: 'stack-gone', tags: { [STACK_NAME_TAG]: 'DeletedStack' } },
        { name: 'plain' },
      ],
    },
    cloudformation: { stacks: [{ name: STACK, status: 'CREATE_COMPLETE', creationTime: '2021-06-01T00:00:00Z' }] },
    logs: {
      groups: [
        {
          name: `/aws/lambda/${FN}`,
          events: [
            ...successfulRotation(STREAM_A).map((l) => ({ time: l.time.toISOString(), stream: l.stream, message: l.message })),
            { time: 'now-10m', stream: STREAM_B, message: start('1d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a') },
            { time: 'now-10m', stream: STREAM_B, message: info('now-10m', '1d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a', `createSecret: Successfully put secret for ARN ${OTHER_SECRET} and version ${VERSION}.`) },
            { time: 'now-10m', stream: STREAM_B, message: end('1d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a') },
            { time: 'now-5m', stream: STREAM_A, message: start('2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b') },
            { time: 'now-5m', stream: STREAM_A, message: foundCredentials('now-5m', '2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b') },
            {
              time: 'now-5m',
              stream: STREAM_A,
              message: `[DEBUG]\t${iso('now-5m')}\t2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b\tsetSecret: connecting with {'username': 'app', 'password': 'Sup3r"Secr3t!'}\n`,
            },
            { time: 'now-4m30s', stream: STREAM_A, message: timedOut('now-4m30s', '2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b', '30.03') },
            { time: 'now-4m30s', stream: STREAM_A, message: report('2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b', 30030, 'Status: timeout') },
          ],
        },
      ],
    },
    rds: {
      clusters: [{ id: 'prod-db', engine: 'aurora-postgresql', engineVersion: '13.9', parameterGroup: 'prod-pg13-cluster' }],
      instances: [
        { id: 'prod-db-1', engine: 'aurora-postgresql', clusterId: 'prod-db' },
        { id: 'legacy', engine: 'postgres', engineVersion: '16.3' },
        { id: 'shop', engine: 'mysql', engineVersion: '8.0.40', parameterGroup: 'shop-mysql80' },
      ],
      parameterGroups: [
        {
          name: 'prod-pg13-cluster',
          kind: 'cluster',
          family: 'aurora-postgresql13',
          parameters: { ...filler, 'rds.force_ssl': '1', password_encryption: 'scram-sha-256' },
          engineDefaults: ['zz_param_000'],
        },
        { name: 'shop-mysql80', kind: 'instance', family: 'mysql8.0', parameters: { require_secure_transport: 'ON' } },
      ],
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('rotation evidence through the AWS double (real SDK clients)', () => {
  let double: AwsDouble;
  let aws: AwsClients;
  beforeAll(async () => {
    double = await startFor(rotationScenario());
    double.setQuotas(false);
    aws = new AwsClients({ region: REGION, maxAttempts: 1 });
  });
  afterAll(async () => {
    aws.destroy();
    await double.close();
  });
  afterEach(() => {
    double.clearFaults();
    double.reset();
  });

  it('declares its IAM actions', () => {
    expect(LAMBDA_FUNCTION_IAM).toEqual({ getFunctionConfiguration: 'lambda:GetFunctionConfiguration', listTags: 'lambda:ListTags' });
    expect(RDS_IAM).toMatchObject({ describeClusterParameters: 'rds:DescribeDBClusterParameters', describeParameters: 'rds:DescribeDBParameters' });
    for (const a of ['lambda:GetFunctionConfiguration', 'lambda:ListTags', 'rds:DescribeDBClusterParameters', 'rds:DescribeDBParameters', 'cloudformation:DescribeStacks', 'logs:FilterLogEvents'])
      expect(declaredIamActions()).toContain(a);
    expect(declaredIamActions().some((a) => /GetSecretValue/.test(a))).toBe(false);
  });

  it('GetFunctionConfiguration: timeout, runtime, VPC subnets and SGs, environment NAMES only', async () => {
    const config = await functionConfiguration(aws, FN);
    expect(config).toEqual({
      name: FN,
      arn: FN_ARN,
      runtime: 'python3.9',
      timeoutSeconds: 30,
      memoryMb: 128,
      lastModified: new Date('2021-06-01T00:05:00Z'),
      role: `arn:aws:iam::${ACCOUNT}:role/${FN}-role`,
      vpc: { vpcId: 'vpc-0main', subnetIds: ['subnet-0aaa', 'subnet-0bbb'], securityGroupIds: ['sg-0rot'] },
      environmentNames: ['DB_PASSWORD', 'EXCLUDE_CHARACTERS', 'SECRETS_MANAGER_ENDPOINT'],
      logGroup: `/aws/lambda/${FN}`,
      lastUpdateStatus: 'Successful',
    });
    // the double served the values (as AWS does); the adapter dropped them
    const text = JSON.stringify(config);
    expect(text).not.toContain(ENV_SECRETISH);
    expect(text).not.toContain('vpce-0abc123');
    expect(double.calls.map((c) => c.operation)).toEqual(['GetFunctionConfiguration']);
    // by ARN too; defaults for a function the scenario does not configure; no VPC → no vpc
    expect((await functionConfiguration(aws, FN_ARN))?.name).toBe(FN);
    expect(await functionConfiguration(aws, 'plain')).toMatchObject({ runtime: 'python3.12', timeoutSeconds: 30, environmentNames: [] });
    expect((await functionConfiguration(aws, 'plain'))?.vpc).toBeUndefined();
  });

  it('GetFunctionConfiguration: an unknown function is undefined; AccessDenied names lambda:GetFunctionConfiguration', async () => {
    expect(await functionConfiguration(aws, 'no-such-function')).toBeUndefined();
    double.inject({ service: 'lambda', operation: 'GetFunctionConfiguration', kind: 'AccessDenied', times: 1 });
    const denied = await rejection(functionConfiguration(aws, FN));
    expect(denied).toBeInstanceOf(AwsCallError);
    expect(denied).toMatchObject({ kind: 'access-denied', iamAction: 'lambda:GetFunctionConfiguration', awsCode: 'AccessDeniedException' });
    expect((denied as Error).message).toBe('access denied: needs lambda:GetFunctionConfiguration');
  });

  it('ListTags → the stack-name tag → DescribeStacks CreationTime = when rotation was set up', async () => {
    expect(await functionTags(aws, FN_ARN)).toEqual({ [STACK_NAME_TAG]: STACK, 'lambda:createdBy': 'SAM' });
    expect(await functionSetup(aws, FN_ARN)).toEqual({ stackName: STACK, createdAt: new Date('2021-06-01T00:00:00Z') });
    expect(double.calls.map((c) => c.operation)).toEqual(['ListTags', 'ListTags', 'DescribeStacks']);
    expect(await functionSetup(aws, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:no-stack`)).toEqual({});
    expect(await functionSetup(aws, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:stack-gone`)).toEqual({ stackName: 'DeletedStack', stackMissing: true });
  });

  it('functionSetup: AccessDenied names lambda:ListTags or cloudformation:DescribeStacks', async () => {
    double.inject({ service: 'lambda', operation: 'ListTags', kind: 'AccessDenied', times: 1 });
    expect(await rejection(functionSetup(aws, FN_ARN))).toMatchObject({ kind: 'access-denied', iamAction: 'lambda:ListTags' });
    double.inject({ service: 'cloudformation', operation: 'DescribeStacks', kind: 'AccessDenied', times: 1 });
    expect(await rejection(functionSetup(aws, FN_ARN))).toMatchObject({ kind: 'access-denied', iamAction: 'cloudformation:DescribeStacks' });
  });

  it('rotationInvocations: this secret\'s last invocations, grouped, redacted; another secret\'s left out', async () => {
    const got = await rotationInvocations(aws, { functionName: FN_ARN, secretArn: SECRET, since: at('now-1h'), until: at('now') });
    expect(got.logGroupName).toBe(`/aws/lambda/${FN}`);
    expect(got).toMatchObject({ groupNotFound: false, truncated: false, unattributed: 0, otherSecrets: 1 });
    expect(got.invocations.map((i) => i.requestId)).toEqual([ID1, ID2, ID3, ID4, '2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b']);
    const last = got.invocations.at(-1)!;
    expect(last).toMatchObject({ steps: ['setSecret'], timedOut: true, timeoutSeconds: 30.03, durationMs: 30030, foundCredentials: true });
    expect(last.lastLine).toBe("setSecret: connecting with {'username': 'app', 'password': '[redacted]'}");
    expect(JSON.stringify(got)).not.toContain('Sup3r');
    expect(double.calls.map((c) => c.params.logGroupName)).toEqual([`/aws/lambda/${FN}`]);

    const newest = await rotationInvocations(aws, { functionName: FN, since: at('now-1h'), until: at('now'), maxInvocations: 2 });
    expect(newest.invocations.map((i) => i.requestId)).toEqual(['1d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a', '2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b']);
  });

  it('rotationInvocations: a missing group; AccessDenied names logs:FilterLogEvents', async () => {
    const none = await rotationInvocations(aws, { functionName: 'plain', since: at('now-1h'), until: at('now') });
    expect(none).toMatchObject({ groupNotFound: true, invocations: [], logGroupName: '/aws/lambda/plain' });
    double.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'AccessDenied', times: 1 });
    expect(await rejection(rotationInvocations(aws, { functionName: FN, since: at('now-1h'), until: at('now') }))).toMatchObject({
      kind: 'access-denied',
      iamAction: 'logs:FilterLogEvents',
    });
  });

  it('the DB: engine, version and parameter group from DescribeDBClusters/Instances', async () => {
    expect(await describeDb(aws, 'prod-db')).toMatchObject({ kind: 'cluster', engine: 'aurora-postgresql', engineVersion: '13.9', parameterGroup: 'prod-pg13-cluster' });
    expect(await describeDb(aws, 'legacy')).toMatchObject({ kind: 'instance', engine: 'postgres', engineVersion: '16.3', parameterGroup: 'default.postgres16' });
    expect(await describeDb(aws, 'shop')).toMatchObject({ parameterGroup: 'shop-mysql80' });
  });

  it('DescribeDBClusterParameters: the wanted values, paged, stopping once all are found', async () => {
    const got = await parameterValues(aws, { kind: 'cluster', group: 'prod-pg13-cluster', names: ROTATION_DB_PARAMETERS, pageSize: 50 });
    expect(got?.values).toEqual({
      'rds.force_ssl': { name: 'rds.force_ssl', value: '1', source: 'user' },
      password_encryption: { name: 'password_encryption', value: 'scram-sha-256', source: 'user' },
    });
    // 232 parameters sorted by name: the two wanted ones are on the first page of 50; require_secure_transport is absent, so the walk goes on
    expect(got).toMatchObject({ pages: 5, truncated: false });
    expect(double.calls.every((c) => c.operation === 'DescribeDBClusterParameters' && c.params.DBClusterParameterGroupName === 'prod-pg13-cluster')).toBe(true);
    const found = await parameterValues(aws, { kind: 'cluster', group: 'prod-pg13-cluster', names: ['password_encryption'], pageSize: 50 });
    expect(found?.pages).toBe(1);
    const bounded = await parameterValues(aws, { kind: 'cluster', group: 'prod-pg13-cluster', names: ['zz_param_229'], pageSize: 20, maxPages: 2 });
    expect(bounded).toMatchObject({ values: {}, pages: 2, truncated: true });
  });

  it('DescribeDBParameters: a user group, an engine default group; a missing group is undefined', async () => {
    expect((await parameterValues(aws, { kind: 'instance', group: 'shop-mysql80', names: ROTATION_DB_PARAMETERS }))?.values).toEqual({
      require_secure_transport: { name: 'require_secure_transport', value: 'ON', source: 'user' },
    });
    expect((await parameterValues(aws, { kind: 'instance', group: 'default.postgres16', names: ROTATION_DB_PARAMETERS }))?.values).toMatchObject({
      'rds.force_ssl': { value: '1' },
      password_encryption: { value: 'scram-sha-256', source: 'engine-default' },
    });
    expect(await parameterValues(aws, { kind: 'instance', group: 'nope', names: ROTATION_DB_PARAMETERS })).toBeUndefined();
    expect(await parameterValues(aws, { kind: 'cluster', group: 'shop-mysql80', names: ROTATION_DB_PARAMETERS })).toBeUndefined();
  });

  it('parameters: AccessDenied names rds:DescribeDBClusterParameters / rds:DescribeDBParameters', async () => {
    double.inject({ service: 'rds', operation: 'DescribeDBClusterParameters', kind: 'AccessDenied', times: 1 });
    expect(await rejection(parameterValues(aws, { kind: 'cluster', group: 'prod-pg13-cluster', names: ROTATION_DB_PARAMETERS }))).toMatchObject({
      kind: 'access-denied',
      iamAction: 'rds:DescribeDBClusterParameters',
    });
    double.inject({ service: 'rds', operation: 'DescribeDBParameters', kind: 'AccessDenied', times: 1 });
    expect(await rejection(parameterValues(aws, { kind: 'instance', group: 'shop-mysql80', names: ROTATION_DB_PARAMETERS }))).toMatchObject({
      kind: 'access-denied',
      iamAction: 'rds:DescribeDBParameters',
    });
  });

  it('honours an abort signal', async () => {
    double.inject({ service: 'lambda', operation: 'GetFunctionConfiguration', kind: 'Delay', delayMs: 500, times: 1 });
    const controller = new AbortController();
    const pending = functionConfiguration(aws, FN, controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect(await rejection(pending)).toMatchObject({ kind: 'timeout' });
  });
});

describe('scenario additions stay optional', () => {
  it('every existing scenario still loads and builds', async () => {
    for (const name of await listScenarios()) buildWorld(await loadScenario(name), T0);
  });

  it('bad values are rejected by the schema', () => {
    const base = { name: 'x', description: 'x' };
    expect(ScenarioSchema.safeParse({ ...base, lambda: { functions: [{ name: 'f', timeout: 901 }] } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ ...base, rds: { parameterGroups: [{ name: 'g', kind: 'both' }] } }).success).toBe(false);
  });
});
