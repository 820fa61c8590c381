// Many accounts and Regions (issue 16): the AWS double serves STS AssumeRole and one world per
// account × Region; whybot searches the configured accounts for a target, concurrently, and
// names the accounts whose role it cannot assume with the permission it lacks.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorResultSchema, PlaybookResultSchema } from '../src/findings.js';
import { AwsClients } from '../src/aws/clients.js';
import { investigationAws } from '../src/aws/for-config.js';
import { loadPlaybook } from '../src/playbooks/index.js';
import { locate, nameThePlaceText, placesFor, type Located } from '../src/playbooks/places.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { pickTargetMessage } from '../src/slack/render.js';
import { decodePickValue, encodePickValue, pickLabel } from '../src/slack/values.js';
import { validateBlocks } from '../src/sandbox/slack/block-kit.js';
import { ACCOUNTS, manyAccounts } from './helpers/accounts.js';
import { MemoryRateGate, useRateGate } from '../src/platform/rate-gate.js';
import { startAwsDouble } from '../src/sandbox/aws/server.js';
import { loadScenario } from '../src/sandbox/scenario.js';
import { testConfig } from './helpers/harness.js';

let aws: AwsDouble | undefined;
beforeEach(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'x';
});
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

describe('the AWS double across accounts', () => {
  it('AssumeRole gives credentials that reach the role’s account; a refusal names sts:AssumeRole', async () => {
    aws = await manyAccounts({ denyAssumeRole: ['444444444444'] });
    process.env.AWS_ENDPOINT_URL = aws.url;
    const prodWorld = aws.worldOf('222222222222', 'ap-northeast-1');
    prodWorld.rds.clusters = prodWorld.rds.clusters.filter((c) => c.id !== 'prod-db');
    const config = testConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS) });
    const { RDSClient, DescribeDBClustersCommand } = await import('@aws-sdk/client-rds');
    const ids = async (clients: AwsClients) =>
      ((await clients.client('rds', (c) => new RDSClient(c)).send(new DescribeDBClustersCommand({}))).DBClusters ?? []).map((d) => d.DBClusterIdentifier);
    const home = new AwsClients({ region: 'ap-northeast-1' });
    const prod = investigationAws(config)('ap-northeast-1', 'payments-prod');
    const dr = investigationAws(config)('ap-northeast-1', 'payments-dr');
    expect(await ids(home)).toContain('prod-db');
    expect(await ids(prod)).not.toContain('prod-db');
    expect(await ids(dr)).toContain('prod-db');
    const denied = await investigationAws(config)('eu-west-1', 'search').preflight();
    expect(denied).toEqual({ ok: false, message: expect.stringContaining('is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/whybot-read') });
    // one AssumeRole per role for the whole process, whatever the clients and Regions
    await ids(investigationAws(config)('ap-northeast-1', 'payments-dr'));
    expect(aws.calls.filter((c) => c.operation === 'AssumeRole' && c.status === 200).map((c) => c.params.RoleArn)).toEqual([
      'arn:aws:iam::222222222222:role/whybot-read',
      'arn:aws:iam::333333333333:role/whybot-read',
    ]);
    for (const c of [home, prod, dr]) c.destroy();
  });
});

