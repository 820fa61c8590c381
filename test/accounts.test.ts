// Many accounts and Regions (issue 16): the AWS double serves STS AssumeRole and one world per
// account × Region; whybot searches the configured accounts for a target, concurrently, and
// names the accounts whose role it cannot assume with the permission it lacks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { investigationAws } from '../src/aws/for-config.js';
import { loadPlaybook } from '../src/playbooks/index.js';
import { locate, placesFor } from '../src/playbooks/places.js';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { loadScenario } from '../src/sandbox/scenario.js';
import { MemoryRateGate, useRateGate } from '../src/platform/rate-gate.js';
import { testConfig } from './helpers/harness.js';

export const ACCOUNTS = {
  'payments-prod': { roleArn: 'arn:aws:iam::222222222222:role/whybot-read', regions: ['us-east-1', 'ap-northeast-1'] },
  'payments-dr': { roleArn: 'arn:aws:iam::333333333333:role/whybot-read', regions: ['ap-northeast-1'], writeRoleArn: 'arn:aws:iam::333333333333:role/whybot-write' },
  search: { roleArn: 'arn:aws:iam::444444444444:role/whybot-read', regions: ['eu-west-1'] },
};

/** The scenario's account hosts whybot; prod-db lives in payments-prod and payments-dr too. */
export async function manyAccounts(opts: { denyAssumeRole?: string[] } = {}): Promise<AwsDouble> {
  const home = await loadScenario('incident-003');
  const inAccount = async (accountId: string) => ({ ...(await loadScenario('incident-003')), accountId });
  const aws = await startAwsDouble({ scenario: home, accounts: [await inAccount('222222222222'), await inAccount('333333333333')], ...opts });
  useRateGate(new MemoryRateGate());
  return aws;
}

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
