// The /why-rotation-failed actions (issue 14) against the AWS double, through the registry's
// erased view (params parsed as a button would give them): sg-allow-https-from-vpc,
// lambda-timeout and rotate-now each execute → verify → reconcile, their idempotent case and
// an AccessDenied; and the two guidance-only units' commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { AwsCallError } from '../src/aws/errors.js';
import { functionConfiguration } from '../src/aws/lambda-function.js';
import { describeSecurityGroups } from '../src/aws/vpc.js';
import { cliCommands } from '../src/remediations/cli-commands.js';
import { remediations } from '../src/remediations/index.js';
import { sgRuleDescription } from '../src/remediations/sg-allow-https-from-vpc.meta.js';
import type { Params, VerifyOptions } from '../src/remediations/types.js';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { ScenarioSchema } from '../src/sandbox/scenario.js';

const REGION = 'ap-northeast-1';
const ACCOUNT = '123456789012';
const VPC = 'vpc-0a1b2c3d4e5f60001';
const SG_VPCE = 'sg-0a1b2c3d4e5f60e02';
const SG_OTHER = 'sg-0a1b2c3d4e5f60e03';
const FN = 'SecretsManagerRDSPostgreSQLRotationSingleUser';
const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN}`;
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/app/db-AbC123`;
const NO_FN_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/static-XyZ789`;
const FAST: VerifyOptions = { timeoutMs: 2_000, intervalMs: 20 };

let double: AwsDouble;
let aws: AwsClients;

beforeAll(async () => {
  const scenario = ScenarioSchema.parse({
    name: 'rotation-remediations',
    description: 'an endpoint security group, a rotation function and its secret',
    region: REGION,
    accountId: ACCOUNT,
    ec2: {
      vpcs: [{ id: VPC, cidrBlock: '10.0.0.0/16' }],
      subnets: [{ id: 'subnet-0a1b2c3d4e5f6a001', vpcId: VPC, cidrBlock: '10.0.1.0/24' }],
      securityGroups: [
        { id: SG_VPCE, name: 'vpce-secretsmanager', vpcId: VPC, ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.0.1.0/24'] }] },
        { id: SG_OTHER, name: 'other', vpcId: VPC },
      ],
    },
    lambda: { functions: [{ name: FN, timeout: 30, vpc: { subnetIds: ['subnet-0a1b2c3d4e5f6a001'], securityGroupIds: ['sg-0a1b2c3d4e5f60f01'], vpcId: VPC } }] },
    secretsManager: {
      secrets: [
        { arn: SECRET, name: 'prod/app/db', rotationEnabled: true, rotationDays: 30, rotationLambdaArn: FN_ARN, lastRotated: 'now-40d' },
        { arn: NO_FN_SECRET, name: 'prod/static' },
      ],
    },
  });
  // the double's clock is the real one: rotate-now compares LastRotatedDate with the click
  double = await startAwsDouble({ scenario });
  process.env.AWS_ENDPOINT_URL = double.url;
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = REGION;
  aws = new AwsClients({ region: REGION, maxAttempts: 1 });
});
afterAll(async () => {
  await double.close();
});

const action = (id: string) => remediations[id]!;
async function rejection(promise: Promise<unknown>): Promise<AwsCallError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(AwsCallError);
    return e as AwsCallError;
  }
  throw new Error('expected a failure');
}
const lastCall = (operation: string) => double.calls.filter((c) => c.operation === operation).at(-1)!;

describe('sg-allow-https-from-vpc', () => {
  const p: Params = { groupId: SG_VPCE, cidr: '10.0.0.0/16', region: REGION, vpcId: VPC, description: 'Secrets Manager endpoint vpce-0a1b2c3d4e5f60001' };

  it('reconcile before: not happened (443 from 10.0.1.0/24 does not cover the VPC)', async () => {
    expect(await action('sg-allow-https-from-vpc').reconcile!(aws, p, {})).toEqual({ happened: 'not-happened' });
  });

  it('execute → one TCP 443 rule with whybot’s description; verify; reconcile happened', async () => {
    const sg = action('sg-allow-https-from-vpc');
    const out = await sg.execute(aws, p);
    expect(out.done).toBe(`allowed HTTPS from 10.0.0.0/16 into ${SG_VPCE}`);
    expect(out.facts?.ruleId).toMatch(/^sgr-[0-9a-f]{17}$/);
    expect(lastCall('AuthorizeSecurityGroupIngress').params).toMatchObject({
      GroupId: SG_VPCE,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: '443', ToPort: '443', IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'whybot: HTTPS from the VPC for Secrets Manager endpoint vpce-0a1b2c3d4e5f60001' }] }],
    });
    expect(await sg.verify(aws, p, out.facts ?? {}, FAST)).toEqual({ ok: true, detail: `${SG_VPCE} admits TCP 443 from 10.0.0.0/16` });
    expect(await sg.reconcile!(aws, p, {})).toMatchObject({ happened: 'happened' });
    const [group] = await describeSecurityGroups(aws, [SG_VPCE]);
    expect(group!.ingress.filter((r) => r.cidrs.includes('10.0.0.0/16'))).toEqual([
      { protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.0.0.0/16'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] },
    ]);
  });

  it('a second click: EC2’s InvalidPermission.Duplicate counts as done, and nothing is added', async () => {
    const out = await action('sg-allow-https-from-vpc').execute(aws, p);
    expect(out.done).toBe(`allowed HTTPS from 10.0.0.0/16 into ${SG_VPCE} (the rule was already there)`);
    expect(out.facts).toMatchObject({ alreadyThere: 'true' });
    expect(double.calls.filter((c) => c.operation === 'AuthorizeSecurityGroupIngress').at(-1)!.error).toBe('InvalidPermission.Duplicate');
    const [group] = await describeSecurityGroups(aws, [SG_VPCE]);
    expect(group!.ingress.filter((r) => r.cidrs.includes('10.0.0.0/16'))).toHaveLength(1);
  });

  it('AccessDenied names ec2:AuthorizeSecurityGroupIngress; an unknown group is not-found; bad params are refused', async () => {
    double.inject({ service: 'ec2', operation: 'AuthorizeSecurityGroupIngress', kind: 'AccessDenied', times: 1 });
    const denied = await rejection(action('sg-allow-https-from-vpc').execute(aws, { ...p, groupId: SG_OTHER }));
    expect(denied).toMatchObject({ kind: 'access-denied', iamAction: 'ec2:AuthorizeSecurityGroupIngress', message: 'access denied: needs ec2:AuthorizeSecurityGroupIngress' });
    expect(await action('sg-allow-https-from-vpc').reconcile!(aws, { ...p, groupId: SG_OTHER }, {})).toEqual({ happened: 'not-happened' });
    const gone = await rejection(action('sg-allow-https-from-vpc').execute(aws, { ...p, groupId: 'sg-0000000000000dead' }));
    expect(gone).toMatchObject({ kind: 'not-found', awsCode: 'InvalidGroup.NotFound' });
    expect(() => action('sg-allow-https-from-vpc').plan({ ...p, cidr: '10.0.0.0/33' })).toThrow();
    expect(() => action('sg-allow-https-from-vpc').plan({ ...p, groupId: 'vpc-0a1b2c3d' })).toThrow();
  });

  it('plan and commands say which group and CIDR; the undo revokes exactly that rule', () => {
    const plan = action('sg-allow-https-from-vpc').plan(p);
    expect(plan.resource).toBe(`Security group ${SG_VPCE}, Secrets Manager endpoint vpce-0a1b2c3d4e5f60001 (${REGION})`);
    expect(plan.effect).toContain(`TCP 443 from 10.0.0.0/16 (${VPC})`);
    expect(plan.undo).toBe(`aws ec2 revoke-security-group-ingress --region ${REGION} --group-id ${SG_VPCE} --protocol tcp --port 443 --cidr 10.0.0.0/16`);
    expect(cliCommands({ id: 'sg-allow-https-from-vpc', params: p })[0]).toBe(
      `aws ec2 authorize-security-group-ingress --region ${REGION} --group-id ${SG_VPCE} --ip-permissions ` +
        `'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.0.0.0/16,Description="whybot: HTTPS from the VPC for Secrets Manager endpoint vpce-0a1b2c3d4e5f60001"}]'`,
    );
    // generic (a CodeBuild endpoint later): no description → a plain one; characters EC2 refuses are dropped
    expect(sgRuleDescription({})).toBe('whybot: HTTPS from the VPC');
    expect(sgRuleDescription({ description: 'CodeBuild’s “build” endpoint\n' })).toBe('whybot: HTTPS from the VPC for CodeBuilds build endpoint');
  });
});

describe('lambda-timeout', () => {
  const p: Params = { functionName: FN_ARN, timeoutSeconds: 120, currentSeconds: 30, region: REGION };

  it('execute sends Timeout only; verify waits for LastUpdateStatus Successful; reconcile happened', async () => {
    const lt = action('lambda-timeout');
    expect(await lt.reconcile!(aws, p, {})).toEqual({ happened: 'not-happened' });
    const out = await lt.execute(aws, p);
    expect(out.done).toBe(`set ${FN}'s timeout to 120 s`);
    expect(lastCall('UpdateFunctionConfiguration').params).toEqual({ FunctionName: FN_ARN, Timeout: 120 });
    // Lambda refuses a second update while the first is in progress
    const busy = await rejection(lt.execute(aws, { ...p, timeoutSeconds: 60 }));
    expect(busy).toMatchObject({ awsCode: 'ResourceConflictException', iamAction: 'lambda:UpdateFunctionConfiguration' });
    expect(busy.message).toContain('being updated already');
    expect(await lt.verify(aws, p, {}, FAST)).toEqual({ ok: true, detail: 'timeout 120 s, last update Successful' });
    expect(await lt.reconcile!(aws, p, {})).toMatchObject({ happened: 'happened' });
    expect(await functionConfiguration(aws, FN)).toMatchObject({ timeoutSeconds: 120, lastUpdateStatus: 'Successful' });
  });

  it('a second click with the same timeout is harmless (same state after)', async () => {
    const lt = action('lambda-timeout');
    await new Promise((r) => setTimeout(r, 80));
    await lt.execute(aws, p);
    expect(await lt.verify(aws, p, {}, FAST)).toMatchObject({ ok: true });
  });

  it('AccessDenied names lambda:UpdateFunctionConfiguration; verify of another timeout is not confirmed', async () => {
    double.inject({ service: 'lambda', operation: 'UpdateFunctionConfiguration', kind: 'AccessDenied', times: 1 });
    const denied = await rejection(action('lambda-timeout').execute(aws, { ...p, timeoutSeconds: 300 }));
    expect(denied).toMatchObject({ kind: 'access-denied', iamAction: 'lambda:UpdateFunctionConfiguration', awsCode: 'AccessDeniedException' });
    const v = await action('lambda-timeout').verify(aws, { ...p, timeoutSeconds: 300 }, {}, { timeoutMs: 100, intervalMs: 20 });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain('timeout 120 s, last update Successful');
    expect(() => action('lambda-timeout').plan({ ...p, timeoutSeconds: 901 })).toThrow();
  });
});