describe('target search', () => {
  it('target in two accounts → both listed with account and Region; a denied account named with sts:AssumeRole', async () => {
    aws = await manyAccounts({ denyAssumeRole: ['444444444444'] });
    process.env.AWS_ENDPOINT_URL = aws.url;
    const config = testConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS) });
    const places = placesFor(config, {});
    expect(places.ok && places.places).toEqual([
      { account: 'payments-prod', region: 'us-east-1' },
      { account: 'payments-prod', region: 'ap-northeast-1' },
      { account: 'payments-dr', region: 'ap-northeast-1' },
      { account: 'search', region: 'eu-west-1' },
    ]);
    const playbook = (await loadPlaybook('db-down'))!;
    const found = await locate(playbook, places.ok ? places.places : [], investigationAws(config), { target: 'prod-db', hours: 24 });
    expect(found).toMatchObject({
      kind: 'many',
      candidates: [
        { id: 'prod-db', account: 'payments-dr', region: 'ap-northeast-1' },
        { id: 'prod-db', account: 'payments-prod', region: 'ap-northeast-1' },
      ],
      unreachable: [{ account: 'search', iamAction: 'sts:AssumeRole' }],
    });
  });

  it('AssumeRole denied in one account → the other answers, the failed one named', async () => {
    aws = await manyAccounts({ denyAssumeRole: ['333333333333'] });
    process.env.AWS_ENDPOINT_URL = aws.url;
    const config = testConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS) });
    const places = placesFor(config, { region: 'ap-northeast-1' });
    const playbook = (await loadPlaybook('db-down'))!;
    const found = await locate(playbook, places.ok ? places.places : [], investigationAws(config), { target: 'prod-db', hours: 24 });
    expect(found).toEqual({
      kind: 'here',
      place: { account: 'payments-prod', region: 'ap-northeast-1' },
      target: 'prod-db',
      unreachable: [{ account: 'payments-dr', iamAction: 'sts:AssumeRole', reason: expect.stringContaining('arn:aws:iam::333333333333:role/whybot-read') }],
    });
  });

  it('--account and channel defaults narrow the places; an unknown alias lists the known ones', () => {
    const config = testConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS), WHYBOT_CHANNEL_DEFAULTS: '{"C0PAY":{"account":"payments-prod"}}' });
    expect(placesFor(config, { account: 'payments-dr' })).toEqual({ ok: true, places: [{ account: 'payments-dr', region: 'ap-northeast-1' }] });
    expect(placesFor(config, { channel: 'C0PAY', region: 'us-east-1' })).toEqual({ ok: true, places: [{ account: 'payments-prod', region: 'us-east-1' }] });
    expect(placesFor(config, { account: 'nope' })).toEqual({ ok: false, message: 'No account "nope". Accounts: payments-prod, payments-dr, search.' });
    expect(placesFor(testConfig({ AWS_REGION: 'eu-west-1' }), {})).toEqual({ ok: true, places: [{ region: 'eu-west-1' }] });
  });
});

