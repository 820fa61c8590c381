// Socket Mode end to end, as slack.e2e.test.ts does HTTP: the real bot (startBot, Bolt's
// SocketModeReceiver, @slack/socket-mode over undici's WebSocket) against the Slack double's
// Web API and its websocket side (src/sandbox/slack/socket-mode.ts), the AWS double behind
// AWS_ENDPOINT_URL. Loopback only; every wait is bounded.
// Nothing is mocked: bot.ts hands the SocketModeClient the bot's Web API options, so its
// apps.connections.open reaches the double (SLACK_API_URL) like every other call.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { WebSocket } from 'ws';
import type { Config } from '../src/config.js';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { createLogger } from '../src/logger.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { collectMrkdwn, findUnescapedSpecials } from '../src/sandbox/slack/block-kit.js';
import { startSlackDouble, type SlackDouble, type SlackMessage } from '../src/sandbox/slack/server.js';
import { startSocketModeDouble, type SocketAck, type SocketModeDouble } from '../src/sandbox/slack/socket-mode.js';
import { awsWorld, BOT_TOKEN, slashCommandFields, testConfig } from './helpers/harness.js';

const APP_TOKEN = 'xapp-1-A0WHYBOT-1-socketmodetest';
const ACTION_SECRET = 'test-action-secret-0123456789abcdef-0123456789';
const CHANNEL = 'C0ONCALL';

let slack: SlackDouble;
let sm: SocketModeDouble;
let aws: AwsDouble | undefined;
let bot: RunningBot | undefined;

beforeAll(async () => {
  sm = await startSocketModeDouble({ appToken: APP_TOKEN });
  slack = await startSlackDouble({ botToken: BOT_TOKEN, socketMode: sm });
});
afterAll(async () => {
  await slack?.close();
  await sm?.close();
});
afterEach(async () => {
  await bot?.stop();
  // stop() closes the websocket (a close frame, not a drop): the double sees it go.
  await sm.waitFor(() => sm.open().length === 0, 5000, 'no open Socket Mode connection after bot.stop()');
  await aws?.close();
  bot = undefined;
  aws = undefined;
  slack.reset();
  sm.reset();
});

function config(): Config {
  return testConfig({
    SLACK_API_URL: slack.url,
    AWS_REGION: process.env.AWS_REGION!,
    WHYBOT_ACTION_SECRET: ACTION_SECRET,
    WHYBOT_RESPONDERS: 'U0ALICE',
  });
}

/** Races a promise against a deadline, so a hang fails with a message instead of the test timeout. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function boot(appToken = APP_TOKEN): Promise<RunningBot> {
  ({ aws } = await awsWorld('incident-003'));
  const c = config();
  bot = await within(10_000, 'startBot in Socket Mode', startBot(c, { kind: 'socket', botToken: BOT_TOKEN, appToken }, createLogger('silent')));
  return bot;
}

const slashPayload = (command: string, text: string, responseId: string): Record<string, unknown> =>
  slashCommandFields(command, text, slack.responseUrl(responseId, { channel: CHANNEL, user: 'U0ALICE' }), { channel_id: CHANNEL, is_enterprise_install: 'false' });

/** Sends /why-db-down over the socket; Slack's 3 s is the ack deadline. */
const slash = (text: string, responseId = 'r1'): Promise<SocketAck> =>
  sm.send({ type: 'slash_commands', payload: slashPayload('/why-db-down', text, responseId) }, { ackTimeoutMs: 3000 });

const allText = (m: SlackMessage) => JSON.stringify(m.blocks ?? []) + (m.text ?? '');

function roots(): SlackMessage[] {
  return slack.channelMessages(CHANNEL).filter((m) => !m.threadTs);
}

/** The thread of the newest root: the verdict in the root, findings in the replies. */
function expectVerdictThread(root: SlackMessage) {
  expect(root.text).toMatch(/^CRITICAL: Likely cause: secret rds!cluster-\S+ rotated at .*3 tasks of ECS service api/);
  const replies = slack.thread(CHANNEL, root.ts).slice(1);
  const text = replies.map(allText).join('\n');
  expect(text).toContain('`stale-credentials`');
  expect(text).toContain('*Timeline*');
  expect(text).toContain('Checked and answered');
  for (const m of slack.thread(CHANNEL, root.ts)) for (const { text: t } of collectMrkdwn(m)) expect(findUnescapedSpecials(t)).toEqual([]);
}

describe('Socket Mode: connecting', () => {
  it('opens a connection with the app-level token: apps.connections.open, then hello', async () => {
    await boot();
    const conn = await sm.waitForConnection({ timeoutMs: 5000 });
    expect(slack.callsTo('apps.connections.open')).toMatchObject([{ ok: true, token: APP_TOKEN }]);
    expect(sm.opens).toHaveLength(1);
    expect(sm.opens[0]!.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0WHYBOT$/);
    expect(conn.ticket).toBe(new URL(sm.opens[0]!.url!).searchParams.get('ticket'));
    expect(sm.rejected).toEqual([]);
    // The bot's own Web API calls use the bot token, never the app token.
    expect(slack.calls.filter((c) => c.method !== 'apps.connections.open').every((c) => c.token === BOT_TOKEN)).toBe(true);
  });

  it('SLACK_API_URL reaches the Socket Mode client (src/entry/bot.ts)', async () => {
    await boot(APP_TOKEN);
    await sm.waitForConnection({ timeoutMs: 5000 });
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
  });
});