describe('rotate-now', () => {
  const p: Params = { secretId: SECRET, region: REGION };

  it('execute: RotateSecret with the secret’s own function and schedule (no rules, no function, RotateImmediately default); verify sees the new LastRotatedDate', async () => {
    const rn = action('rotate-now');
    expect(rn.dangerous).toBe(true);
    expect(rn.reconcile && (await rn.reconcile(aws, p, {}))).toEqual({ happened: 'unknown' });
    const out = await rn.execute(aws, p);
    expect(out.done).toBe('started a rotation of prod/app/db');
    expect(out.facts?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const sent = lastCall('RotateSecret').params;
    expect(sent).toMatchObject({ SecretId: SECRET });
    expect(Object.keys(sent).filter((k) => k !== 'ClientRequestToken').sort()).toEqual(['SecretId']);
    const v = await rn.verify(aws, p, out.facts ?? {}, FAST);
    expect(v.ok).toBe(true);
    expect(v.detail).toMatch(/^rotated at \d{4}-\d\d-\d\d \d\d:\d\d UTC; next rotation /);
  });

  it('verify without a rotation after the click: "started; watch the alert channel"', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    const v = await action('rotate-now').verify(aws, p, { startedAt: later }, { timeoutMs: 100, intervalMs: 20 });
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^the rotation started but has not finished yet \(.*\); watch the alert channel for how it ends$/);
  });

  it('AccessDenied names secretsmanager:RotateSecret; a secret without a rotation function is refused by Secrets Manager', async () => {
    double.inject({ service: 'secretsmanager', operation: 'RotateSecret', kind: 'AccessDenied', times: 1 });
    expect(await rejection(action('rotate-now').execute(aws, p))).toMatchObject({ kind: 'access-denied', iamAction: 'secretsmanager:RotateSecret' });
    const none = await rejection(action('rotate-now').execute(aws, { secretId: NO_FN_SECRET, region: REGION }));
    expect(none).toMatchObject({ kind: 'invalid-request', awsCode: 'InvalidRequestException' });
  });

  it('the plan says consumers that read only at start need a redeploy; the commands rotate and show the result', () => {
    expect(action('rotate-now').plan(p).effect).toContain('need a redeploy');
    expect(cliCommands({ id: 'rotate-now', params: p })).toEqual([
      `aws secretsmanager rotate-secret --region ${REGION} --secret-id ${SECRET}`,
      `aws secretsmanager describe-secret --region ${REGION} --secret-id ${SECRET} --query '{LastRotated: LastRotatedDate, Next: NextRotationDate, Versions: VersionIdsToStages}'`,
    ]);
  });
});