describe('target search: what the target is, not what candidates() offers', () => {
  const setup = async () => {
    aws = await manyAccounts();
    process.env.AWS_ENDPOINT_URL = aws.url;
    const config = testConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS) });
    const places = (ask: { account?: string; region?: string } = {}) => {
      const p = placesFor(config, ask);
      if (!p.ok) throw new Error(p.message);
      return p.places;
    };
    const find = async (name: string, target: string, ask: { account?: string; region?: string } = {}) =>
      locate((await loadPlaybook(name))!, places(ask), investigationAws(config), { target, hours: 24, accounts: config.accounts! });
    const text = (playbook: string, label: string, l: Located, target?: string) =>
      l.kind === 'name-the-account' || l.kind === 'arn-elsewhere' ? nameThePlaceText(l, { playbook, label, ...(target ? { target } : {}), accounts: config.accounts! }) : `not a hint: ${l.kind}`;
    /** the AWS calls other than STS made since `from` */
    const awsCalls = (from: number) => aws!.calls.slice(from).filter((c) => c.operation !== 'AssumeRole' && c.operation !== 'GetCallerIdentity').map((c) => c.operation);
    return { aws: aws!, find, text, awsCalls };
  };

  it('db-down: Prod-DB finds prod-db (RDS ids are lowercase) and investigates it by its real id', async () => {
    const { find } = await setup();
    expect(await find('db-down', 'Prod-DB')).toMatchObject({
      kind: 'many',
      candidates: [
        { id: 'prod-db', account: 'payments-dr', region: 'ap-northeast-1' },
        { id: 'prod-db', account: 'payments-prod', region: 'ap-northeast-1' },
      ],
    });
    expect(await find('db-down', 'PROD-db', { account: 'payments-prod' })).toMatchObject({ kind: 'here', place: { account: 'payments-prod', region: 'ap-northeast-1' }, target: 'prod-db' });
  });

  it('an ARN names its place: the configured account with its id, its Region, no search', async () => {
    const { find, awsCalls, aws: double } = await setup();
    const before = double.calls.length;
    const arn = 'arn:aws:secretsmanager:us-east-1:222222222222:secret:app/db@prod-AbCdEf';
    expect(await find('rotation-failed', arn)).toEqual({ kind: 'here', place: { account: 'payments-prod', region: 'us-east-1' }, target: arn, unreachable: [] });
    // a Region the account's list does not have: the ARN says where it is
    expect(await find('decrypt-denied', 'arn:aws:kms:eu-west-3:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab', { region: 'ap-northeast-1' })).toMatchObject({
      kind: 'here',
      place: { account: 'payments-dr', region: 'eu-west-3' },
    });
    expect(awsCalls(before)).toEqual([]);
  });

  it('an ARN in an account whybot is not given, or not the one asked for, says so instead of "not found"', async () => {
    const { find, text } = await setup();
    const stranger = 'arn:aws:secretsmanager:us-east-1:999999999999:secret:app/db-AbCdEf';
    const l = await find('rotation-failed', stranger);
    expect(l).toEqual({ kind: 'arn-elsewhere', accountId: '999999999999' });
    expect(text('rotation-failed', 'secret', l, stranger)).toBe(
      `${stranger} is in account 999999999999, which is not in WHYBOT_ACCOUNTS (payments-prod 222222222222, payments-dr 333333333333, search 444444444444): whybot cannot look there.`,
    );
    const other = await find('rotation-failed', 'arn:aws:secretsmanager:us-east-1:222222222222:secret:x-AbCdEf', { account: 'payments-dr' });
    expect(other).toEqual({ kind: 'arn-elsewhere', accountId: '222222222222', alias: 'payments-prod' });
    expect(text('rotation-failed', 'secret', other)).toContain('is in account 222222222222 (payments-prod), not the one asked for: add --account payments-prod');
  });

  it('decrypt-denied: a key ARN in an account whybot has no role for is looked for where it was denied (cross-account KMS)', async () => {
    // payments-prod's CloudTrail holds incident 001's denials, on a key of account 123456789012,
    // which is not in WHYBOT_ACCOUNTS: the caller's account is where the incident is
    const home = await loadScenario('incident-003');
    aws = await startAwsDouble({ scenario: home, accounts: [{ ...(await loadScenario('incident-001-kms')), accountId: '222222222222' }] });
    useRateGate(new MemoryRateGate());
    process.env.AWS_ENDPOINT_URL = aws.url;
    const config = testConfig({ WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS) });
    const p = placesFor(config, {});
    if (!p.ok) throw new Error(p.message);
    const key = 'arn:aws:kms:ap-northeast-1:123456789012:key/1f2e3d4c-5b6a-4789-8abc-def012345678';
    const l = await locate((await loadPlaybook('decrypt-denied'))!, p.places, investigationAws(config), { target: key, hours: 24, accounts: config.accounts! });
    expect(l).toMatchObject({ kind: 'here', place: { account: 'payments-prod', region: 'ap-northeast-1' }, target: key });
    // a key that was denied nowhere: not found, rather than refused
    const other = 'arn:aws:kms:ap-northeast-1:123456789012:key/00000000-0000-4000-8000-000000000000';
    expect(await locate((await loadPlaybook('decrypt-denied'))!, p.places, investigationAws(config), { target: other, hours: 24, accounts: config.accounts! })).toMatchObject({ kind: 'none' });
  });

  it('rotation-failed: a secret by name whatever its rotation; deploy-failed: a stack whatever its status', async () => {
    const { find, aws: double } = await setup();
    const dr = double.worldOf('333333333333', 'ap-northeast-1');
    const [rdsSecret] = dr.secretsManager.secrets;
    dr.secretsManager.secrets.push({ ...rdsSecret!, name: 'app/db@prod', arn: 'arn:aws:secretsmanager:ap-northeast-1:333333333333:secret:app/db@prod-AbCdEf', rotationEnabled: false, owningService: undefined });
    expect(await find('rotation-failed', 'app/db@prod')).toMatchObject({ kind: 'here', place: { account: 'payments-dr', region: 'ap-northeast-1' }, target: 'app/db@prod' });
    expect(await find('rotation-failed', 'nope')).toMatchObject({ kind: 'none' });
    const prod = double.worldOf('222222222222', 'us-east-1');
    prod.cloudformation.stacks.push({ name: 'web', id: 'arn:aws:cloudformation:us-east-1:222222222222:stack/web/1', status: 'UPDATE_COMPLETE', parameters: {}, outputs: {}, tags: {}, creationTime: new Date(), events: [] });
    expect(await find('deploy-failed', 'web')).toMatchObject({ kind: 'here', place: { account: 'payments-prod', region: 'us-east-1' }, target: 'web' });
  });

  it('decrypt-denied: a key id or alias is looked up with DescribeKey; a role or stack name asks for the place, without reading CloudTrail', async () => {
    const { find, text, awsCalls, aws: double } = await setup();
    const dr = double.worldOf('333333333333', 'ap-northeast-1');
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    dr.kms.keys.push({ id, arn: `arn:aws:kms:ap-northeast-1:333333333333:key/${id}`, manager: 'CUSTOMER', state: 'Enabled', description: 'app', aliases: ['alias/app'], policy: '{}', creationDate: new Date() });
    expect(await find('decrypt-denied', 'alias/app')).toMatchObject({ kind: 'here', place: { account: 'payments-dr', region: 'ap-northeast-1' }, target: 'alias/app' });
    expect(await find('decrypt-denied', id)).toMatchObject({ kind: 'here', place: { account: 'payments-dr' }, target: id });
    const before = double.calls.length;
    const role = await find('decrypt-denied', 'app-task-role');
    expect(role).toEqual({ kind: 'name-the-account' });
    expect(text('decrypt-denied', 'key|role|stack', role)).toBe('decrypt-denied cannot search accounts for its key|role|stack: add --account A (one of payments-prod, payments-dr, search).');
    // a role ARN names its account, not its Region
    const roleArn = await find('decrypt-denied', 'arn:aws:iam::222222222222:role/app-task-role');
    expect(roleArn).toEqual({ kind: 'name-the-account', account: 'payments-prod', regions: ['us-east-1', 'ap-northeast-1'] });
    expect(text('decrypt-denied', 'key|role|stack', roleArn)).toBe(
      "decrypt-denied cannot search payments-prod's Regions for its key|role|stack: add --region R (one of payments-prod's Regions: us-east-1, ap-northeast-1).",
    );
    expect(await find('decrypt-denied', 'arn:aws:iam::333333333333:role/app-task-role')).toMatchObject({ kind: 'here', place: { account: 'payments-dr', region: 'ap-northeast-1' } });
    expect(awsCalls(before)).toEqual([]);
  });

  it('a playbook without a lookup, the account given: asks for the Region, not the account', async () => {
    const { find, text } = await setup();
    const l = await find('cert-pending', 'example.com', { account: 'payments-prod' });
    expect(l).toEqual({ kind: 'name-the-account', account: 'payments-prod', regions: ['us-east-1', 'ap-northeast-1'] });
    expect(text('cert-pending', 'domain', l)).toContain('add --region R (one of payments-prod\'s Regions: us-east-1, ap-northeast-1)');
    expect(await find('cert-pending', 'example.com', { account: 'payments-dr' })).toMatchObject({ kind: 'here', place: { account: 'payments-dr', region: 'ap-northeast-1' } });
  });
});

