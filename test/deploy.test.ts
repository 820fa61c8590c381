// The AWS deployment, proven offline: scripts/package.mjs bundles each function and runs
// `osls package` twice (writes allowed with --param readOnly=false, and the default: read-only);
// this reads the CloudFormation
// it produced. Least privilege is checked against FUNCTION_PERMISSIONS, which
// src/lambda/permissions.ts derives from the aws/ adapters — not a second hand-kept list.
// Then the bundles themselves run: each handler from .build/<fn>/index.mjs in a fresh node
// process, against the AWS and Slack doubles.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { load as loadYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript (scripts/bundle.mjs); its helpers are typed below
import * as bundleScript from '../scripts/bundle.mjs';
// @ts-expect-error -- plain JavaScript (scripts/package.mjs)
import { ACCOUNTS_FILE, AUTO_REDEPLOY, KMS_KEYS } from '../scripts/package.mjs';
import { parseRotationEvent } from '../src/alerts/events.js';
import { FUNCTION_PERMISSIONS, MEMBER_ACCOUNT_IAM, REMEDIATION_GRANTS, WRITE_ACTIONS } from '../src/lambda/permissions.js';
import { PLAYBOOK_CATALOG } from '../src/playbooks/catalog.js';
import { ROTATION_FAILED_CHECKS } from '../src/playbooks/rotation-failed/index.js';
import { loadConfig } from '../src/config.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { BOT_TOKEN, lambdaWorld, signedHeaders, slashCommandBody } from './helpers/harness.js';

interface Metafile {
  inputs: Record<string, { imports: Array<{ path: string; kind: string }> }>;
  outputs: Record<string, { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }>; imports: Array<{ path: string; kind: string }> }>;
}
const { LAMBDA_STUBS, entryOutput, initialOutputs, packageOf } = bundleScript as {
  LAMBDA_STUBS: string[];
  entryOutput: (m: Metafile) => string | undefined;
  initialOutputs: (m: Metafile, entry: string) => string[];
  packageOf: (input: string) => string;
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAGE = 'ci';
const FNS = ['slack', 'worker', 'alerts', 'failures'] as const;
type Fn = (typeof FNS)[number];
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/**
 * Actions the Service Authorization Reference gives no resource type for (so only "*" works),
 * plus ecs:ListTasks, whose only resource type is container-instance: a list by service does
 * not name one. Anything else must be scoped.
 */
const NO_RESOURCE_LEVEL = [
  'acm:ListCertificates', 'cloudformation:ListStacks', 'cloudtrail:LookupEvents', 'ec2:DescribeAddresses', 'ec2:DescribeNatGateways',
  'ec2:DescribeSecurityGroups',
  'ecs:DescribeTaskDefinition', 'ecs:ListClusters', 'ecs:ListServices', 'ecs:ListTasks', 'kms:ListAliases', 'rds:DescribeEvents',
  'route53:ListHostedZonesByName', 'route53domains:GetDomainDetail', 'secretsmanager:ListSecrets', 'ssm:DescribeParameters',
  // rotation-failed's network path: EC2's Describe* name no resource type
  'ec2:DescribeNetworkAcls', 'ec2:DescribeRouteTables', 'ec2:DescribeSubnets', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcs',
];

type Json = any; // CloudFormation as osls wrote it
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, string>>;
}

const templatePath = (variant: 'default' | 'readOnly') =>
  path.join(root, variant === 'default' ? '.serverless' : '.serverless-readonly', 'cloudformation-template-update-stack.json');

let tpl: Json;
let ro: Json;

beforeAll(() => {
  // Packages when the templates are missing or older than serverless.yml, scripts/ or src/
  // (~10 s: two `osls package` runs); `node scripts/package.mjs` beforehand makes this a no-op.
  execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--if-stale', '--skip-build'], { cwd: root, stdio: 'pipe', timeout: 170_000 });
  tpl = JSON.parse(readFileSync(templatePath('default'), 'utf8'));
  ro = JSON.parse(readFileSync(templatePath('readOnly'), 'utf8'));
}, 180_000);

const cap = (fn: Fn) => `${fn[0]!.toUpperCase()}${fn.slice(1)}`;
const actionsOf = (s: Statement) => (typeof s.Action === 'string' ? [s.Action] : (s.Action ?? []));
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const entries = (t: Json, type: string): [string, Json][] => Object.entries(t.Resources).filter(([, r]) => (r as Json).Type === type) as [string, Json][];

function roleOf(t: Json, fn: Fn): string {
  const role = t.Resources[`${cap(fn)}LambdaFunction`].Properties.Role;
  expect(role, `${fn} has its own role from resources`).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  return role['Fn::GetAtt'][0];
}

/** A statement list with `Fn::If` entries (a statement only under a template Condition): both branches, but AWS::NoValue. */
const expandIf = (statements: Json[]): Statement[] =>
  statements.flatMap((s) => (s?.['Fn::If'] ? [s['Fn::If'][1], s['Fn::If'][2]].filter((b: Json) => b?.Ref !== 'AWS::NoValue') : [s]));

/** Every statement that applies to a role: its inline policies and AWS::IAM::Policy resources naming it. */
function statementsOf(t: Json, role: string): Statement[] {
  const r = t.Resources[role];
  expect(r.Type).toBe('AWS::IAM::Role');
  expect(r.Properties.ManagedPolicyArns, 'no managed policies: their actions are not ours to check').toBeUndefined();
  const inline = (r.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement);
  const attached = [...entries(t, 'AWS::IAM::Policy'), ...entries(t, 'AWS::IAM::ManagedPolicy')]
    .filter(([, p]) => (p.Properties.Roles ?? []).some((x: Json) => x?.Ref === role))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  return expandIf([...inline, ...attached]);
}

/** All policy statements anywhere in the template (roles, policies, bucket policies, …). */
function allStatements(node: Json): Statement[] {
  if (Array.isArray(node)) return node.flatMap(allStatements);
  if (node && typeof node === 'object') {
    const here = expandIf(node.PolicyDocument?.Statement ?? []);
    return [...here, ...Object.values(node).flatMap(allStatements)];
  }
  return [];
}

