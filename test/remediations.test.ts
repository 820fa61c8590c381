// Every remediation is one unit (src/remediations/define.ts): metadata, IAM actions and "Fix by
// hand" commands in <id>.meta.ts, execute/verify in <id>.ts. This checks each registered unit is
// whole, and that what deployments grant is derived from the units, not kept by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { declaredIamActions } from '../src/aws/iam.js';
import { FUNCTION_PERMISSIONS, REMEDIATION_GRANTS, WRITE_ACTIONS } from '../src/lambda/permissions.js';
import { cliCommands } from '../src/remediations/cli-commands.js';
import { executorLoaders } from '../src/remediations/executors.js';
import { loadExecutor, remediations } from '../src/remediations/index.js';
import { actionIds, actionMetas, typedMetas, type ActionId } from '../src/remediations/metas.js';
import { executorLoaders as policyExecutorLoaders } from '../src/remediations/policy-executors.js';
import type { Params } from '../src/remediations/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGION = 'ap-northeast-1';

/** Valid params for every action: a new action without a sample here does not compile. */
const SAMPLES: Record<ActionId, Params> = {
  'ecs-redeploy': { cluster: 'prod', service: 'api', region: REGION, after: '2024-05-01T03:00:00.000Z' },
  'rotation-schedule': { secretId: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-AbCdEf', days: 30, region: REGION, currentDays: 7 },
  'ecs-redeploy-all': { services: 'prod/api,prod/worker', region: REGION },
  'route53-validation-record': {
    zoneId: 'Z0REAL123',
    zoneName: 'example.com.',
    recordName: '_abc123.example.com.',
    recordValue: '_def456.xyz.acm-validations.aws.',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
    region: 'us-east-1',
  },
  'ec2-release-eip': { allocationId: 'eipalloc-0123456789abcdef0', publicIp: '54.250.10.21', region: REGION },
  'kms-key-policy-grant': {
    keyArn: 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    principal: 'arn:aws:iam::123456789012:role/app',
    actions: 'kms:Decrypt',
    region: REGION,
  },
  'sg-allow-https-from-vpc': { groupId: 'sg-0a1b2c3d4e5f60e02', cidr: '10.0.0.0/16', region: REGION, vpcId: 'vpc-0a1b2c3d4e5f60001', description: 'the secretsmanager endpoint' },
  'lambda-timeout': { functionName: 'SecretsManagerRDSPostgreSQLRotationSingleUser', timeoutSeconds: 120, currentSeconds: 30, region: REGION },
  'rotate-now': { secretId: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-AbCdEf', region: REGION },
  'codebuild-image': { project: 'web-app-build', image: 'node:24.13.0-trixie', region: REGION, from: 'node:24.13.0-trixie-slim' },
  'codebuild-start-build': { project: 'web-app-build', region: REGION },
};

/** "ecs:UpdateService" → "aws ecs update-service": the CLI spelling of an IAM action (same service prefix for these). */
const cliOf = (iamAction: string) => {
  const [service, op] = iamAction.split(':') as [string, string];
  return `aws ${service} ${op.replace(/[A-Z]/g, (c, i: number) => `${i ? '-' : ''}${c.toLowerCase()}`)}`;
};
const READ = /^[a-z0-9-]+:(Describe|List|Get|BatchGet|Lookup|Filter|Simulate|Search)/;

describe('each action is one unit', () => {
  it('every action has metadata, an implementation in the worker registry, and a button', () => {
    expect(actionIds.length).toBeGreaterThan(0);
    expect(Object.keys(actionMetas).sort()).toEqual([...actionIds].sort());
    expect(Object.keys(executorLoaders).sort()).toEqual([...actionIds].sort());
    expect(Object.keys(remediations).sort()).toEqual([...actionIds].sort());
  });

  it.each(actionIds)('%s: the implementation loaded is the one its metadata names', async (id) => {
    const impl = await loadExecutor(id);
    expect(impl.id).toBe(id);
    expect(impl.iamActions).toBe(typedMetas[id].iamActions);
  });

  it.each(actionIds)('%s: a confirmation and "Fix by hand" commands for valid params, a refusal for others', (id) => {
    const meta = actionMetas[id]!;
    const p = meta.params.parse(SAMPLES[id]);
    for (const text of [meta.label(p), meta.doing(p), ...Object.values(meta.plan(p))]) expect(text.trim()).not.toBe('');
    const cmds = meta.cli(p);
    expect(cmds.length).toBeGreaterThan(0);
    expect(cliCommands({ id, params: SAMPLES[id] })).toEqual(cmds);
    // the commands do the write the action does
    for (const write of meta.iamActions.write) expect(cmds.join('\n')).toContain(cliOf(write));
    expect(() => cliCommands({ id, params: {} })).toThrow();
    expect(() => meta.plan({})).toThrow(); // the erased view parses before it renders
  });

  it.each(actionIds)('%s: IAM actions are adapters’ declared actions, writes apart from reads', (id) => {
    const { write, read, onWrite = [] } = actionMetas[id]!.iamActions;
    expect(write.length).toBeGreaterThan(0);
    for (const a of write) expect(a, `${a} is a write`).not.toMatch(READ);
    for (const a of read) expect(a, `${a} is a read`).toMatch(READ);
    // permissions.ts imports every adapter, so every iam() declaration has run
    for (const a of [...write, ...read, ...onWrite]) expect(declaredIamActions()).toContain(a);
  });

  it('guidance-only remediations have commands but no button', () => {
    expect(cliCommands({ id: 'ssm-recreate-parameter', params: { name: '/app/db/password', region: REGION } }).join('\n')).toContain('aws ssm put-parameter');
    expect(remediations['ssm-recreate-parameter']).toBeUndefined();
    expect(cliCommands({ id: 'show-cli', params: {} })).toEqual([]);
    expect(cliCommands({ id: 'constructor', params: {} })).toEqual([]);
  });
});

describe('IAM grants are derived from the units', () => {
  const union = (ids: readonly ActionId[], kind: 'write' | 'read' | 'onWrite') => [...new Set(ids.flatMap((id) => typedMetas[id].iamActions[kind] ?? []))].sort();
  const policyIds = actionIds.filter((id) => policyExecutorLoaders[id]);

  it('WRITE_ACTIONS is exactly the union of every action’s writes', () => {
    expect([...WRITE_ACTIONS].sort()).toEqual(union(actionIds, 'write'));
  });

  it('the worker may call everything its actions call; alerts only what the policy redeploy calls; slack writes nothing', () => {
    for (const a of [...union(actionIds, 'write'), ...union(actionIds, 'read'), ...union(actionIds, 'onWrite')]) expect(FUNCTION_PERMISSIONS.worker).toContain(a);
    expect(policyIds).toEqual(['ecs-redeploy']);
    for (const a of [...union(policyIds, 'write'), ...union(policyIds, 'read')]) expect(FUNCTION_PERMISSIONS.alerts).toContain(a);
    expect(FUNCTION_PERMISSIONS.alerts.filter((a) => WRITE_ACTIONS.includes(a))).toEqual(union(policyIds, 'write'));
    expect(FUNCTION_PERMISSIONS.slack.filter((a) => WRITE_ACTIONS.includes(a))).toEqual([]);
  });

  it('rotate-now alone asks for lambda:InvokeFunction (Secrets Manager invokes the rotation function as the caller); it is not a write', () => {
    expect(actionIds.filter((id) => (typedMetas[id].iamActions.onWrite ?? []).length > 0)).toEqual(['rotate-now']);
    expect(typedMetas['rotate-now'].iamActions).toEqual({ write: ['secretsmanager:RotateSecret'], read: ['secretsmanager:DescribeSecret'], onWrite: ['lambda:InvokeFunction'] });
    expect(WRITE_ACTIONS).not.toContain('lambda:InvokeFunction');
    expect(REMEDIATION_GRANTS).toContain('lambda:InvokeFunction');
    expect(FUNCTION_PERMISSIONS.worker).toContain('lambda:InvokeFunction');
    expect(FUNCTION_PERMISSIONS.alerts).not.toContain('lambda:InvokeFunction');
  });

  it('serverless.yml’s remediation policies grant exactly the actions’ writes (worker) and the policy redeploy’s (alerts)', () => {
    const yml = readFileSync(path.join(root, 'serverless.yml'), 'utf8');
    const block = (from: string, to: string) => yml.slice(yml.indexOf(from), yml.indexOf(to, yml.indexOf(from)));
    const actionsIn = (text: string) => [...new Set([...text.matchAll(/^\s*Action: \[([^\]]+)\]/gm)].flatMap((m) => m[1]!.split(',').map((a) => a.trim())))].sort();
    // the writes, and what AWS checks the caller for while doing them (rotate-now: lambda:InvokeFunction)
    expect(actionsIn(block('WorkerRemediationPolicy:', 'AlertsRemediationPolicy:'))).toEqual([...new Set([...union(actionIds, 'write'), ...union(actionIds, 'onWrite')])].sort());
    expect(actionsIn(block('AlertsRemediationPolicy:', 'AlertsScheduleVerificationPolicy:'))).toEqual(union(policyIds, 'write'));
    // and, beside them, handing the redeploy's verification to the worker: no write
    expect(actionsIn(block('AlertsScheduleVerificationPolicy:', "'true': {}"))).toEqual(['sqs:SendMessage']);
  });
});