describe('the target menu across accounts', () => {
  it('values read the place from the right: a secret name with "@" comes back whole', () => {
    const c = { id: 'app/db@prod', account: 'payments-prod', region: 'us-east-1' };
    expect(encodePickValue(c)).toBe('app/db@prod@payments-prod@us-east-1');
    expect(decodePickValue(encodePickValue(c), true)).toEqual({ target: 'app/db@prod', account: 'payments-prod', region: 'us-east-1' });
    expect(decodePickValue('app/db@prod', false)).toEqual({ target: 'app/db@prod' });
    for (const bad of ['prod-db', 'prod-db@us-east-1', '@payments-prod@us-east-1', 'x@@us-east-1', 'x@payments-prod@', 'x@a b@us-east-1', 'x'.repeat(151)]) expect(decodePickValue(bad, true)).toBeUndefined();
  });

  it('an option whose value cannot fit 150 characters is left out and counted, not cut; labels put the place first', () => {
    const long = `app/${'a'.repeat(140)}`;
    const candidates = [
      { id: 'prod-db', description: 'cluster, available', account: 'payments-prod', region: 'ap-northeast-1' },
      { id: long, description: 'rotation on', account: 'payments-prod', region: 'us-east-1' },
      { id: long, description: 'rotation on', account: 'payments-dr', region: 'ap-northeast-1' },
      { id: `app/${'b'.repeat(100)}`, description: 'rotation on', account: 'payments-dr', region: 'ap-northeast-1' },
      { id: `app/${'b'.repeat(100)}`, description: 'rotation on', account: 'search', region: 'eu-west-1' },
    ];
    const message = pickTargetMessage('rotation-failed', 'secret', candidates, 'pick:{}');
    expect(validateBlocks(message.blocks as unknown[])).toEqual([]);
    const options = (message.blocks as Array<{ type: string; elements?: Array<{ options: Array<{ value: string; text: { text: string } }> }> }>).find((b) => b.type === 'actions')!.elements![0]!.options;
    expect(options.map((o) => o.value)).toEqual([
      'prod-db@payments-prod@ap-northeast-1',
      `app/${'b'.repeat(100)}@payments-dr@ap-northeast-1`,
      `app/${'b'.repeat(100)}@search@eu-west-1`,
    ]);
    expect(options.every((o) => o.value.length <= 150 && o.text.text.length <= 75)).toBe(true);
    // cut to 75 characters, the two long ids still read apart by their place
    expect(options.map((o) => o.text.text.split(':')[0])).toEqual(['payments-prod ap-northeast-1', 'payments-dr ap-northeast-1', 'search eu-west-1']);
    expect(options[1]!.text.text).toMatch(/^payments-dr ap-northeast-1: app\/b+…b+$/);
    expect(JSON.stringify(message.blocks)).toContain('2 more not in the menu (too long for it): name the secret and pass `--account A` `--region R`.');
    expect(pickLabel({ id: 'prod-db', description: 'cluster, available' })).toBe('prod-db (cluster, available)');
  });
});