describe('guidance only: rotation-function-recreate, nacl-allow-https', () => {
  it('rotation-function-recreate: the current template from the Serverless Application Repository, then the secret pointed at it', () => {
    const scram = cliCommands({ id: 'rotation-function-recreate', params: { secretId: SECRET, functionName: FN_ARN, region: REGION, reason: 'scram' } }).join('\n');
    expect(scram).toContain('before 2021-12-30');
    expect(scram).toContain('libpq');
    expect(scram).toContain(
      'aws serverlessrepo create-cloud-formation-change-set --region ap-northeast-1 --application-id arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser',
    );
    expect(scram).toContain('aws cloudformation execute-change-set --region ap-northeast-1 --change-set-name "$cs"');
    expect(scram).toContain(`aws secretsmanager rotate-secret --region ${REGION} --secret-id ${SECRET} --rotation-lambda-arn "$new_fn"`);
    expect(scram).toContain(`\\"Value\\":\\"https://secretsmanager.${REGION}.amazonaws.com\\"`);
    const tls = cliCommands({ id: 'rotation-function-recreate', params: { secretId: SECRET, functionName: FN, region: REGION, reason: 'tls' } }).join('\n');
    expect(tls).toContain('before 2021-12-20');
    expect(tls).toContain('TLS');
    expect(() => cliCommands({ id: 'rotation-function-recreate', params: { secretId: SECRET, functionName: FN, region: REGION, reason: 'md5' } })).toThrow();
    expect(remediations['rotation-function-recreate']).toBeUndefined();
  });

  it('nacl-allow-https: 443 out, or 1024-65535 back in, with the rule number to choose explained', () => {
    const base = { naclId: 'acl-0a1b2c3d4e5f60001', cidr: '10.0.0.0/16', region: REGION };
    const out = cliCommands({ id: 'nacl-allow-https', params: { ...base, direction: 'egress-443' } });
    expect(out.at(-1)).toBe(
      `aws ec2 create-network-acl-entry --region ${REGION} --network-acl-id acl-0a1b2c3d4e5f60001 --egress --rule-number "$rule" --protocol tcp --port-range From=443,To=443 --cidr-block 10.0.0.0/16 --rule-action allow`,
    );
    expect(out.join('\n')).toContain('lower than any deny');
    const back = cliCommands({ id: 'nacl-allow-https', params: { ...base, direction: 'ingress-ephemeral' } });
    expect(back.at(-1)).toContain('--ingress --rule-number "$rule" --protocol tcp --port-range From=1024,To=65535');
    expect(back.join('\n')).toContain('Entries[?Egress==`false`]');
    // the endpoint's side of the path: 443 in, the answers out
    const endpointIn = cliCommands({ id: 'nacl-allow-https', params: { ...base, direction: 'ingress-443' } });
    expect(endpointIn.at(-1)).toContain('--ingress --rule-number "$rule" --protocol tcp --port-range From=443,To=443');
    const endpointOut = cliCommands({ id: 'nacl-allow-https', params: { ...base, direction: 'egress-ephemeral' } });
    expect(endpointOut.at(-1)).toContain('--egress --rule-number "$rule" --protocol tcp --port-range From=1024,To=65535');
    expect(remediations['nacl-allow-https']).toBeUndefined();
  });
});
