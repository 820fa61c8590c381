// End to end through the real Bolt app over HTTP: signed requests in, the AWS double behind
// AWS_ENDPOINT_URL, the Slack Web API double behind SLACK_API_URL. No module of ours is mocked.
import { PLAYBOOK_CATALOG } from '../src/playbooks/catalog.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { createLogger } from '../src/logger.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { collectMrkdwn, findUnescapedSpecials } from '../src/sandbox/slack/block-kit.js';
import { startSlackDouble, type SlackDouble, type SlackMessage } from '../src/sandbox/slack/server.js';
import {
  awsWorld,
  BOT_TOKEN,
  interactionBody,
  post,
  SIGNING_SECRET,
  signedHeaders,
  slashCommandBody,
  testConfig,
} from './helpers/harness.js';

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

async function boot(scenario: string): Promise<string> {
  ({ aws } = await awsWorld(scenario));
  const config = testConfig({ SLACK_API_URL: slack.url, AWS_REGION: process.env.AWS_REGION! });
  bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, createLogger('silent'));
  return `http://127.0.0.1:${bot.port}/slack/events`;
}

async function slash(url: string, command: string, text: string, responseId = 'r1') {
  const body = slashCommandBody(command, text, slack.responseUrl(responseId, { channel: 'C0ONCALL', user: 'U0ALICE' }));
  return post(url, body, signedHeaders(body));
}

function rootOf(channel = 'C0ONCALL'): SlackMessage {
  const root = slack.channelMessages(channel).find((m) => !m.threadTs);
  if (!root) throw new Error('no thread root posted');
  return root;
}

const allText = (m: SlackMessage) => JSON.stringify(m.blocks ?? []) + (m.text ?? '');

function assertNoInjectedMarkup(messages: SlackMessage[]) {
  for (const m of messages) for (const { text } of collectMrkdwn(m)) expect(findUnescapedSpecials(text)).toEqual([]);
}