// what package.json's bin runs (built by `npm run build`, as in cli.e2e.test.ts)
const cli = path.resolve((JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { whybot: string } }).bin.whybot);
function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, HOME: mkdtempSync(path.join(tmpdir(), 'whybot-home-')), AWS_EC2_METADATA_DISABLED: 'true', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const cliEnv = (double: AwsDouble) => ({
  AWS_ENDPOINT_URL: double.url,
  AWS_REGION: 'ap-northeast-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'x',
  WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS),
});

describe('whybot CLI across accounts', () => {
  it('target in two accounts → exit 2 listing each account and Region (JSON with --json); the refused account named', async () => {
    aws = await manyAccounts({ denyAssumeRole: ['444444444444'] });
    const r = await run(['db-down', 'prod-db', '--json'], cliEnv(aws));
    expect(r.code).toBe(2);
    const err = ErrorResultSchema.parse(JSON.parse(r.stdout)).error;
    expect(err).toMatchObject({ code: 'choose-target', targetLabel: 'DB', unreachable: [{ account: 'search', iamAction: 'sts:AssumeRole' }] });
    expect(err.candidates!.map((c) => `${c.id} ${c.account} ${c.region}`)).toEqual(['prod-db payments-dr ap-northeast-1', 'prod-db payments-prod ap-northeast-1']);
    const text = await run(['db-down', 'prod-db'], cliEnv(aws));
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('Which DB? Found in: prod-db in payments-dr ap-northeast-1, prod-db in payments-prod ap-northeast-1. Could not look in search (needs sts:AssumeRole).');
  });

  it('AssumeRole denied in one account → the other answers, saying where; the refused one named with the permission', async () => {
    aws = await manyAccounts({ denyAssumeRole: ['333333333333'] });
    const r = await run(['db-down', 'prod-db', '--json', '--region', 'ap-northeast-1'], cliEnv(aws));
    expect(r.code).toBe(0);
    const result = PlaybookResultSchema.parse(JSON.parse(r.stdout));
    expect(result).toMatchObject({ account: 'payments-prod', region: 'ap-northeast-1', unreachable: [{ account: 'payments-dr', iamAction: 'sts:AssumeRole' }] });
    expect(result.findings.map((f) => f.id)).toContain('stale-credentials');
    const text = await run(['db-down', 'prod-db', '--region', 'ap-northeast-1'], cliEnv(aws));
    expect(text.stdout).toMatch(/^\[CRITICAL\] db-down prod-db \(payments-prod ap-northeast-1\)\n/);
    expect(text.stdout).toContain('Could not look in: payments-dr (needs sts:AssumeRole)');
  });

  it('--account names the account; one that refuses is exit 2 naming sts:AssumeRole', async () => {
    aws = await manyAccounts({ denyAssumeRole: ['333333333333'] });
    const ok = await run(['db-down', 'prod-db', '--json', '--account', 'payments-prod', '--region', 'ap-northeast-1'], cliEnv(aws));
    expect(ok.code).toBe(0);
    expect(PlaybookResultSchema.parse(JSON.parse(ok.stdout)).account).toBe('payments-prod');
    const refused = await run(['db-down', 'prod-db', '--json', '--account', 'payments-dr'], cliEnv(aws));
    expect(refused.code).toBe(2);
    expect(ErrorResultSchema.parse(JSON.parse(refused.stdout)).error).toMatchObject({ code: 'aws', iamAction: 'sts:AssumeRole' });
    const unknown = await run(['db-down', 'prod-db', '--account', 'nope'], cliEnv(aws));
    expect(unknown).toMatchObject({ code: 2, stderr: 'whybot: No account "nope". Accounts: payments-prod, payments-dr, search.\n' });
  });

  it('a playbook that cannot search, the account given: exit 2 asking for the Region; an ARN in an unknown account: exit 2 saying so', async () => {
    aws = await manyAccounts();
    const r = await run(['cert-pending', 'example.com', '--account', 'payments-prod', '--json'], cliEnv(aws));
    expect(r.code).toBe(2);
    expect(ErrorResultSchema.parse(JSON.parse(r.stdout)).error).toMatchObject({
      code: 'usage',
      message: "cert-pending cannot search payments-prod's Regions for its domain: add --region R (one of payments-prod's Regions: us-east-1, ap-northeast-1).",
    });
    const arn = await run(['rotation-failed', 'arn:aws:secretsmanager:us-east-1:999999999999:secret:x-AbCdEf'], cliEnv(aws));
    expect(arn.code).toBe(2);
    expect(arn.stderr).toContain('is in account 999999999999, which is not in WHYBOT_ACCOUNTS');
  });
});