const granted = (t: Json, fn: Fn) => new Set(statementsOf(t, roleOf(t, fn)).filter((s) => s.Effect === 'Allow').flatMap(actionsOf));

describe('IAM: one least-privilege role per function', () => {
  it.each(FNS)('%s: grants exactly FUNCTION_PERMISSIONS[fn] plus writing its own logs', (fn) => {
    const role = roleOf(tpl, fn);
    const statements = statementsOf(tpl, role);
    const allowed = new Set([...FUNCTION_PERMISSIONS[fn], ...LOG_ACTIONS]);
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(s.NotAction, 'no NotAction').toBeUndefined();
      expect(s.NotResource, 'no NotResource').toBeUndefined();
      for (const a of actionsOf(s)) expect(allowed.has(a), `${role} ${s.Sid ?? ''}: ${a} is not in FUNCTION_PERMISSIONS.${fn}`).toBe(true);
    }
    // and nothing the code calls is missing (it would fail at run time with AccessDenied)
    expect([...granted(tpl, fn)].filter((a) => !LOG_ACTIONS.includes(a)).sort()).toEqual([...FUNCTION_PERMISSIONS[fn]].sort());
    // roles are not shared
    expect(FNS.filter((other) => other !== fn).map((other) => roleOf(tpl, other))).not.toContain(role);
  });

  it.each(FNS)('%s: writes logs only to its own log group', (fn) => {
    const logs = statementsOf(tpl, roleOf(tpl, fn)).filter((s) => actionsOf(s).some((a) => LOG_ACTIONS.includes(a)));
    expect(logs).toHaveLength(1);
    expect(actionsOf(logs[0]!).sort()).toEqual([...LOG_ACTIONS].sort());
    expect(JSON.stringify(logs[0]!.Resource)).toContain(`log-group:/aws/lambda/whybot-${STAGE}-${fn}:*`);
    expect(tpl.Resources[`${cap(fn)}LogGroup`].Properties.LogGroupName).toBe(`/aws/lambda/whybot-${STAGE}-${fn}`);
  });

  it('worker and alerts read (never write) Lambda functions’ log groups, for rotation-failed; slack does not', () => {
    for (const fn of ['worker', 'alerts'] as const) {
      const reads = statementsOf(tpl, roleOf(tpl, fn)).filter((s) => actionsOf(s).includes('logs:FilterLogEvents'));
      expect(reads.map((s) => actionsOf(s))).toEqual([['logs:FilterLogEvents']]);
      expect(JSON.stringify(reads[0]!.Resource)).toContain('log-group:/aws/lambda/*');
    }
    expect(granted(tpl, 'slack').has('logs:FilterLogEvents')).toBe(false);
  });

  it('no wildcard action anywhere, in either template; "*" resources only where AWS allows nothing narrower', () => {
    for (const t of [tpl, ro]) {
      const statements = allStatements(t.Resources);
      expect(statements.length).toBeGreaterThan(10);
      for (const s of statements.filter((x) => x.Effect === 'Allow')) {
        for (const a of actionsOf(s)) expect(a, `${s.Sid ?? ''} ${a}`).not.toMatch(/\*/);
        if (resourcesOf(s).includes('*')) {
          for (const a of actionsOf(s)) expect(NO_RESOURCE_LEVEL, `${a} supports resource-level permissions: scope it`).toContain(a);
        }
      }
    }
    // osls's own deployment-bucket policy only denies (non-TLS access); it grants nothing
    expect(allStatements(tpl.Resources.ServerlessDeploymentBucketPolicy).every((s) => s.Effect === 'Deny')).toBe(true);
  });

  it('store, hand-off and secrets are scoped to this stack’s table, worker and SSM path', () => {
    for (const fn of FNS) {
      const st = statementsOf(tpl, roleOf(tpl, fn));
      const by = (action: string) => st.filter((s) => actionsOf(s).includes(action));
      expect(by('dynamodb:PutItem').map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': ['WhybotTable', 'Arn'] }]);
      // the failures function reads the bot token only
      const ssm = fn === 'failures' ? `:parameter/whybot/${STAGE}/slack-bot-token` : `:parameter/whybot/${STAGE}/*`;
      expect(by('ssm:GetParameters').map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringContaining(ssm)]);
    }
    const invoke = statementsOf(tpl, roleOf(tpl, 'slack')).filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] }]);
  });

  it('writes: worker, and alerts for auto-redeploy only; scoped to this account; RotateSecret rotates now only with the secret’s own function', () => {
    expect(WRITE_ACTIONS.length).toBeGreaterThan(0);
    for (const w of WRITE_ACTIONS) expect(granted(tpl, 'slack').has(w)).toBe(false);
    expect([...granted(tpl, 'alerts')].filter((a) => WRITE_ACTIONS.includes(a))).toEqual(['ecs:UpdateService']);
    const alertWrites = statementsOf(tpl, roleOf(tpl, 'alerts')).filter((s) => actionsOf(s).includes('ecs:UpdateService'));
    expect(alertWrites.map((s) => s.Resource)).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:ecs:*:${AWS::AccountId}:service/*' }]);
    const st = statementsOf(tpl, roleOf(tpl, 'worker'));
    const update = st.filter((s) => actionsOf(s).includes('ecs:UpdateService'));
    expect(update.map((s) => s.Resource)).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:ecs:*:${AWS::AccountId}:service/*' }]);
    const rotate = st.filter((s) => actionsOf(s).includes('secretsmanager:RotateSecret'));
    const secrets = { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:*' };
    // rotation-schedule: never now; rotate-now: now, but never with another function
    expect(rotate.map((s) => [s.Sid, s.Resource, s.Condition])).toEqual([
      ['RotationSchedule', secrets, { Bool: { 'secretsmanager:RotateImmediately': 'false' } }],
      ['RotateNow', secrets, { Null: { 'secretsmanager:RotationLambdaARN': 'true' } }],
    ]);
    // rotate-now's lambda:InvokeFunction (Secrets Manager invokes the rotation function as the
    // caller): the worker's only Invoke, in the remediation policy, this account's functions
    const invoke = st.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.map((s) => [s.Sid, actionsOf(s), s.Resource])).toEqual([
      ['RotateNowInvokesRotationFunction', ['lambda:InvokeFunction'], { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:*:${AWS::AccountId}:function:*' }],
    ]);
    expect(granted(tpl, 'alerts').has('lambda:InvokeFunction')).toBe(false);
  });

  it('by default (no --param) read-only: no write action at all, the rest unchanged, and the functions are told', () => {
    const everyAction = allStatements(ro.Resources).flatMap(actionsOf);
    for (const w of WRITE_ACTIONS) expect(everyAction).not.toContain(w);
    expect(ro.Resources.WorkerRemediationPolicy).toBeUndefined();
    expect(ro.Resources.AlertsRemediationPolicy).toBeUndefined();
    // what AWS checks on a write's behalf (rotate-now's lambda:InvokeFunction) goes with the writes
    expect(granted(ro, 'worker').has('lambda:InvokeFunction')).toBe(false);
    for (const fn of ['worker', 'alerts'] as const)
      expect([...granted(ro, fn)].filter((a) => !LOG_ACTIONS.includes(a)).sort()).toEqual(
        // and no member account is configured there: nothing to assume
        FUNCTION_PERMISSIONS[fn].filter((a) => !REMEDIATION_GRANTS.includes(a) && a !== MEMBER_ACCOUNT_IAM.assumeRole).sort(),
      );
    expect(granted(ro, 'slack')).toEqual(granted(tpl, 'slack'));
    for (const fn of FNS) {
      expect(ro.Resources[`${cap(fn)}LambdaFunction`].Properties.Environment.Variables.WHYBOT_READ_ONLY).toBe('true');
      expect(tpl.Resources[`${cap(fn)}LambdaFunction`].Properties.Environment.Variables.WHYBOT_READ_ONLY).toBe('false');
    }
  });
});

describe('member accounts (--param accounts: a WHYBOT_ACCOUNTS file)', () => {
  const members = loadYaml(readFileSync(path.join(root, ACCOUNTS_FILE), 'utf8')) as Record<string, { roleArn: string; writeRoleArn?: string }>;
  const assumeGrants = (t: Json, fn: Fn) => statementsOf(t, roleOf(t, fn)).filter((s) => actionsOf(s).includes(MEMBER_ACCOUNT_IAM.assumeRole));

  it('worker and alerts (it redeploys: autoRedeploy) may assume exactly the listed roles, write roles only because writes are allowed; slack and failures none', () => {
    const reads = [...new Set(Object.values(members).map((a) => a.roleArn))].sort();
    const writes = Object.values(members).flatMap((a) => (a.writeRoleArn ? [a.writeRoleArn] : []));
    expect(writes.length).toBeGreaterThan(0);
    for (const fn of ['worker', 'alerts'] as const) {
      const st = assumeGrants(tpl, fn);
      for (const s of st) expect(actionsOf(s)).toEqual([MEMBER_ACCOUNT_IAM.assumeRole]);
      expect(st.flatMap(resourcesOf).sort()).toEqual([...reads, ...writes].sort());
      expect(assumeGrants(ro, fn), 'the read-only package was given no accounts').toEqual([]);
    }
    for (const fn of ['slack', 'failures'] as const) expect(assumeGrants(tpl, fn)).toEqual([]);
  });

  it('the file ships in every package and the functions are pointed at it; it reads back as the same accounts', () => {
    for (const fn of FNS) {
      expect(tpl.Resources[`${cap(fn)}LambdaFunction`].Properties.Environment.Variables.WHYBOT_ACCOUNTS).toBe('.build/accounts.json');
      expect(ro.Resources[`${cap(fn)}LambdaFunction`].Properties.Environment.Variables.WHYBOT_ACCOUNTS).toBe('');
      expect(zipEntries(readFileSync(path.join(root, '.serverless', `${fn}.zip`)))).toContain('.build/accounts.json');
      expect(zipEntries(readFileSync(path.join(root, '.serverless-readonly', `${fn}.zip`)))).not.toContain('.build/accounts.json');
    }
    // Lambda's working directory is the package root, as the repository root is here
    const loaded = loadConfig({ WHYBOT_ACCOUNTS: path.join(root, '.build', 'accounts.json') });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    expect(Object.keys(loaded.config.accounts ?? {}).sort()).toEqual(Object.keys(members).sort());
  });
});

describe('scoped writes (readOnly=false)', () => {
  const statement = (sid: string) => {
    const found = statementsOf(tpl, roleOf(tpl, 'worker')).filter((s) => s.Sid === sid);
    expect(found, sid).toHaveLength(1);
    return found[0]!;
  };

  it('kms:PutKeyPolicy: never bypassing the lockout safety check; keys tagged whybot=true, or the keys --param kmsKeys lists', () => {
    const puts = statementsOf(tpl, roleOf(tpl, 'worker')).filter((s) => actionsOf(s).includes('kms:PutKeyPolicy'));
    expect(puts.map((s) => s.Sid).sort()).toEqual(['KeyPolicyGrant', 'KeyPolicyGrantListedKeys']);
    for (const s of puts) {
      expect(actionsOf(s)).toEqual(['kms:PutKeyPolicy']);
      expect(s.Condition?.Bool).toEqual({ 'kms:BypassPolicyLockoutSafetyCheck': 'false' });
    }
    expect(statement('KeyPolicyGrant').Condition).toEqual({ Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' }, StringEquals: { 'aws:ResourceTag/whybot': 'true' } });
    expect(statement('KeyPolicyGrantListedKeys').Resource).toEqual({ 'Fn::Split': [',', KMS_KEYS] });
    // the listed-keys statement exists only when keys are listed (an empty Split is no resource)
    const policy = tpl.Resources.WorkerRemediationPolicy.Properties.PolicyDocument.Statement as Json[];
    const conditional = policy.find((s) => s['Fn::If'])!['Fn::If'];
    expect(conditional[0]).toBe('KeyPolicyKeysListed');
    expect(conditional[2]).toEqual({ Ref: 'AWS::NoValue' });
    expect(tpl.Conditions.KeyPolicyKeysListed).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [KMS_KEYS, ''] }] });
  });

  it('route53:ChangeResourceRecordSets: UPSERT of a CNAME, and only for `_…` validation names', () => {
    expect(statement('ValidationRecord').Condition).toEqual({
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsActions': ['UPSERT'], 'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'] },
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_*'] },
      Null: { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': 'false' },
    });
  });

  it('WHYBOT_AUTO_REDEPLOY is a deployment parameter; the alerts function may redeploy only when it names something', () => {
    expect(tpl.Resources.AlertsLambdaFunction.Properties.Environment.Variables.WHYBOT_AUTO_REDEPLOY).toBe(AUTO_REDEPLOY);
    expect(ro.Resources.AlertsLambdaFunction.Properties.Environment.Variables.WHYBOT_AUTO_REDEPLOY).toBe('');
    expect(tpl.Resources.AlertsRemediationPolicy.Condition).toBe('AutoRedeployEnabled');
    expect(tpl.Conditions.AutoRedeployEnabled).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [AUTO_REDEPLOY, ''] }] });
  });
});

describe('functions', () => {
  it('four functions, nodejs22.x on arm64, each its own bundle as handler', () => {
    const fns = entries(tpl, 'AWS::Lambda::Function');
    expect(fns.map(([id]) => id).sort()).toEqual(['AlertsLambdaFunction', 'FailuresLambdaFunction', 'SlackLambdaFunction', 'WorkerLambdaFunction']);
    for (const t of [tpl, ro]) {
      for (const [, f] of entries(t, 'AWS::Lambda::Function')) {
        expect(f.Properties.Runtime).toBe('nodejs22.x');
        expect(f.Properties.Architectures).toEqual(['arm64']);
      }
    }
    for (const fn of FNS) {
      const p = tpl.Resources[`${cap(fn)}LambdaFunction`].Properties;
      expect(p.Handler).toBe(`.build/${fn}/index.handler`);
      expect(p.FunctionName).toBe(`whybot-${STAGE}-${fn}`);
    }
    const slack = tpl.Resources.SlackLambdaFunction.Properties;
    expect(slack.MemorySize).toBe(512);
    expect(slack.Timeout).toBeLessThanOrEqual(10);
    expect(slack.Environment.Variables.WHYBOT_WORKER_FUNCTION).toEqual({ Ref: 'WorkerLambdaFunction' });
    expect(tpl.Resources.WorkerLambdaFunction.Properties.Timeout).toBe(900);
    // a failed rotation's alert runs rotation-failed, bounded by every check's timeout in a row (default config)
    const defaults = loadConfig({});
    if (!defaults.ok) throw new Error(defaults.problems.join('; '));
    expect(tpl.Resources.AlertsLambdaFunction.Properties.Timeout * 1000).toBeGreaterThan(defaults.config.checkTimeoutMs * ROTATION_FAILED_CHECKS.length);
  });

  it('configuration by environment, secrets only by SSM path: no token or secret value in the template', () => {
    for (const fn of FNS) {
      const vars = tpl.Resources[`${cap(fn)}LambdaFunction`].Properties.Environment.Variables as Record<string, unknown>;
      expect(vars).toMatchObject({ WHYBOT_TABLE: { Ref: 'WhybotTable' }, WHYBOT_SSM_PREFIX: `/whybot/${STAGE}`, WHYBOT_RESPONDERS: '', WHYBOT_ALERT_CHANNEL: '', WHYBOT_LOG_LEVEL: 'info' });
      for (const name of Object.keys(vars)) expect(name).not.toMatch(/^SLACK_|TOKEN|SECRET/);
    }
    expect(JSON.stringify(tpl)).not.toMatch(/xox[abp]-/);
  });

  it.each(FNS)('%s.zip holds only its own bundle, every chunk of it, within its size target', (fn) => {
    const zip = readFileSync(path.join(root, '.serverless', `${fn}.zip`));
    const names = zipEntries(zip);
    expect(names).toContain(`.build/${fn}/index.mjs`);
    // and the member accounts the deployment was given (--param accounts), read at cold start
    expect(names.filter((n) => !n.startsWith(`.build/${fn}/`))).toEqual(['.build/accounts.json']);
    // a chunk left out of the zip would fail the first import() that needs it, in production
    const chunks = Object.keys(metafile(fn).outputs).filter((o) => o.endsWith('.mjs'));
    // the failures function imports nothing lazily: its bundle may be one file
    expect(chunks.length).toBeGreaterThanOrEqual(fn === 'failures' ? 1 : 2);
    for (const c of chunks) expect(names, `${c} is in ${fn}.zip`).toContain(c);
    expect(zip.length).toBeLessThanOrEqual((fn === 'slack' || fn === 'failures' ? 1 : 5) * 1024 * 1024);
  });

  it('the slack bundle carries no playbook, engine or playbook SDK client', () => {
    const inputs = bundledInputs(metafile('slack'));
    expect(inputs).toContain('src/lambda/slack.ts');
    expect(inputs.filter((f) => /node_modules\/@aws-sdk\/client-(rds|ecs|cloudtrail|secrets-manager)\//.test(f))).toEqual([]);
    // the command parser and the catalog of names are the only playbook modules it needs; from
    // the engine only the boot id every function's runtime owns its journal entries by (the
    // rate gate that paces Slack messages is src/platform/rate-gate.ts, below the engine)
    // (each playbook's meta.ts is its catalog entry: names, target patterns, Slack command);
    // `/why` answers at once with the list and the closest name (help.ts, close-matches.ts)
    expect(inputs.filter((f) => /^src\/(playbooks|engine)\//.test(f) && !/^src\/playbooks\/[^/]+\/meta\.ts$/.test(f)).sort()).toEqual([
      'src/engine/liveness.ts',
      'src/playbooks/catalog.ts',
      'src/playbooks/close-matches.ts',
      'src/playbooks/help.ts',
      'src/playbooks/invocation.ts',
      'src/playbooks/playbook-meta.ts',
    ]);
    expect(inputs.filter((f) => /^src\/playbooks\/[^/]+\/meta\.ts$/.test(f)).sort()).toEqual(
      Object.keys(PLAYBOOK_CATALOG)
        .map((n) => `src/playbooks/${n}/meta.ts`)
        .sort(),
    );
  });
});

// Structural, from esbuild's metafiles (.build/meta/<fn>.json): what each bundle holds at all
// (metafile.inputs: every file esbuild read), and what a cold start loads (the entry and the
// chunks it imports statically) as opposed to chunks loaded by import() when code first needs them.
describe('bundle contents', () => {
  /** node_modules/<pkg>/… inputs (a stub is `whybot-stub:<pkg>`, no file of the package) */
  const fromPackage = (inputs: string[], pkg: string) => inputs.filter((i) => packageOf(i) === pkg && i.includes('node_modules/'));

  it('alerts loads the EC2 client only through import() (rotation-failed’s network path), and no remediation but the policy redeploy', () => {
    const meta = metafile('alerts');
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('src/lambda/alerts.ts');
    const entry = entryOutput(meta);
    const initInputs = initialOutputs(meta, entry!).flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
    expect(fromPackage(initInputs, '@aws-sdk/client-ec2')).toEqual([]);
    expect(initInputs).not.toContain('src/playbooks/rotation-failed/index.ts');
    // the registry is there (through src/slack/remediate-worker.ts) with the policy loader table in place of the full one
    expect(inputs).toContain('src/remediations/policy-executors.ts');
    expect(inputs).not.toContain('src/remediations/executors.ts');
    const actions = inputs.filter((i) => /^src\/remediations\/[a-z0-9-]+\.ts$/.test(i) && !/\/(index|types|metas|define|shell|policy-executors|signed-value|responders|cli-commands|kms-guidance)\.ts$/.test(i));
    expect(actions).toEqual(['src/remediations/ecs-redeploy.ts']);
  });

  it('slack holds no express, body-parser, raw-body or iconv-lite: they are stubs, never files', () => {
    const inputs = Object.keys(metafile('slack').inputs);
    for (const pkg of ['express', 'body-parser', 'raw-body', 'iconv-lite', '@slack/socket-mode', '@slack/oauth', 'ws'])
      expect(fromPackage(inputs, pkg), pkg).toEqual([]);
    expect(inputs.filter((i) => i.startsWith('whybot-stub:')).sort()).toEqual(LAMBDA_STUBS.map((n) => `whybot-stub:${n}`).sort());
  });

  it('worker loads the EC2 client only through import(): not at init', () => {
    const meta = metafile('worker');
    const entry = entryOutput(meta);
    expect(entry).toBe('.build/worker/index.mjs');
    const atInit = initialOutputs(meta, entry!);
    const initInputs = atInit.flatMap((o) => Object.keys(meta.outputs[o]!.inputs));
    expect(initInputs).toContain('src/lambda/worker.ts');
    expect(fromPackage(initInputs, '@aws-sdk/client-ec2')).toEqual([]);
    // still in the bundle, for /why-deploy-failed and ec2-release-eip
    const lazy = Object.keys(meta.outputs).filter((o) => !atInit.includes(o));
    expect(lazy.some((o) => fromPackage(Object.keys(meta.outputs[o]!.inputs), '@aws-sdk/client-ec2').length > 0)).toBe(true);
    // and no remediation's implementation is loaded at init either
    expect(initInputs.filter((i) => /^src\/remediations\/(ec2|ecs|kms|rotation|route53)-[a-z0-9-]+\.ts$/.test(i) && !i.endsWith('.meta.ts'))).toEqual([]);
  });
});