describe('/why-db-down over HTTP', () => {
  it('acks at once, then posts the verdict and a thread with findings, timeline and checks', async () => {
    const url = await boot('incident-003');
    aws!.setLatency(150); // each AWS call now takes ≥ 150 ms; the ack must not wait for them
    const res = await slash(url, '/why-db-down', 'prod-db');
    expect(res.status).toBe(200);
    // At ack time the investigation has not finished: the ack did not wait for AWS.
    expect(slack.messages.some((m) => /Likely cause/.test(m.text ?? ''))).toBe(false);

    await bot!.jobs.idle();
    const root = rootOf();
    expect(root.text).toMatch(/^CRITICAL: Likely cause: secret rds!cluster-\S+ rotated at .*3 tasks of ECS service api/);
    expect(root.updates).toBeGreaterThanOrEqual(1);
    const thread = slack.thread('C0ONCALL', root.ts).slice(1);
    const threadText = thread.map(allText).join('\n');
    expect(threadText).toContain('`stale-credentials`');
    expect(threadText).toContain('`short-rotation-interval`');
    expect(threadText).toContain('*Timeline*');
    expect(threadText).toContain('Reset master credentials');
    expect(threadText).toContain('RotationSucceeded');
    expect(threadText).toContain('Checked and answered');
    // Only buttons that work in this version: Show CLI commands, not Redeploy.
    const actionIds = thread.flatMap((m) => (m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id?: string }> }>)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements?.map((e) => e.action_id) ?? []);
    expect(actionIds).toEqual(['show-cli', 'show-cli']);
    expect(slack.violations).toEqual([]);
    assertNoInjectedMarkup(slack.messages);
  });

  it('coalesces live checklist updates, and the verdict is the last word', async () => {
    const url = await boot('incident-003');
    aws!.setLatency(100);
    await slash(url, '/why-db-down', 'prod-db');
    await bot!.jobs.idle();
    const updates = slack.callsTo('chat.update');
    const progressUpdates = updates.filter((c) => /Investigating/.test(String(c.args.text)));
    // 6 checks each go running → done: 12 state changes. Checks that start together share
    // one update (the interval itself is tested with a fake clock in units.test.ts).
    expect(progressUpdates.length).toBeGreaterThanOrEqual(1);
    expect(progressUpdates.length).toBeLessThan(12);
    expect(String(updates.at(-1)!.args.text)).toMatch(/^CRITICAL/);
  });

  it('rejects a badly signed or stale request with 401 and calls nothing', async () => {
    const url = await boot('incident-003');
    const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('r1'));
    expect((await post(url, body, signedHeaders(body, { secret: 'wrong-secret' }))).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await post(url, body, signedHeaders(body, { timestamp: stale }))).status).toBe(401);
    await bot!.jobs.idle();
    expect(aws!.calls).toEqual([]);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('answers bad input with an escaped ephemeral message and no AWS call', async () => {
    const url = await boot('incident-003');
    for (const text of ['<!channel> --hours 2', 'prod-db --bogus', 'prod-db --hours 9999', 'x'.repeat(3000)]) {
      const res = await slash(url, '/why-db-down', text);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text) as { response_type: string; text: string };
      expect(body.response_type).toBe('ephemeral');
      expect(body.text).toMatch(/:warning:/);
      expect(findUnescapedSpecials(body.text)).toEqual([]);
    }
    await bot!.jobs.idle();
    expect(aws!.calls).toEqual([]);
  });

  it('Show CLI commands posts the exact aws commands in the thread', async () => {
    const url = await boot('incident-003');
    await slash(url, '/why-db-down', 'prod-db');
    await bot!.jobs.idle();
    const root = rootOf();
    const findingsMsg = slack.thread('C0ONCALL', root.ts)[1]!;
    const actions = (findingsMsg.blocks as Array<{ type: string; block_id?: string; elements?: Array<{ action_id: string; value: string }> }>).find(
      (b) => b.type === 'actions',
    )!;
    const button = actions.elements![0]!;
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', team_id: 'T0001' },
      api_app_id: 'A0WHYBOT',
      token: 'legacy',
      team: { id: 'T0001', domain: 'acme' },
      container: { type: 'message', message_ts: findingsMsg.ts, channel_id: 'C0ONCALL', is_ephemeral: false, thread_ts: root.ts },
      trigger_id: 'trigger-click',
      channel: { id: 'C0ONCALL', name: 'oncall' },
      message: { type: 'message', ts: findingsMsg.ts, thread_ts: root.ts, text: findingsMsg.text, blocks: findingsMsg.blocks },
      response_url: slack.responseUrl('click', { channel: 'C0ONCALL', user: 'U0ALICE' }),
      actions: [{ type: 'button', action_id: 'show-cli', block_id: actions.block_id ?? 'b', value: button.value, action_ts: '1' }],
    };
    const body = interactionBody(payload);
    expect((await post(url, body, signedHeaders(body))).status).toBe(200);
    await slack.waitFor(() => slack.thread('C0ONCALL', root.ts).some((m) => /update-service/.test(allText(m))));
    const reply = slack.thread('C0ONCALL', root.ts).find((m) => /update-service/.test(allText(m)))!;
    expect(allText(reply)).toContain('aws ecs update-service --region ap-northeast-1 --cluster prod --service api --force-new-deployment');

    // A tampered value is refused, ephemerally.
    const tampered = interactionBody({ ...payload, actions: [{ ...payload.actions[0], value: '{"v":1,"a":"show-cli","r":[{"id":"ecs-redeploy","label":"x","params":{"cluster":"a;b","service":"s","region":"us-east-1"}}]}' }] });
    expect((await post(url, tampered, signedHeaders(tampered))).status).toBe(200);
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'click'));
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'click')!.body)).toMatch(/does not accept/);
  });

  it('without an argument and several DBs, offers a select menu; picking one investigates it', async () => {
    const url = await boot('many-dbs');
    await slash(url, '/why-db-down', '', 'menu');
    await bot!.jobs.idle();
    const menu = slack.responses.find((r) => r.id === 'menu')!.body as { blocks: Array<{ type: string; block_id?: string; elements?: Array<{ options: Array<{ value: string }> }> }> };
    const select = menu.blocks.find((b) => b.type === 'actions')!;
    expect(select.elements![0]!.options.map((o) => o.value)).toEqual(['legacy-mysql', 'prod-db', 'staging-db']);

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
      actions: [{ type: 'static_select', action_id: 'pick-target', block_id: select.block_id, selected_option: { text: { type: 'plain_text', text: 'staging-db' }, value: 'staging-db' }, action_ts: '1' }],
    });
    expect((await post(url, pick, signedHeaders(pick))).status).toBe(200);
    await slack.waitFor(() => slack.channelMessages('C0ONCALL').some((m) => /staging-db/.test(allText(m))));
    await bot!.jobs.idle();
    expect(aws!.calls.some((c) => c.operation === 'DescribeDBClusters' && c.params.DBClusterIdentifier === 'staging-db')).toBe(true);
  });

  it('when it cannot post in the channel, tells the user how to fix it', async () => {
    const url = await boot('incident-003');
    slack.failNext('chat.postMessage', 'not_in_channel');
    await slash(url, '/why-db-down', 'prod-db', 'nochan');
    await bot!.jobs.idle();
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'nochan')!.body)).toMatch(/Invite me/);
  });

  it.each([
    ['/why-decrypt-denied', 'incident-001-kms', 'AppStack'],
    ['/why-cert-pending', 'incident-001-dns', 'example-shop.com'],
    ['/why-deploy-failed', 'incident-001-deploy', 'MyAppStack'],
  ])('%s renders its verdict and thread within Block Kit limits', async (command, scenario, target) => {
    const url = await boot(scenario);
    await slash(url, command, target, `r-${scenario}`);
    await bot!.jobs.idle();
    const root = slack.channelMessages('C0ONCALL').find((m) => !m.threadTs);
    expect(root, JSON.stringify(slack.responses.map((r) => r.body))).toBeDefined();
    expect(root!.text).toMatch(/^CRITICAL: Likely cause/);
    expect(slack.thread('C0ONCALL', root!.ts).length).toBeGreaterThan(2);
    expect(slack.violations).toEqual([]);
    assertNoInjectedMarkup(slack.messages);
  });

  it('/why alone answers with help; /why db-down <db> runs the playbook', async () => {
    const url = await boot('incident-003');
    const help = await slash(url, '/why', '');
    const helpText = (JSON.parse(help.text) as { text: string }).text;
    // every playbook with its target and one-line summary (escaped like any text)
    for (const m of Object.values(PLAYBOOK_CATALOG)) {
      expect(helpText).toContain(`\`/why-${m.name} ${m.target.required ? '&lt;' : '['}${m.target.label}`);
      expect(helpText).toContain(m.summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    // a word that is no playbook: the closest one is suggested
    expect(JSON.parse((await slash(url, '/why', 'db-dwon prod-db')).text).text).toMatch(/There is no playbook `db-dwon`\. Did you mean `\/why db-down`\?/);
    // names that exist on every object are not playbooks
    for (const name of ['constructor', '__proto__', 'toString']) expect(JSON.parse((await slash(url, '/why', `${name} x`)).text).text).toMatch(/There is no playbook/);
    await slash(url, '/why', 'db-down prod-db');
    await bot!.jobs.idle();
    expect(rootOf().text).toMatch(/Likely cause/);
  });
});

