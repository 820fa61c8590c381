// A remediation in a member account (issue 16): the button found in payments-dr's thread
// carries the account, the write runs with payments-dr's write role, and the audit trail says
// which account and Region it ran in.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { createLogger } from '../src/logger.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { buttonsIn, clickBody, submitBody } from './helpers/buttons.js';
import { ACCOUNTS, manyAccounts } from './helpers/accounts.js';
import { BOT_TOKEN, post, SIGNING_SECRET, signedHeaders, slashCommandBody, testConfig } from './helpers/harness.js';

const CHANNEL = 'C0ONCALL';
let slack: SlackDouble;
let aws: AwsDouble | undefined;
let bot: RunningBot | undefined;

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
});
afterAll(async () => slack.close());
afterEach(async () => {
  await bot?.stop();
  await aws?.close();
  bot = undefined;
  aws = undefined;
  slack.reset();
});

describe('remediation in a member account', () => {
  it('runs with that account’s write role and is audited with its account and Region', async () => {
    aws = await manyAccounts();
    process.env.AWS_ENDPOINT_URL = aws.url;
    process.env.AWS_REGION = 'ap-northeast-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'x';
    const config = testConfig({
      SLACK_API_URL: slack.url,
      AWS_REGION: 'ap-northeast-1',
      WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS),
      WHYBOT_ACTION_SECRET: 'test-action-secret-0123456789abcdef-0123456789',
      WHYBOT_RESPONDERS: 'U0ALICE',
      WHYBOT_VERIFY_INTERVAL_MS: '40',
      WHYBOT_VERIFY_TIMEOUT_MS: '5000',
    });
    bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, createLogger('silent'));
    const url = `http://127.0.0.1:${bot.port}/slack/events`;
    const signedPost = (body: string) => post(url, body, signedHeaders(body));

    await signedPost(slashCommandBody('/why-db-down', 'prod-db --account payments-dr', slack.responseUrl('cmd', { channel: CHANNEL, user: 'U0ALICE' })));
    await bot.jobs.idle();
    const root = slack.channelMessages(CHANNEL).find((m) => !m.threadTs)!;
    expect(JSON.stringify(root.blocks)).toContain('(payments-dr ap-northeast-1)');
    const redeploy = buttonsIn(slack, CHANNEL, root.ts).find((b) => b.actionId.startsWith('remediate:ecs-redeploy'))!;
    expect(redeploy).toBeDefined();

    const before = slack.views.length;
    expect((await signedPost(clickBody(slack, CHANNEL, redeploy, 'U0ALICE', redeploy.value, 'click'))).status).toBe(200);
    await slack.waitFor(() => slack.views.length > before);
    const metadata = (slack.views.at(-1)!.view as { private_metadata: string }).private_metadata;
    expect((await signedPost(submitBody('U0ALICE', metadata))).status).toBe(200);
    await bot.jobs.idle();

    // the write itself assumed payments-dr's write role; the service changed in that account only
    const assumed = aws.calls.filter((c) => c.operation === 'AssumeRole' && c.status === 200).map((c) => c.params.RoleArn);
    expect(assumed).toContain('arn:aws:iam::333333333333:role/whybot-write');
    expect(aws.calls.filter((c) => c.operation === 'UpdateService' && c.status === 200)).toHaveLength(1);
    // the three accounts start from the same scenario: only payments-dr's service was redeployed
    const deployments = (accountId: string) => JSON.stringify(aws!.worldOf(accountId, 'ap-northeast-1').ecs.clusters.flatMap((c) => c.services.map((s) => s.deployments.map((d) => d.id))));
    expect(deployments('222222222222')).toBe(deployments(aws.world.accountId));
    expect(deployments('333333333333')).not.toBe(deployments('222222222222'));

    const records = await bot.store.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(records.map((r) => r.outcome)).toEqual(['ran', 'verified']);
    for (const r of records) expect(r).toMatchObject({ action: 'ecs-redeploy', account: 'payments-dr', region: 'ap-northeast-1' });
    expect(slack.violations).toEqual([]);
  });
});