describe('HTTP API', () => {
  it('POST /slack/events → the slack function', () => {
    const routes = entries(tpl, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey)).toEqual(['POST /slack/events']);
    const target = routes[0].Target['Fn::Join'][1];
    expect(target[0]).toBe('integrations');
    const integration = tpl.Resources[target[1].Ref].Properties;
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: { 'Fn::GetAtt': ['SlackLambdaFunction', 'Arn'] } });
    const permission = entries(tpl, 'AWS::Lambda::Permission').find(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com');
    expect(permission?.[1].Properties.FunctionName).toEqual({ 'Fn::GetAtt': ['SlackLambdaFunction', 'Arn'] });
    expect(JSON.stringify(tpl.Outputs.SlackRequestUrl.Value)).toContain('/slack/events');
  });
});

describe('HTTP API: throttled, access-logged', () => {
  it('the default route throttle is set, and every request is logged to its own log group', () => {
    const stages = entries(tpl, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]![1];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) });
    expect(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage.Properties.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThanOrEqual(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit);
    const dest = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(tpl.Resources[dest]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: `/aws/http-api/whybot-${STAGE}`, RetentionInDays: 30 } });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(Object.values(format)).toEqual(expect.arrayContaining(['$context.requestId', '$context.status', '$context.routeKey']));
  });
});