describe('a healthy account is an answer in Slack too', () => {
  it.each([
    ['/why-decrypt-denied', /No KMS denials in the last 24 h\./],
    ['/why-deploy-failed', /No stack is in a failed state/],
  ])('%s with nothing to investigate answers with an ok verdict, not an error', async (command, summary) => {
    const url = await boot('healthy');
    await slash(url, command, '', 'healthy');
    await bot!.jobs.idle();
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'healthy'));
    const body = JSON.stringify(slack.responses.find((r) => r.id === 'healthy')!.body);
    expect(body).toMatch(summary);
    expect(body).toContain(':white_check_mark:');
    expect(body).not.toMatch(/:warning:|Nothing to investigate/);
    expect(slack.violations).toEqual([]);
  });
});

describe('bounded input before work (the guard in front of Bolt)', () => {
  it('a signed payload=null gets a 400 and the bot goes on answering', async () => {
    const url = await boot('incident-003');
    for (const body of ['payload=null', interactionBody({ type: 'block_actions', user: null, actions: [] })]) {
      const res = await post(url, body, signedHeaders(body));
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/^whybot: /);
    }
    const res = await slash(url, '/why', '');
    expect(JSON.parse(res.text).text).toMatch(/why-db-down/);
    expect(aws!.calls).toEqual([]);
  });

  it('a timestamp 10 min in the future is refused; a replayed command does not run twice', async () => {
    const url = await boot('incident-003');
    const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('once', { channel: 'C0ONCALL', user: 'U0ALICE' }));
    expect((await post(url, body, signedHeaders(body, { timestamp: Math.floor(Date.now() / 1000) + 600 }))).status).toBe(401);
    const headers = signedHeaders(body);
    expect((await post(url, body, headers)).status).toBe(200);
    expect((await post(url, body, headers)).status).toBe(409);
    await bot!.jobs.idle();
    expect(slack.channelMessages('C0ONCALL').filter((m) => !m.threadTs)).toHaveLength(1);
    expect(aws!.calls.filter((c) => c.operation === 'DescribeDBClusters').length).toBeGreaterThan(0);
  });
});