describe('Socket Mode: commands and clicks', () => {
  it('acks /why-db-down within 3 s, then posts the verdict thread', async () => {
    await boot();
    await sm.waitForConnection();
    aws!.setLatency(150); // each AWS call ≥ 150 ms: the ack must not wait for them
    const ack = await slash('prod-db');
    expect(ack.ms).toBeLessThan(3000);
    // Acked before the investigation finished: no verdict yet at ack time.
    expect(slack.messages.some((m) => /Likely cause/.test(m.text ?? ''))).toBe(false);
    // An admitted investigation answers in the thread, not in the ack.
    expect(ack.payload?.['text']).toBeUndefined();

    await within(20_000, 'jobs.idle', bot!.jobs.idle());
    expect(roots()).toHaveLength(1);
    expectVerdictThread(roots()[0]!);
    expect(slack.violations).toEqual([]);
    expect(sm.violations).toEqual([]);
  });

  it('answers bad input in the ack payload (ephemeral), with no AWS call', async () => {
    await boot();
    await sm.waitForConnection();
    const ack = await slash('prod-db --hours 9999');
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload?.['text'])).toMatch(/:warning:/);
    await within(10_000, 'jobs.idle', bot!.jobs.idle());
    expect(aws!.calls).toEqual([]);
  });

  it('a button click envelope is acked and opens the confirmation modal', async () => {
    await boot();
    await sm.waitForConnection();
    await slash('prod-db');
    await within(20_000, 'jobs.idle', bot!.jobs.idle());
    const root = roots()[0]!;
    type Block = { type: string; block_id?: string; elements?: Array<{ action_id: string; value: string }> };
    let button: { message: SlackMessage; actionId: string; value: string } | undefined;
    for (const m of slack.thread(CHANNEL, root.ts).slice(1))
      for (const b of (m.blocks ?? []) as Block[])
        for (const e of b.type === 'actions' ? (b.elements ?? []) : [])
          if (!button && e.action_id.startsWith('remediate:ecs-redeploy')) button = { message: m, actionId: e.action_id, value: e.value };
    expect(button, 'a Redeploy button in the thread').toBeDefined();

    const triggerId = 'trigger-socket-click';
    const ack = await sm.send(
      {
        type: 'interactive',
        payload: {
          type: 'block_actions',
          user: { id: 'U0ALICE', username: 'alice', team_id: 'T0001' },
          api_app_id: 'A0WHYBOT',
          token: 'legacy',
          team: { id: 'T0001', domain: 'acme' },
          container: { type: 'message', message_ts: button!.message.ts, channel_id: CHANNEL, is_ephemeral: false, thread_ts: root.ts },
          trigger_id: triggerId,
          channel: { id: CHANNEL, name: 'oncall' },
          message: { type: 'message', ts: button!.message.ts, thread_ts: root.ts, text: button!.message.text, blocks: button!.message.blocks },
          response_url: slack.responseUrl('click', { channel: CHANNEL, user: 'U0ALICE' }),
          actions: [{ type: 'button', action_id: button!.actionId, block_id: 'b', value: button!.value, action_ts: '1' }],
        },
      },
      { ackTimeoutMs: 3000 },
    );
    expect(ack.ms).toBeLessThan(3000);
    await slack.waitFor(() => slack.views.length > 0, 5000);
    const view = slack.views[0]!;
    expect(view.triggerId).toBe(triggerId);
    expect(view.type).toBe('modal');
    expect(JSON.stringify(view.view)).toContain('ecs:UpdateService');
    expect(aws!.calls.filter((c) => c.operation === 'UpdateService')).toEqual([]); // nothing runs without confirm
    expect(sm.violations).toEqual([]);
  });
});