describe('EventBridge: Secrets Manager rotation events → alerts', () => {
  const fixture = (name: string) => JSON.parse(readFileSync(path.join(root, 'test', 'fixtures', name), 'utf8'));
  const rule = () => {
    const rules = entries(tpl, 'AWS::Events::Rule').map(([, r]) => r.Properties).filter((r: Json) => r.EventPattern);
    expect(rules).toHaveLength(1);
    expect(rules[0].EventBusName ?? 'default').toBe('default');
    expect(rules[0].Targets.map((x: Json) => x.Arn)).toEqual([{ 'Fn::GetAtt': ['AlertsLambdaFunction', 'Arn'] }]);
    return rules[0];
  };

  it.each(['eventbridge-rotation-succeeded-arn.json', 'eventbridge-rotation-succeeded-aRN.json'])('matches %s, which the alerts handler understands', (name) => {
    const event = fixture(name);
    expect(matches(rule().EventPattern, event)).toBe(true);
    expect(parseRotationEvent(event)).toMatchObject({ ok: true, event: { name: 'RotationSucceeded', secretId: expect.stringMatching(/^arn:aws:secretsmanager:/) } });
  });

  it('a daily schedule sends the alerts function {"whybot":"digest"}', () => {
    const schedules = entries(tpl, 'AWS::Events::Rule').map(([, r]) => r.Properties).filter((r: Json) => r.ScheduleExpression);
    expect(schedules.map((r: Json) => r.ScheduleExpression)).toEqual(['cron(0 9 * * ? *)']);
    expect(schedules[0].Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['AlertsLambdaFunction', 'Arn'] });
    expect(JSON.parse(schedules[0].Targets[0].Input)).toEqual({ whybot: 'digest' });
  });

  it('matches every rotation step and nothing else', () => {
    const base = fixture('eventbridge-rotation-succeeded-arn.json');
    const withName = (eventName: string) => ({ ...base, detail: { ...base.detail, eventName } });
    for (const n of ['RotationStarted', 'RotationSucceeded', 'RotationFailed', 'RotationAbandoned']) expect(matches(rule().EventPattern, withName(n)), n).toBe(true);
    expect(matches(rule().EventPattern, fixture('eventbridge-api-call-put-secret-value.json'))).toBe(false);
    expect(matches(rule().EventPattern, withName('PutSecretValue'))).toBe(false);
    expect(matches(rule().EventPattern, { ...base, source: 'aws.kms' })).toBe(false);
    expect(entries(tpl, 'AWS::Lambda::Permission').some(([, p]) => p.Properties.Principal === 'events.amazonaws.com')).toBe(true);
  });
});

