// Many accounts in Slack (issue 16), end to end through the real Bolt app: a target found in
// two accounts is a select menu naming account and Region; picking one investigates it there;
// an account whose role cannot be assumed is named with sts:AssumeRole while the others answer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { createLogger } from '../src/logger.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble, type SlackMessage } from '../src/sandbox/slack/server.js';
import { ACCOUNTS, manyAccounts } from './helpers/accounts.js';
import { clickBody } from './helpers/buttons.js';
import { BOT_TOKEN, interactionBody, post, SIGNING_SECRET, signedHeaders, slashCommandBody, testConfig } from './helpers/harness.js';

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

async function boot(denyAssumeRole: string[], env: Record<string, string> = {}): Promise<string> {
  aws = await manyAccounts({ denyAssumeRole });
  process.env.AWS_ENDPOINT_URL = aws.url;
  process.env.AWS_REGION = 'ap-northeast-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'x';
  const config = testConfig({ SLACK_API_URL: slack.url, AWS_REGION: 'ap-northeast-1', WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS), ...env });
  bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, createLogger('silent'));
  return `http://127.0.0.1:${bot.port}/slack/events`;
}

async function slash(url: string, text: string, responseId: string, command = '/why-db-down') {
  const body = slashCommandBody(command, text, slack.responseUrl(responseId, { channel: 'C0ONCALL', user: 'U0ALICE' }));
  return post(url, body, signedHeaders(body));
}

const allText = (m: SlackMessage) => JSON.stringify(m.blocks ?? []) + (m.text ?? '');

describe('/why-db-down across accounts', () => {
  it('target in two accounts → a select menu of account and Region, the refused account named; picking one investigates there', async () => {
    const url = await boot(['444444444444']);
    await slash(url, 'prod-db', 'menu');
    await bot!.jobs.idle();
    const menu = slack.responses.find((r) => r.id === 'menu')!.body as { blocks: Array<{ type: string; block_id?: string; elements?: Array<{ options?: Array<{ value: string; text: { text: string } }>; text?: string }> }> };
    const select = menu.blocks.find((b) => b.type === 'actions')!;
    expect(select.elements![0]!.options!.map((o) => o.value)).toEqual(['prod-db@payments-dr@ap-northeast-1', 'prod-db@payments-prod@ap-northeast-1']);
    expect(select.elements![0]!.options![1]!.text.text).toMatch(/^payments-prod ap-northeast-1: prod-db \(/);
    expect(JSON.stringify(menu.blocks.find((b) => b.type === 'context'))).toContain('Could not look in search (needs sts:AssumeRole)');
    expect(slack.channelMessages('C0ONCALL')).toEqual([]);

    const pick = interactionBody({
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', team_id: 'T0001' },
      api_app_id: 'A0WHYBOT',
      token: 'legacy',
      team: { id: 'T0001', domain: 'acme' },
      container: { type: 'message', message_ts: '1', channel_id: 'C0ONCALL', is_ephemeral: true },
      trigger_id: 't',
      channel: { id: 'C0ONCALL', name: 'oncall' },
      response_url: slack.responseUrl('pick', { channel: 'C0ONCALL', user: 'U0ALICE' }),
      actions: [{ type: 'static_select', action_id: 'pick-target', block_id: select.block_id, selected_option: { text: { type: 'plain_text', text: 'prod-db' }, value: 'prod-db@payments-prod@ap-northeast-1' }, action_ts: '1' }],
    });
    expect((await post(url, pick, signedHeaders(pick))).status).toBe(200);
    // the menu's answer says the job started; the job then runs to its verdict
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'pick'));
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'pick')!.body)).toContain('Investigating `prod-db`');
    await bot!.jobs.idle();
    const root = slack.channelMessages('C0ONCALL').find((m) => !m.threadTs)!;
    expect(allText(root)).toContain('(payments-prod ap-northeast-1)');
    expect(slack.violations).toEqual([]);
  });

  it('Show CLI commands for a member account say where to run them: the account, its id and its write role', async () => {
    const url = await boot([]);
    await slash(url, 'prod-db --account payments-dr', 'dr');
    await bot!.jobs.idle();
    const root = slack.channelMessages('C0ONCALL').find((m) => !m.threadTs)!;
    const withShowCli = slack.thread('C0ONCALL', root.ts).find((m) => JSON.stringify(m.blocks ?? []).includes('"action_id":"show-cli"'))!;
    type Actions = Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>;
    const button = (withShowCli.blocks as Actions).flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'show-cli')!;
    const click = clickBody(slack, 'C0ONCALL', { message: withShowCli, rootTs: root.ts, actionId: 'show-cli', value: button.value }, 'U0ALICE');
    const before = slack.thread('C0ONCALL', root.ts).length;
    expect((await post(url, click, signedHeaders(click))).status).toBe(200);
    await slack.waitFor(() => slack.thread('C0ONCALL', root.ts).length > before);
    const script = allText(slack.thread('C0ONCALL', root.ts).at(-1)!);
    expect(script).toContain('# in account payments-dr (333333333333), as arn:aws:iam::333333333333:role/whybot-write');
    expect(script).toMatch(/aws ecs update-service/);
  });

  it('AssumeRole denied in one account → the other answers, and the verdict names the refused one with sts:AssumeRole', async () => {
    const url = await boot(['333333333333']);
    await slash(url, 'prod-db --region ap-northeast-1', 'one');
    await bot!.jobs.idle();
    const root = slack.channelMessages('C0ONCALL').find((m) => !m.threadTs)!;
    expect(root.text).toMatch(/^CRITICAL: Likely cause/);
    expect(allText(root)).toContain('(payments-prod ap-northeast-1)');
    expect(allText(root)).toContain('Could not look in: payments-dr (needs sts:AssumeRole)');
    expect(slack.violations).toEqual([]);
  });

  it('a playbook that cannot search, in a channel whose default account has two Regions: asks for the Region, not the account', async () => {
    const url = await boot([], { WHYBOT_CHANNEL_DEFAULTS: JSON.stringify({ C0ONCALL: { account: 'payments-prod' } }) });
    await slash(url, 'example.com', 'cert', '/why-cert-pending');
    await bot!.jobs.idle();
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'cert'));
    const text = JSON.stringify(slack.responses.find((r) => r.id === 'cert')!.body);
    expect(text).toContain("cert-pending cannot search payments-prod's Regions for its domain: add `--region R` (one of payments-prod's Regions: us-east-1, ap-northeast-1).");
    expect(text).not.toContain('--account');
    expect(slack.channelMessages('C0ONCALL')).toEqual([]);
  });
});