describe('Socket Mode: reconnects', () => {
  it('after the double drops the TCP connection: a new apps.connections.open + hello, and the next command is answered', async () => {
    await boot();
    const first = await sm.waitForConnection();
    sm.drop();
    await sm.waitFor(() => first.closedAt !== undefined, 2000, 'the dropped connection to close');
    expect(first.closeCode).toBe(1006); // no close frame: a network failure, not a goodbye
    // @slack/socket-mode waits clientPingTimeout (5 s) × failures before reconnecting.
    const second = await sm.waitForConnection({ after: first.id, timeoutMs: 15_000 });
    expect(sm.opens.filter((o) => o.ok)).toHaveLength(2);
    expect(second.ticket).not.toBe(first.ticket);

    const ack = await slash('prod-db');
    expect(ack.connection).toBe(second.id);
    await within(20_000, 'jobs.idle', bot!.jobs.idle());
    expectVerdictThread(roots()[0]!);
  }, 45_000);

  it.each(['refresh_requested', 'warning'] as const)('on a disconnect (%s) message it reconnects and keeps answering', async (reason) => {
    await boot();
    const first = await sm.waitForConnection();
    sm.disconnect(reason);
    await sm.waitFor(() => first.closedAt !== undefined, 3000, `the client to close after disconnect ${reason}`);
    expect(first.closedBy).toBe('client');
    expect(first.closeCode).toBe(1000);
    const second = await sm.waitForConnection({ after: first.id, timeoutMs: 15_000 });
    const ack = await slash('prod-db --hours 9999'); // answered in the ack: quick
    expect(ack.connection).toBe(second.id);
    expect(String(ack.payload?.['text'])).toMatch(/:warning:/);
  }, 45_000);
});

describe('Socket Mode: invalid app token', () => {
  it('startBot fails at once with a clear error instead of retrying', async () => {
    ({ aws } = await awsWorld('incident-003'));
    const c = config();
    const started = Date.now();
    const attempt = startBot(c, { kind: 'socket', botToken: BOT_TOKEN, appToken: 'xapp-1-A0WHYBOT-1-revoked' }, createLogger('silent'));
    await expect(within(5000, 'startBot with an invalid app token', attempt)).rejects.toThrow(/invalid_auth/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sm.opens).toEqual([expect.objectContaining({ ok: false, error: 'invalid_auth' })]);
    expect(sm.connections).toEqual([]);
    // Nothing keeps trying in the background.
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
  });
});

describe('the Socket Mode double itself', () => {
  const open = (token: string) => new WebClient(token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } }).apps.connections.open({});

  /** Connects a bare ws client and resolves with it and its first message (hello). */
  function connect(url: string): Promise<{ ws: WebSocket; hello: Record<string, unknown> }> {
    return within(3000, `ws connect ${url}`, new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('message', (data) => resolve({ ws, hello: JSON.parse(String(data)) as Record<string, unknown> }));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    }));
  }

  it('answers apps.connections.open as Slack does for each kind of token', async () => {
    await expect(open('xoxb-test-token')).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    await expect(open('xapp-1-A0WHYBOT-1-wrong')).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    const res = await open(APP_TOKEN);
    expect(res.ok).toBe(true);
    sm.setAppToken('xapp-1-A0WHYBOT-2-rotated');
    await expect(open(APP_TOKEN)).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    expect(sm.opens.map((o) => o.error ?? 'ok')).toEqual(['not_allowed_token_type', 'invalid_auth', 'ok', 'invalid_auth']);
  });

  it('hello on a fresh ticket; a reused or unknown ticket is refused at the upgrade', async () => {
    const { url } = await open(APP_TOKEN);
    const { ws, hello } = await connect(url!);
    expect(hello).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0WHYBOT' } });
    await expect(connect(url!)).rejects.toThrow('HTTP 401');
    await expect(connect(`${sm.wsOrigin}/link/?ticket=nope`)).rejects.toThrow('HTTP 401');
    expect(sm.rejected.map((r) => r.reason)).toEqual(['invalid_ticket', 'invalid_ticket']);
    ws.close();
    await sm.waitFor(() => sm.open().length === 0, 2000, 'the client close');
  });

  it('an envelope nobody acks fails the send clearly; stray frames are violations', async () => {
    const { url } = await open(APP_TOKEN);
    const { ws } = await connect(url!);
    const conn = sm.open()[0]!;
    const envelopes: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => envelopes.push(JSON.parse(String(d)) as Record<string, unknown>));
    await expect(sm.send({ type: 'events_api', payload: { event: { type: 'app_mention' } } }, { ackTimeoutMs: 200 })).rejects.toThrow(
      /no ack of events_api envelope \S+ within 200 ms/,
    );
    expect(envelopes[0]).toMatchObject({ type: 'events_api', accepts_response_payload: false, retry_attempt: 0 });

    const acked = sm.send({ type: 'slash_commands', payload: { command: '/x' } });
    await sm.waitFor(() => envelopes.length === 2);
    expect(envelopes[1]).toMatchObject({ type: 'slash_commands', accepts_response_payload: true });
    ws.send(JSON.stringify({ envelope_id: envelopes[1]!['envelope_id'], payload: { text: 'hi' } }));
    expect(await acked).toMatchObject({ payload: { text: 'hi' }, connection: conn.id });
    ws.send(JSON.stringify({ envelope_id: envelopes[1]!['envelope_id'] }));
    ws.send('not json');
    await sm.waitFor(() => sm.violations.length === 2);
    expect(sm.violations[0]).toMatch(/already acked/);

    const inFlight = sm.send({ type: 'interactive', payload: {} });
    sm.drop();
    await expect(inFlight).rejects.toThrow(/closed \(code 1006\) before the ack/);
  });
});