describe('nothing lost: failure destinations, dead-letter queues, retries', () => {
  const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
  const invokeConfig = (t: Json, fn: Fn) => {
    const configs = entries(t, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) => c.Properties.FunctionName?.Ref === `${cap(fn)}LambdaFunction`);
    expect(configs, `${fn} has one EventInvokeConfig`).toHaveLength(1);
    return configs[0]![1].Properties;
  };
  const sendMessageTo = (t: Json, fn: Fn) =>
    statementsOf(t, roleOf(t, fn))
      .filter((s) => actionsOf(s).includes('sqs:SendMessage'))
      .map((s) => s.Resource);

  it('worker: no Lambda retry (the journal and the reconciler own re-runs), failures → WorkerFailureQueue, read by the failures function', () => {
    for (const t of [tpl, ro]) {
      expect(invokeConfig(t, 'worker')).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 1800, DestinationConfig: { OnFailure: { Destination: getAtt('WorkerFailureQueue') } } });
      // Lambda sends the record as the worker's role: that queue, and the worker's own verify queue (below), nothing else
      expect(sendMessageTo(t, 'worker')).toEqual([getAtt('WorkerFailureQueue'), getAtt('VerifyQueue')]);
      const mappings = entries(t, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
      expect(mappings).toHaveLength(2);
      expect(mappings).toContainEqual(
        expect.objectContaining({ EventSourceArn: getAtt('WorkerFailureQueue'), FunctionName: getAtt('FailuresLambdaFunction'), FunctionResponseTypes: ['ReportBatchItemFailures'] }),
      );
      const queue = t.Resources.WorkerFailureQueue;
      expect(queue.Type).toBe('AWS::SQS::Queue');
      // a message the failures function cannot deliver ends in a queue of its own (alarmed), not nowhere
      expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: getAtt('WorkerFailureDLQ'), maxReceiveCount: expect.any(Number) });
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * t.Resources.FailuresLambdaFunction.Properties.Timeout);
      for (const q of ['WorkerFailureQueue', 'WorkerFailureDLQ', 'VerifyQueue', 'VerifyDLQ', 'AlertsDLQ']) {
        expect(t.Resources[q].Properties.SqsManagedSseEnabled, `${q} encrypted`).toBe(true);
        expect(t.Resources[q].Properties.MessageRetentionPeriod, `${q} keeps messages 14 days`).toBe(1_209_600);
      }
      // the failures function reads its queue only
      const reads = statementsOf(t, roleOf(t, 'failures')).filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'));
      expect(reads.map((s) => s.Resource)).toEqual([getAtt('WorkerFailureQueue')]);
    }
  });

  it('worker: long verifications wait on VerifyQueue (a delayed message to itself), read back by its own mapping, dead letters in VerifyDLQ', () => {
    for (const t of [tpl, ro]) {
      const worker = t.Resources.WorkerLambdaFunction.Properties;
      // the queue's URL (Ref) is where the worker sends; no verification is polled to 15 minutes in one invocation
      expect(worker.Environment.Variables.WHYBOT_VERIFY_QUEUE_URL).toEqual({ Ref: 'VerifyQueue' });
      // the deadline fits the invocation: a look that cannot be scheduled is finished in it
      expect(Number(worker.Environment.Variables.WHYBOT_VERIFY_TIMEOUT_MS)).toBeLessThan(worker.Timeout * 1000);
      const mappings = entries(t, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties).filter((m) => m.EventSourceArn?.['Fn::GetAtt']?.[0] === 'VerifyQueue');
      expect(mappings).toEqual([expect.objectContaining({ FunctionName: getAtt('WorkerLambdaFunction'), FunctionResponseTypes: ['ReportBatchItemFailures'] })]);
      const queue = t.Resources.VerifyQueue;
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(queue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: getAtt('VerifyDLQ'), maxReceiveCount: expect.any(Number) });
      // a message being handled is not delivered again meanwhile (AWS: at least the function's timeout; advised 6×)
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Timeout);
      // no per-queue delay: each message carries its own (DelaySeconds ≤ 900)
      expect(queue.Properties.DelaySeconds ?? 0).toBe(0);
      // SendMessage to it: the worker only, scoped to it (with its failure destination's, a statement of its own)
      const sends = statementsOf(t, roleOf(t, 'worker')).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
      for (const st of sends) expect(actionsOf(st)).toEqual(['sqs:SendMessage']);
      for (const fn of ['slack', 'failures'] as const) expect(JSON.stringify(sendMessageTo(t, fn))).not.toContain('VerifyQueue');
      // and alerts, for a policy redeploy's verification, only where it may redeploy at all
      const alertsSends = (t.Resources.AlertsScheduleVerificationPolicy?.Properties.PolicyDocument.Statement ?? []) as Statement[];
      expect(alertsSends.map((st) => [actionsOf(st), st.Resource])).toEqual(t === tpl ? [[['sqs:SendMessage'], getAtt('VerifyQueue')]] : []);
      if (t === tpl) expect(t.Resources.AlertsScheduleVerificationPolicy.Condition).toBe('AutoRedeployEnabled');
      expect(sendMessageTo(t, 'alerts').filter((r) => JSON.stringify(r).includes('VerifyQueue'))).toHaveLength(t === tpl ? 1 : 0);
      expect(t.Resources.AlertsLambdaFunction.Properties.Environment.Variables.WHYBOT_VERIFY_QUEUE_URL).toEqual({ Ref: 'VerifyQueue' });
      // the mapping polls as the worker's role: that queue only
      const reads = statementsOf(t, roleOf(t, 'worker')).filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'));
      expect(reads.map((s) => [actionsOf(s).sort(), s.Resource])).toEqual([[['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], getAtt('VerifyQueue')]]);
    }
  });

  it('alerts: retried, then AlertsDLQ; the rotation rule’s target has a retry policy and the same DLQ, which only that rule may write', () => {
    expect(invokeConfig(tpl, 'alerts')).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: expect.any(Number), DestinationConfig: { OnFailure: { Destination: getAtt('AlertsDLQ') } } });
    // (and, where it may redeploy, the worker's verify queue: checked with VerifyQueue above)
    expect(sendMessageTo(tpl, 'alerts')).toEqual([getAtt('AlertsDLQ'), getAtt('VerifyQueue')]);
    expect(sendMessageTo(ro, 'alerts')).toEqual([getAtt('AlertsDLQ')]);
    const rules = entries(tpl, 'AWS::Events::Rule').map(([, r]) => r.Properties).filter((r: Json) => r.EventPattern);
    expect(rules).toHaveLength(1);
    const target = rules[0].Targets[0];
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) });
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(target.DeadLetterConfig).toEqual({ Arn: getAtt('AlertsDLQ') });
    const policies = entries(tpl, 'AWS::SQS::QueuePolicy').filter(([, p]) => p.Properties.Queues.some((q: Json) => q.Ref === 'AlertsDLQ'));
    expect(policies).toHaveLength(1);
    const [st] = policies[0]![1].Properties.PolicyDocument.Statement as (Statement & { Principal: Json })[];
    expect(st).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['sqs:SendMessage'], Resource: getAtt('AlertsDLQ') });
    expect(JSON.stringify(st!.Condition)).toContain(`:rule/${rules[0].Name}`);
    expect(rules[0].Name).toBe(`whybot-${STAGE}-rotation-events`);
  });
});

