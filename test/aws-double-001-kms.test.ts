// The AWS double's CloudFormation, KMS, IAM (SimulatePrincipalPolicy), SSM DescribeParameters
// and CloudTrail KMS events, through the REAL SDK v3 clients (AWS_ENDPOINT_URL only).
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, ListAliasesCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { describeStack, listStacks, stackEvents } from '../src/aws/cloudformation.js';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { loadScenario, resolveTime } from '../src/sandbox/scenario.js';

const T0 = new Date('2026-11-23T12:00:00.000Z');
const REGION = 'ap-northeast-1';
const ACCOUNT = '123456789012';
const K1 = '1f2e3d4c-5b6a-4789-8abc-def012345678';
const K2 = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d';
const K2_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${K2}`;

let double: AwsDouble;
const cfg = { region: REGION, maxAttempts: 1 };
let cfn: CloudFormationClient;
let kms: KMSClient;
let iam: IAMClient;
let ssm: SSMClient;
let trail: CloudTrailClient;

beforeAll(async () => {
  double = await startAwsDouble({ scenario: await loadScenario('incident-001-kms'), now: T0 });
  process.env.AWS_ENDPOINT_URL = double.url;
  process.env.AWS_REGION = REGION;
  cfn = new CloudFormationClient(cfg);
  kms = new KMSClient(cfg);
  iam = new IAMClient(cfg);
  ssm = new SSMClient(cfg);
  trail = new CloudTrailClient(cfg);
});
afterAll(async () => {
  for (const c of [cfn, kms, iam, ssm, trail]) c.destroy();
  await double.close();
});

describe('CloudFormation (query/XML 2010-05-15)', () => {
  it('DescribeStacks: parameters, outputs, status; unknown stacks are a ValidationError', async () => {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }));
    const s = out.Stacks![0]!;
    expect(s.StackStatus).toBe('CREATE_COMPLETE');
    expect(s.StackId).toMatch(new RegExp(`^arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/CDKToolkit/[0-9a-f-]{36}$`));
    expect(s.Parameters).toContainEqual({ ParameterKey: 'FileAssetsBucketKmsKeyId', ParameterValue: K1 });
    expect(s.Outputs).toContainEqual({ OutputKey: 'BootstrapVersion', OutputValue: '28' });
    expect((await cfn.send(new DescribeStacksCommand({}))).Stacks!.map((x) => x.StackName)).toEqual(['CDKToolkit', 'AppStack']);
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'Nope' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id Nope does not exist',
    });
  });

  it('DescribeStackEvents: newest first, with reasons and properties', async () => {
    const out = await cfn.send(new DescribeStackEventsCommand({ StackName: 'AppStack' }));
    const events = out.StackEvents!;
    expect(events[0]).toMatchObject({ LogicalResourceId: 'AppStack', ResourceStatus: 'ROLLBACK_COMPLETE', ResourceType: 'AWS::CloudFormation::Stack' });
    expect(events.at(-1)).toMatchObject({ ResourceStatus: 'CREATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated', Timestamp: resolveTime('now-2h10m', T0) });
    const failed = events.find((e) => e.ResourceStatus === 'CREATE_FAILED')!;
    expect(failed.ResourceType).toBe('Custom::AWS');
    expect(failed.ResourceStatusReason).toMatch(/not authorized to perform: kms:Decrypt/);
    expect(JSON.parse(failed.ResourceProperties!).Create).toContain('/app/prod/db-password');
  });

  it('ListStacks filters by status', async () => {
    const out = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['ROLLBACK_COMPLETE', 'CREATE_FAILED'] }));
    expect(out.StackSummaries!.map((s) => [s.StackName, s.StackStatus])).toEqual([['AppStack', 'ROLLBACK_COMPLETE']]);
    await expect(cfn.send(new ListStacksCommand({ StackStatusFilter: ['BOGUS' as never] }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('the adapter: describeStack, stackEvents oldest first with max, listStacks', async () => {
    const aws = new AwsClients({ region: REGION, maxAttempts: 1 });
    try {
      const s = await describeStack(aws, 'CDKToolkit');
      expect(s).toMatchObject({ name: 'CDKToolkit', status: 'CREATE_COMPLETE', parameters: { FileAssetsBucketKmsKeyId: K1, Qualifier: 'hnb659fds' } });
      expect(await describeStack(aws, 'Nope')).toBeUndefined();
      const all = await stackEvents(aws, 'AppStack');
      expect(all.map((e) => e.status)[0]).toBe('CREATE_IN_PROGRESS');
      expect(all.at(-1)?.status).toBe('ROLLBACK_COMPLETE');
      expect(all.truncated).toBe(false);
      const newest = await stackEvents(aws, 'AppStack', { max: 2 });
      expect(newest.map((e) => e.status)).toEqual(['DELETE_COMPLETE', 'ROLLBACK_COMPLETE']);
      expect(newest.truncated).toBe(true);
      expect((await listStacks(aws, ['ROLLBACK_COMPLETE'])).map((x) => x.name)).toEqual(['AppStack']);
    } finally {
      aws.destroy();
    }
  });
});

describe('KMS (JSON 1.1, TrentService)', () => {
  it('DescribeKey by id, ARN, alias and alias ARN; KeyManager', async () => {
    for (const KeyId of [K2, K2_ARN, 'alias/app-secrets', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app-secrets`]) {
      const out = await kms.send(new DescribeKeyCommand({ KeyId }));
      expect(out.KeyMetadata).toMatchObject({ KeyId: K2, Arn: K2_ARN, KeyManager: 'CUSTOMER', KeyState: 'Enabled', Enabled: true });
    }
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ssm' }))).KeyMetadata?.KeyManager).toBe('AWS');
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('GetKeyPolicy returns the policy; aliases are not accepted there', async () => {
    const out = await kms.send(new GetKeyPolicyCommand({ KeyId: K2, PolicyName: 'default' }));
    expect(out.PolicyName).toBe('default');
    expect(JSON.parse(out.Policy!).Statement[0].Sid).toBe('Enable IAM User Permissions');
    await expect(kms.send(new GetKeyPolicyCommand({ KeyId: 'alias/app-secrets' }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('PutKeyPolicy replaces the policy, refuses malformed or lock-out policies and AWS managed keys', async () => {
    const original = double.world.kms.keys.find((k) => k.id === K2)!.policy;
    const doc = JSON.parse(original) as { Statement: unknown[] };
    await expect(
      kms.send(new PutKeyPolicyCommand({ KeyId: K2, PolicyName: 'default', Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }] }) })),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException', message: expect.stringMatching(/will not allow you to update the key policy/) });
    await expect(kms.send(new PutKeyPolicyCommand({ KeyId: K2, PolicyName: 'default', Policy: '{' }))).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await expect(kms.send(new PutKeyPolicyCommand({ KeyId: 'alias/app-secrets', PolicyName: 'default', Policy: original }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      kms.send(new PutKeyPolicyCommand({ KeyId: '0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a', PolicyName: 'default', Policy: original })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const added = { ...doc, Statement: [...doc.Statement, { Sid: 'x', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/R` }, Action: 'kms:Decrypt', Resource: '*' }] };
    await kms.send(new PutKeyPolicyCommand({ KeyId: K2_ARN, PolicyName: 'default', Policy: JSON.stringify(added) }));
    expect(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: K2 }))).Policy!).Statement).toHaveLength(doc.Statement.length + 1);
    double.world.kms.keys.find((k) => k.id === K2)!.policy = original;
  });

  it('ListAliases, all or by key', async () => {
    const all = await kms.send(new ListAliasesCommand({}));
    expect(all.Aliases!.map((a) => a.AliasName)).toEqual(['alias/app-secrets', 'alias/aws/s3', 'alias/aws/ssm', 'alias/s3-managed-key']);
    const one = await kms.send(new ListAliasesCommand({ KeyId: K1 }));
    expect(one.Aliases).toEqual([expect.objectContaining({ AliasName: 'alias/s3-managed-key', TargetKeyId: K1 })]);
  });
});

describe('IAM SimulatePrincipalPolicy (query/XML 2010-05-08)', () => {
  it('allowed when an allow entry matches, implicitDeny otherwise; session ARNs are invalid', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/AppStack-AWS679f53fac002430cb0da5b7982bd2287-Q1W2E3R4T5Y6`;
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: role, ActionNames: ['kms:Decrypt', 'ssm:GetParameter'], ResourceArns: [K2_ARN] }),
    );
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['kms:Decrypt', 'implicitDeny'],
      ['ssm:GetParameter', 'implicitDeny'],
    ]);
    const admin = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`, ActionNames: ['kms:Decrypt'] }),
    );
    expect(admin.EvaluationResults![0]!.EvalDecision).toBe('allowed');
    await expect(
      iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:sts::${ACCOUNT}:assumed-role/R/s`, ActionNames: ['kms:Decrypt'] })),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});

describe('SSM DescribeParameters and CloudTrail KMS events', () => {
  it('lists SecureString parameters with their KeyId, filtered and paged', async () => {
    const out = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['SecureString'] }], MaxResults: 2 }));
    expect(out.Parameters!.map((p) => [p.Name, p.KeyId])).toEqual([
      ['/app/prod/db-password', 'alias/app-secrets'],
      ['/app/prod/db-username', 'alias/app-secrets'],
    ]);
    const next = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['SecureString'] }], MaxResults: 2, NextToken: out.NextToken! }));
    expect(next.Parameters!.map((p) => [p.Name, p.KeyId])).toEqual([['/app/prod/slack-webhook', 'alias/aws/ssm']]);
    const byPath = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/prod/log'] }] }));
    expect(byPath.Parameters!.map((p) => [p.Name, p.Type, p.KeyId])).toEqual([['/app/prod/log-level', 'String', undefined]]);
  });

  it('KMS denials carry errorCode, errorMessage and the key as a resource', async () => {
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }] }));
    const denied = out.Events!.filter((e) => JSON.parse(e.CloudTrailEvent!).errorCode === 'AccessDenied');
    expect(denied).toHaveLength(5);
    const cr = denied[0]!;
    expect(cr.Resources).toEqual([{ ResourceType: 'AWS::KMS::Key', ResourceName: K2_ARN }]);
    const record = JSON.parse(cr.CloudTrailEvent!);
    expect(record.resources).toEqual([{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: K2_ARN }]);
    expect(record.errorMessage).toMatch(/because no identity-based policy allows the kms:Decrypt action$/);
    expect(record.requestParameters.encryptionContext.PARAMETER_ARN).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/prod/db-password`);
  });
});