describe('alarms', () => {
  const alarms = (t: Json) => entries(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties] as [string, Json]);
  const on = (t: Json, namespace: string, metric: string, dimension: Json) =>
    alarms(t).filter(([, a]) => a.Namespace === namespace && a.MetricName === metric && JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)));

  it.each(FNS)('%s: errors, throttles, and a duration near its timeout', (fn) => {
    const ref = { Ref: `${cap(fn)}LambdaFunction` };
    for (const t of [tpl, ro]) {
      const [errors] = on(t, 'AWS/Lambda', 'Errors', ref);
      expect(errors?.[1]).toMatchObject({ Statistic: 'Sum', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
      const [throttles] = on(t, 'AWS/Lambda', 'Throttles', ref);
      expect(throttles?.[1]).toMatchObject({ Statistic: 'Sum', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
      const [duration] = on(t, 'AWS/Lambda', 'Duration', ref);
      const timeoutMs = t.Resources[`${cap(fn)}LambdaFunction`].Properties.Timeout * 1000;
      expect(duration?.[1]).toMatchObject({ Statistic: 'Maximum', ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(duration![1].Threshold).toBeLessThan(timeoutMs);
      expect(duration![1].Threshold).toBeGreaterThanOrEqual(0.8 * timeoutMs);
    }
  });

  it('every dead-letter queue (a redrive target, a destination nothing reads, a rule’s DLQ) alarms on its first message', () => {
    const redriveTargets = entries(tpl, 'AWS::SQS::Queue').flatMap(([, q]) => (q.Properties.RedrivePolicy ? [q.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]] : []));
    const ruleDlqs = entries(tpl, 'AWS::Events::Rule').flatMap(([, r]) => r.Properties.Targets.flatMap((x: Json) => (x.DeadLetterConfig ? [x.DeadLetterConfig.Arn['Fn::GetAtt'][0]] : [])));
    const read = entries(tpl, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties.EventSourceArn['Fn::GetAtt'][0]);
    const destinations = entries(tpl, 'AWS::Lambda::EventInvokeConfig')
      .map(([, c]) => c.Properties.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0])
      .filter((q: string | undefined) => q && !read.includes(q));
    const dlqs = [...new Set([...redriveTargets, ...ruleDlqs, ...destinations])].sort();
    expect(dlqs).toEqual(['AlertsDLQ', 'VerifyDLQ', 'WorkerFailureDLQ']);
    for (const q of dlqs) {
      const [depth] = on(tpl, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: { 'Fn::GetAtt': [q, 'QueueName'] } });
      expect(depth?.[1], `${q} depth alarm`).toMatchObject({ Statistic: 'Maximum', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
    }
  });

  it('without --param alarmTopic the alarms notify nobody (and need no SNS permission)', () => {
    for (const [, a] of alarms(tpl)) {
      expect(a.AlarmActions).toBeUndefined();
      expect(a.AlarmName).toMatch(new RegExp(`^whybot-${STAGE}-`));
    }
  });
});

describe('source maps', () => {
  it.each(FNS)('%s.zip ships the bundle’s source maps and the function runs with --enable-source-maps', (fn) => {
    const names = zipEntries(readFileSync(path.join(root, '.serverless', `${fn}.zip`)));
    expect(names).toContain(`.build/${fn}/index.mjs.map`);
    expect(readFileSync(path.join(root, '.build', fn, 'index.mjs'), 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(tpl.Resources[`${cap(fn)}LambdaFunction`].Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('a stack trace from a bundle names the TypeScript source', async () => {
    const script = `const { handler } = await import(process.env.BUNDLE); try { await handler({}) } catch (err) { process.stdout.write(err.stack) }`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      cwd: root,
      timeout: 20_000,
      // no WHYBOT_SSM_PREFIX: the cold start throws before any network
      env: { PATH: process.env.PATH, BUNDLE: path.join(root, '.build', 'failures', 'index.mjs'), AWS_REGION: 'us-east-1', WHYBOT_LOG_LEVEL: 'silent' },
    });
    expect(stdout).toMatch(/bad Lambda environment/);
    expect(stdout).toMatch(/src\/lambda\/failures\.ts:\d+/);
  });
});

describe('DynamoDB table', () => {
  it('on demand, pk/sk strings, TTL on expiresAt, point-in-time recovery, kept on stack deletion', () => {
    const t = tpl.Resources.WhybotTable;
    expect(t.Type).toBe('AWS::DynamoDB::Table');
    expect(t.DeletionPolicy).toBe('Retain');
    expect(t.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

// ---- the bundles, run as Lambda would load them ---------------------------------------------

describe('bundles run', () => {
  const PREFIX = `/whybot/${STAGE}`;
  const WORKER = `whybot-${STAGE}-worker`;
  let aws: AwsDouble;
  let slack: SlackDouble;

  beforeAll(async () => {
    slack = await startSlackDouble({ botToken: BOT_TOKEN });
    ({ aws } = await lambdaWorld(PREFIX, WORKER));
  });

  afterAll(async () => {
    await aws?.close();
    await slack?.close();
  });

  /** Imports .build/<fn>/index.mjs in a fresh node process and calls its handler once. */
  async function invokeBundle(fn: Fn, event: unknown): Promise<Json> {
    const script = `const { handler } = await import(process.env.BUNDLE); process.stdout.write(JSON.stringify(await handler(JSON.parse(process.env.EVENT), {})));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      timeout: 20_000,
      env: {
        PATH: process.env.PATH,
        BUNDLE: path.join(root, '.build', fn, 'index.mjs'),
        EVENT: JSON.stringify(event),
        AWS_REGION: process.env.AWS_REGION,
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST',
        AWS_SECRET_ACCESS_KEY: 'bundle-test',
        AWS_EC2_METADATA_DISABLED: 'true',
        SLACK_API_URL: slack.url,
        WHYBOT_TABLE: `whybot-${STAGE}`,
        WHYBOT_SSM_PREFIX: PREFIX,
        WHYBOT_WORKER_FUNCTION: WORKER,
        WHYBOT_RESPONDERS: 'U0ALICE',
        WHYBOT_READ_ONLY: 'false',
        WHYBOT_LOG_LEVEL: 'silent',
      },
    });
    return JSON.parse(stdout);
  }

  it('slack: a signed slash command → 200 and one async Invoke of the worker', async () => {
    aws.reset();
    const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('bundle', { channel: 'C0ONCALL', user: 'U0ALICE' }));
    const headers = Object.fromEntries(Object.entries(signedHeaders(body)).map(([k, v]) => [k.toLowerCase(), v]));
    const event = {
      version: '2.0',
      routeKey: 'POST /slack/events',
      rawPath: '/slack/events',
      rawQueryString: '',
      headers,
      requestContext: { http: { method: 'POST', path: '/slack/events', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot' }, stage: '$default', requestId: 'r' },
      body,
      isBase64Encoded: false,
    };
    const res = await invokeBundle('slack', event);
    expect(res.statusCode).toBe(200);
    const invokes = aws.calls.filter((c) => c.service === 'lambda');
    expect(invokes).toHaveLength(1);
    expect(invokes[0]!.status).toBeLessThan(300);
    expect(aws.calls.filter((c) => ['rds', 'cloudtrail', 'ecs', 'secretsmanager'].includes(c.service))).toEqual([]);
  });

  it('worker and alerts load, read their secrets and answer', async () => {
    expect(await invokeBundle('worker', { kind: 'not-a-job' })).toEqual({ ok: false });
    expect(await invokeBundle('alerts', { source: 'aws.kms' })).toMatchObject({ recorded: false });
    expect(await invokeBundle('failures', { Records: [{ messageId: 'm', body: 'not a destination record' }] })).toEqual({ batchItemFailures: [] });
  });
});

// ---- helpers ---------------------------------------------------------------------------------

/**
 * EventBridge pattern matching for the forms this template uses: arrays of exact values
 * (matching the event's value, or any element of an array value) and nested objects. Any
 * other operator fails loudly rather than matching by accident.
 */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    const got = event?.[key];
    if (Array.isArray(want)) {
      for (const w of want) if (w !== null && typeof w === 'object') throw new Error(`pattern operator not supported here: ${JSON.stringify(w)}`);
      if (got === undefined) return false;
      const values = Array.isArray(got) ? got : [got];
      return values.some((v) => want.includes(v));
    }
    if (want && typeof want === 'object') return got !== null && typeof got === 'object' && matches(want, got);
    throw new Error(`bad pattern at ${key}`);
  });
}

/** esbuild's metafile of a bundle (scripts/bundle.mjs writes it next to, not inside, the function folders). */
function metafile(fn: Fn): Metafile {
  return JSON.parse(readFileSync(path.join(root, '.build', 'meta', `${fn}.json`), 'utf8')) as Metafile;
}

/** The files with code in a bundle, in any of its outputs (entry or chunk). */
function bundledInputs(meta: Metafile): string[] {
  return [...new Set(Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs)))];
}

/** File names in a zip archive, from its central directory. */
function zipEntries(zip: Buffer): string[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory');
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}
