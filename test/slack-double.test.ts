import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel as BoltLogLevel } from '@slack/bolt';
import { ErrorCode, LogLevel, WebClient, WebClientEvent, type Logger } from '@slack/web-api';
import { DEFAULT_SLACK_RATE_LIMIT, startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import {
  collectMrkdwn,
  findUnescapedSpecials,
  validateBlocks,
  validateMessage,
  validateView,
} from '../src/sandbox/slack/block-kit.js';

const TOKEN = 'xoxb-test-token';

/** Silent logger: the WebClient logs Slack's response_metadata [ERROR] messages and missing-text warnings. */
const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function section(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function buttonBlock(value: string) {
  return {
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Fix it' }, action_id: 'fix', value }],
  };
}

/** The Slack error code carried by a WebAPIPlatformError. */
async function slackError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; data?: { error?: string } };
    expect(err.code).toBe(ErrorCode.PlatformError);
    return err.data?.error ?? 'no error field';
  }
  throw new Error('expected the call to fail');
}

let double: SlackDouble;
let client: WebClient;

beforeAll(async () => {
  double = await startSlackDouble({
    botToken: TOKEN,
    teamId: 'T123',
    botUserId: 'UBOT',
    usergroups: { S0ONCALL: ['U1', 'U2'] },
    users: { U1: { real_name: 'Ada Lovelace' } },
  });
  client = new WebClient(TOKEN, {
    slackApiUrl: double.url,
    logger: quiet,
    retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 1 },
  });
});

afterAll(async () => {
  await double.close();
});

beforeEach(() => {
  double.reset();
});

describe('slack double: basics', () => {
  it('serves a base url ending in /api/ on loopback', () => {
    expect(double.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers auth.test with the configured ids and records the call', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, team_id: 'T123', user_id: 'UBOT', bot_id: 'B0WHYBOT' });
    expect(double.calls).toHaveLength(1);
    expect(double.calls[0]).toMatchObject({ method: 'auth.test', token: TOKEN, ok: true, status: 200 });
  });

  it('rejects a wrong token and a missing token with invalid_auth', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: double.url, logger: quiet });
    expect(await slackError(wrong.auth.test())).toBe('invalid_auth');
    const none = new WebClient(undefined, { slackApiUrl: double.url, logger: quiet });
    expect(await slackError(none.chat.postMessage({ channel: 'C1', text: 'hi' }))).toBe('invalid_auth');
    expect(double.messages).toHaveLength(0);
    expect(double.calls.map((c) => c.error)).toEqual(['invalid_auth', 'invalid_auth']);
  });

  it('answers unknown methods with unknown_method', async () => {
    expect(await slackError(client.apiCall('chat.teleport', { channel: 'C1' }))).toBe('unknown_method');
  });

  it('refuses apps.connections.open with a bot token (no Socket Mode)', async () => {
    expect(await slackError(client.apps.connections.open())).toBe('not_allowed_token_type');
  });

  it('accepts JSON bodies as well as form-encoded ones', async () => {
    const res = await fetch(`${double.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'C9', text: 'json', blocks: [section('from json')] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C9' });
    expect(double.messages[0]).toMatchObject({ channel: 'C9', text: 'json', blocks: [section('from json')] });
  });

  it('waitFor resolves once a fire-and-forget call lands, and rejects on timeout', async () => {
    void client.chat.postMessage({ channel: 'C5', text: 'async' });
    await double.waitFor(() => double.channelMessages('C5').length === 1, 1000);
    await expect(double.waitFor(() => false, 30)).rejects.toThrow(/within 30 ms/);
    double.failNext('chat.postMessage', 'not_in_channel');
    double.reset();
    expect([double.calls, double.messages, double.violations]).toEqual([[], [], []]);
    await client.chat.postMessage({ channel: 'C5', text: 'no failure left after reset' });
  });

  it('decodes form-encoded JSON fields (blocks arrive as strings from WebClient)', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks: [section('*bold*')], unfurl_links: false });
    const args = double.calls[0]?.args ?? {};
    expect(args['blocks']).toEqual([section('*bold*')]);
    expect(args['unfurl_links']).toBe('false'); // booleans are strings on the wire
    expect(args).not.toHaveProperty('token');
  });
});

describe('slack double: messages and threads', () => {
  it('posts, threads and updates messages', async () => {
    const root = await client.chat.postMessage({ channel: 'C1', text: 'Investigating…', blocks: [section('step 1')] });
    expect(root.ts).toMatch(/^\d{10}\.\d{6}$/);
    const r1 = await client.chat.postMessage({ channel: 'C1', thread_ts: root.ts as string, text: 'evidence 1' });
    const r2 = await client.chat.postMessage({ channel: 'C1', thread_ts: root.ts as string, text: 'evidence 2' });
    // Timestamps are unique and increasing.
    expect([root.ts, r1.ts, r2.ts]).toEqual([...new Set([root.ts, r1.ts, r2.ts])].sort());

    const upd = await client.chat.update({ channel: 'C1', ts: root.ts as string, text: 'Done', blocks: [section('done')] });
    expect(upd).toMatchObject({ ok: true, channel: 'C1', ts: root.ts });
    // Text-only update keeps the blocks (as Slack does).
    await client.chat.update({ channel: 'C1', ts: root.ts as string, text: 'Done!' });

    const thread = double.thread('C1', root.ts as string);
    expect(thread.map((m) => m.text)).toEqual(['Done!', 'evidence 1', 'evidence 2']);
    expect(thread[0]).toMatchObject({ updates: 2, replyCount: 2, blocks: [section('done')], ephemeral: false });
    expect(thread[1]?.threadTs).toBe(root.ts);
    expect(double.messages).toHaveLength(3);
  });

  it('normalises a reply-to-a-reply to the thread root', async () => {
    const root = await client.chat.postMessage({ channel: 'C1', text: 'root' });
    const reply = await client.chat.postMessage({ channel: 'C1', thread_ts: root.ts as string, text: 'a' });
    await client.chat.postMessage({ channel: 'C1', thread_ts: reply.ts as string, text: 'b' });
    expect(double.thread('C1', root.ts as string).map((m) => m.text)).toEqual(['root', 'a', 'b']);
  });

  it('replies in a thread started by a user (injected message)', async () => {
    const userMsg = double.injectMessage({ channel: 'C1', user: 'U1', text: 'why is prod broken?' });
    await client.chat.postMessage({ channel: 'C1', thread_ts: userMsg.ts, text: 'looking' });
    expect(double.thread('C1', userMsg.ts).map((m) => m.text)).toEqual(['why is prod broken?', 'looking']);
  });

  it('chat.update of an unknown message fails with message_not_found', async () => {
    expect(await slackError(client.chat.update({ channel: 'C1', ts: '1700000000.999999', text: 'x' }))).toBe(
      'message_not_found',
    );
    const m = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    // Right ts, wrong channel.
    expect(await slackError(client.chat.update({ channel: 'C2', ts: m.ts as string, text: 'y' }))).toBe(
      'message_not_found',
    );
  });

  it('rejects a message without text or blocks', async () => {
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
  });

  it('records ephemeral messages with their recipient', async () => {
    const res = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you can see this' });
    expect(res.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(double.messages).toEqual([
      expect.objectContaining({ channel: 'C1', user: 'U1', ephemeral: true, text: 'only you can see this' }),
    ]);
    // Ephemerals cannot be updated.
    expect(await slackError(client.chat.update({ channel: 'C1', ts: res.message_ts as string, text: 'x' }))).toBe(
      'message_not_found',
    );
    expect(double.channelMessages('C1')).toHaveLength(0);
  });
});

describe('slack double: Block Kit validation', () => {
  it('rejects 51 blocks', async () => {
    const blocks = Array.from({ length: 51 }, (_, i) => section(`b${i}`));
    const err = await slackError(client.chat.postMessage({ channel: 'C1', text: 'many', blocks }));
    expect(err).toBe('invalid_blocks');
    expect(double.violations).toEqual([expect.stringContaining('51 blocks (max 50')]);
    expect(double.messages).toHaveLength(0);
  });

  it('rejects a 3001-char section', async () => {
    const err = await slackError(
      client.chat.postMessage({ channel: 'C1', text: 'long', blocks: [section('x'.repeat(3001))] }),
    );
    expect(err).toBe('invalid_blocks');
    expect(double.violations[0]).toContain('blocks[0].text.text: section text is 3001 chars (max 3000)');
  });

  it('accepts a 3000-char section', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'ok', blocks: [section('x'.repeat(3000))] });
    expect(double.violations).toEqual([]);
  });

  it('rejects a 2001-char button value, also on chat.update', async () => {
    const m = await client.chat.postMessage({ channel: 'C1', text: 'ok', blocks: [buttonBlock('v')] });
    const err = await slackError(
      client.chat.update({ channel: 'C1', ts: m.ts as string, text: 'ok', blocks: [buttonBlock('v'.repeat(2001))] }),
    );
    expect(err).toBe('invalid_blocks');
    expect(double.violations[0]).toContain('button value is 2001 chars (max 2000)');
    expect(double.messages[0]?.updates).toBe(0);
    expect(double.messages[0]?.blocks).toEqual([buttonBlock('v')]);
  });

  it('passes Slack-style error details to the client in response_metadata', async () => {
    try {
      // The SDK's types already forbid this; the double catches it for untyped payloads.
      const header = { type: 'header', text: { type: 'mrkdwn', text: 'h' } } as never;
      await client.chat.postMessage({ channel: 'C1', text: 'x', blocks: [header] });
      expect.unreachable();
    } catch (e) {
      const data = (e as { data: { response_metadata?: { messages?: string[] } } }).data;
      expect(data.response_metadata?.messages?.[0]).toMatch(/^\[ERROR\] chat\.postMessage: blocks\[0\]\.text\.type: header text must be plain_text/);
    }
  });

  it('records (but accepts) blocks without a text fallback', async () => {
    const res = await client.chat.postMessage({ channel: 'C1', blocks: [section('no fallback')] });
    expect(res.ok).toBe(true);
    expect(double.violations).toEqual([expect.stringContaining('no top-level text fallback')]);
  });

  it('rejects message text over 40000 chars with msg_too_long', async () => {
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
  });

  it('validates block structure rules directly', () => {
    expect(validateBlocks([{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }])).toEqual([
      'blocks[0].fields: section fields has 11 items (max 10)',
    ]);
    expect(validateBlocks([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])).toEqual([
      'blocks[0].text.text: header text is 151 chars (max 150)',
    ]);
    expect(validateBlocks([{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }])[0]).toContain(
      'max 10',
    );
    expect(validateBlocks([section('')])).toEqual(['blocks[0].text.text: section text must be a non-empty string']);
    expect(validateBlocks([{ type: 'section', text: { type: 'markdown', text: 'x' } }])[0]).toContain(
      'must be plain_text or mrkdwn',
    );
    const button = (extra: Record<string, unknown>) => ({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'b' }, action_id: 'a', ...extra }],
    });
    expect(validateBlocks([button({ text: { type: 'plain_text', text: 'b'.repeat(76) } })])[0]).toContain('button text is 76 chars');
    expect(validateBlocks([button({ action_id: 'a'.repeat(256) })])[0]).toContain('action_id is 256 chars');
    expect(validateBlocks([button({ url: `https://x/${'u'.repeat(3000)}` })])[0]).toContain('button url');
    expect(
      validateBlocks([
        button({
          confirm: {
            title: { type: 'plain_text', text: 'Sure?' },
            text: { type: 'mrkdwn', text: 'c'.repeat(301) },
            confirm: { type: 'plain_text', text: 'Yes' },
            deny: { type: 'plain_text', text: 'No' },
          },
        }),
      ])[0],
    ).toContain('confirm text is 301 chars (max 300)');
    const actions26 = { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => buttonBlock(`${i}`).elements[0]) };
    expect(validateBlocks([actions26])[0]).toContain('actions elements has 26 items (max 25)');
    const opt = (text: string, value: string) => ({ text: { type: 'plain_text', text }, value });
    const select = (options: unknown[]) => ({
      type: 'actions',
      elements: [{ type: 'static_select', action_id: 's', placeholder: { type: 'plain_text', text: 'pick' }, options }],
    });
    expect(validateBlocks([select(Array.from({ length: 101 }, (_, i) => opt(`o${i}`, `${i}`)))])[0]).toContain(
      'options has 101 items (max 100)',
    );
    expect(validateBlocks([select([opt('t'.repeat(76), 'v')])])[0]).toContain('option text is 76 chars (max 75)');
    expect(validateBlocks([select([opt('t', 'v'.repeat(151))])])[0]).toContain('option value is 151 chars (max 150)');
    expect(validateBlocks([{ type: 'carousel' }])[0]).toContain('unknown block type');
    expect(validateBlocks([{ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' }])[0]).toContain(
      'duplicate block_id',
    );
    expect(validateMessage({ text: 'ok', blocks: [section('fine'), buttonBlock('v')] })).toEqual({
      errors: [],
      warnings: [],
      textTooLong: false,
    });
  });
});

describe('slack double: views', () => {
  const modal = (title: string, extra: Record<string, unknown> = {}) => ({
    type: 'modal',
    callback_id: 'confirm_fix',
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: 'Run' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [section('Rotate the key?')],
    ...extra,
  });

  it('opens a valid modal and returns a view id, then updates it', async () => {
    const res = await client.views.open({ trigger_id: 'trig-1', view: modal('Confirm fix') as never });
    expect(res.view?.id).toMatch(/^V/);
    expect(double.views).toHaveLength(1);
    expect(double.views[0]).toMatchObject({ type: 'modal', callbackId: 'confirm_fix', triggerId: 'trig-1' });

    const upd = await client.views.update({
      view_id: res.view?.id as string,
      hash: res.view?.hash as string,
      view: modal('Fixing…') as never,
    });
    expect(upd.view?.id).toBe(res.view?.id);
    expect(double.views[0]?.updates).toBe(1);
    // A stale hash conflicts.
    expect(
      await slackError(
        client.views.update({ view_id: res.view?.id as string, hash: res.view?.hash as string, view: modal('x') as never }),
      ),
    ).toBe('hash_conflict');
    expect(await slackError(client.views.update({ view_id: 'VNOPE', view: modal('x') as never }))).toBe('not_found');
  });

  it('requires a trigger_id, usable once', async () => {
    expect(await slackError(client.views.open({ view: modal('Confirm') } as never))).toBe('invalid_arguments');
    await client.views.open({ trigger_id: 'trig-once', view: modal('Confirm') as never });
    expect(await slackError(client.views.open({ trigger_id: 'trig-once', view: modal('Confirm') as never }))).toBe(
      'expired_trigger_id',
    );
  });

  it('rejects a title over 24 chars, a long submit and over 100 blocks', async () => {
    expect(await slackError(client.views.open({ trigger_id: 't1', view: modal('x'.repeat(25)) as never }))).toBe(
      'invalid_arguments',
    );
    expect(double.violations[0]).toContain('view.title.text: modal title is 25 chars (max 24)');
    expect(
      await slackError(
        client.views.open({ trigger_id: 't2', view: modal('ok', { submit: { type: 'plain_text', text: 's'.repeat(25) } }) as never }),
      ),
    ).toBe('invalid_arguments');
    const blocks = Array.from({ length: 101 }, (_, i) => section(`${i}`));
    expect(await slackError(client.views.open({ trigger_id: 't3', view: modal('ok', { blocks }) as never }))).toBe(
      'invalid_arguments',
    );
    expect(double.views).toHaveLength(0);
    // 100 blocks is fine in a modal (not in a message).
    await client.views.open({ trigger_id: 't4', view: modal('ok', { blocks: blocks.slice(0, 100) }) as never });
    expect(validateView(modal('ok', { title: { type: 'mrkdwn', text: 'ok' } }))[0]).toContain('must be plain_text');
  });
});

describe('slack double: directory lookups', () => {
  it('lists usergroup members and resolves users', async () => {
    expect((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U1', 'U2']);
    expect(await slackError(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).toBe('no_such_subteam');
    expect((await client.users.info({ user: 'U1' })).user?.real_name).toBe('Ada Lovelace');
    expect((await client.users.info({ user: 'U777' })).user?.id).toBe('U777');
    expect(await slackError(client.users.info({ user: 'not-a-user' }))).toBe('user_not_found');
  });
});

describe('slack double: error injection', () => {
  it('fails the next call with a platform error, then recovers', async () => {
    double.failNext('chat.postMessage', 'not_in_channel');
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'hi' }))).toBe('not_in_channel');
    await client.chat.postMessage({ channel: 'C1', text: 'hi' });
    expect(double.calls.map((c) => c.error ?? 'ok')).toEqual(['not_in_channel', 'ok']);
    expect(double.messages).toHaveLength(1);
  });

  it('429 + Retry-After: the WebClient waits, retries and succeeds', async () => {
    double.failNext('chat.postMessage', 'ratelimited', { status: 429, retryAfterSec: 1 });
    let rateLimitedFor: number | undefined;
    const onLimited = (sec: number) => {
      rateLimitedFor = sec;
    };
    client.on(WebClientEvent.RATE_LIMITED, onLimited);
    const started = Date.now();
    const res = await client.chat.postMessage({ channel: 'C1', text: 'eventually' });
    client.off(WebClientEvent.RATE_LIMITED, onLimited);
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rateLimitedFor).toBe(1);
    expect(double.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(double.messages).toHaveLength(1);
  });

  it('rejectRateLimitedCalls surfaces the 429 instead of retrying', async () => {
    const strict = new WebClient(TOKEN, { slackApiUrl: double.url, logger: quiet, rejectRateLimitedCalls: true });
    double.failNext('chat.update', 'ratelimited', { retryAfterSec: 7 });
    await expect(strict.chat.update({ channel: 'C1', ts: '1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    expect(double.callsTo('chat.update')).toHaveLength(1);
  });

  it('HTTP 5xx is an HTTPError (the WebClient retries it like any non-429 failure)', async () => {
    double.failNext('chat.postMessage', 'internal_error', { status: 503 });
    const res = await client.chat.postMessage({ channel: 'C1', text: 'retried' });
    expect(res.ok).toBe(true);
    expect(double.callsTo('chat.postMessage').map((c) => c.status)).toEqual([503, 200]);

    const noRetry = new WebClient(TOKEN, { slackApiUrl: double.url, logger: quiet, retryConfig: { retries: 0 } });
    double.failNext('chat.postMessage', 'internal_error', { status: 503 });
    await expect(noRetry.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
    });
  });

  it('fails several calls with times', async () => {
    double.failNext('users.info', 'fatal_error', { times: 2 });
    expect(await slackError(client.users.info({ user: 'U1' }))).toBe('fatal_error');
    expect(await slackError(client.users.info({ user: 'U1' }))).toBe('fatal_error');
    expect((await client.users.info({ user: 'U1' })).ok).toBe(true);
  });
});

describe('slack double: per-channel rate limit (on by default)', () => {
  /** Gives up on a 429 instead of waiting, so that a test can count them. */
  const strict = () => new WebClient(TOKEN, { slackApiUrl: double.url, logger: quiet, rejectRateLimitedCalls: true });
  const outcome = (r: PromiseSettledResult<unknown>) =>
    r.status === 'fulfilled' ? 'ok' : `${(r.reason as { code: string }).code}:${(r.reason as { retryAfter?: number }).retryAfter}`;
  afterEach(() => double.setRateLimits(DEFAULT_SLACK_RATE_LIMIT));

  it('defaults: chat.postMessage + chat.update, burst 5, 1 per second', () => {
    expect(DEFAULT_SLACK_RATE_LIMIT).toEqual({ methods: ['chat.postMessage', 'chat.update'], burst: 5, perSecond: 1 });
  });

  it('8 posts at once to one channel: 5 ok, 3 × HTTP 429 ratelimited with Retry-After; another channel is unaffected', async () => {
    const c = strict();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => c.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    const outcomes = results.map(outcome);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(5);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual(Array(3).fill(`${ErrorCode.RateLimitedError}:1`));
    expect(double.channelMessages('C1')).toHaveLength(5);
    const limited = double.callsTo('chat.postMessage').filter((x) => x.status === 429);
    expect(limited).toHaveLength(3);
    for (const x of limited) expect(x).toMatchObject({ ok: false, error: 'ratelimited' });
    expect(double.rateLimited.map(({ method, channel, retryAfterSec }) => ({ method, channel, retryAfterSec }))).toEqual(
      Array(3).fill({ method: 'chat.postMessage', channel: 'C1', retryAfterSec: 1 }),
    );

    expect((await c.chat.postMessage({ channel: 'C2', text: 'elsewhere' })).ok).toBe(true);
    expect(double.rateLimited).toHaveLength(3);
  });

  it('answers as Slack does on the wire: 429, integer Retry-After, {ok:false, error:"ratelimited"}', async () => {
    double.setRateLimits({ burst: 1, perSecond: 0.5 });
    const post = () =>
      fetch(`${double.url}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'C9', text: 'x' }),
      });
    expect((await post()).status).toBe(200);
    const res = await post();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2'); // a token every 2 s
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('chat.update draws on the same bucket as chat.postMessage; other methods are not limited', async () => {
    const c = strict();
    const posted = await Promise.all(Array.from({ length: 5 }, (_, i) => c.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    await expect(c.chat.update({ channel: 'C1', ts: posted[0]!.ts!, text: 'edited' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
    });
    expect(double.channelMessages('C1')[0]!.updates).toBe(0);
    expect((await c.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'just you' })).ok).toBe(true);
    expect(double.rateLimited.map((x) => `${x.method}:${x.channel}`)).toEqual(['chat.update:C1']);
  });

  it('the WebClient pauses on Retry-After and retries: every post lands, the 429s are recorded', async () => {
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => client.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(double.channelMessages('C1').map((m) => m.text).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    expect(double.rateLimited.length).toBeGreaterThanOrEqual(2);
    expect(double.callsTo('chat.postMessage').filter((x) => x.status === 429)).toHaveLength(double.rateLimited.length);
  });

  it('configurable (methods, burst) and off with rateLimits: false or setRateLimits(false); reset() refills', async () => {
    const c = strict();
    double.setRateLimits({ methods: ['chat.postMessage'], burst: 2 });
    const three = await Promise.allSettled([1, 2, 3].map((i) => c.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    expect(three.map(outcome).filter((o) => o === 'ok')).toHaveLength(2);
    const root = double.channelMessages('C1')[0]!;
    for (let i = 0; i < 3; i++) await c.chat.update({ channel: 'C1', ts: root.ts, text: `u${i}` });
    expect(double.rateLimited).toHaveLength(1);
    double.reset();
    expect(double.rateLimited).toEqual([]);
    expect((await c.chat.postMessage({ channel: 'C1', text: 'refilled' })).ok).toBe(true);

    double.setRateLimits(false);
    const many = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => c.chat.postMessage({ channel: 'C1', text: `n${i}` })));
    expect(many.map(outcome)).toEqual(Array(20).fill('ok'));

    const off = await startSlackDouble({ botToken: TOKEN, rateLimits: false });
    try {
      const offClient = new WebClient(TOKEN, { slackApiUrl: off.url, logger: quiet, rejectRateLimitedCalls: true });
      const all = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => offClient.chat.postMessage({ channel: 'C1', text: `o${i}` })));
      expect(all.map(outcome)).toEqual(Array(12).fill('ok'));
      expect(off.rateLimited).toEqual([]);
    } finally {
      await off.close();
    }
  });
});

describe('slack double: response_url', () => {
  it('records posts to a response_url (as Bolt respond() sends them: JSON)', async () => {
    const url = double.responseUrl('cmd1');
    expect(url.startsWith(double.url.replace(/\/api\/$/, ''))).toBe(true);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', text: 'Working on it…' }),
    });
    expect(res.status).toBe(200);
    expect(double.responses).toEqual([
      expect.objectContaining({ path: '/response/cmd1', id: 'cmd1', status: 200, body: { response_type: 'ephemeral', text: 'Working on it…' } }),
    ]);
    // Not tied to a channel: no message is created.
    expect(double.messages).toHaveLength(0);
  });

  it('applies responses to messages when minted with a channel, and enforces 5 uses', async () => {
    const url = double.responseUrl(undefined, { channel: 'C1', user: 'U1' });
    const post = (body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ text: 'only you' })).status).toBe(200);
    expect((await post({ response_type: 'in_channel', text: 'everyone' })).status).toBe(200);
    expect(double.messages.map((m) => [m.text, m.ephemeral, m.source])).toEqual([
      ['only you', true, 'response_url'],
      ['everyone', false, 'response_url'],
    ]);
    // Block Kit limits apply to response_url bodies too.
    expect((await post({ text: 'x', blocks: [section('x'.repeat(3001))] })).status).toBe(400);
    await post({ text: '4' });
    await post({ text: '5' });
    const sixth = await post({ text: '6' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toMatchObject({ error: 'used_url' });
    expect(double.violations.some((v) => v.includes('used 6 times (max 5)'))).toBe(true);
  });
});

describe('slack double: with a Bolt App', () => {
  it('Bolt verifies its token and a slash command handler can respond() and post through the double', async () => {
    const app = new App({
      token: TOKEN,
      signingSecret: 'not-used-here',
      deferInitialization: true,
      logLevel: BoltLogLevel.ERROR,
      clientOptions: { slackApiUrl: double.url, retryConfig: { retries: 0 } },
    });
    await app.init();
    expect(double.calls.map((c) => [c.method, c.token])).toEqual([['auth.test', TOKEN]]);

    app.command('/whybot', async ({ ack, respond, client, command }) => {
      await ack();
      await respond({ text: 'On it' });
      await client.chat.postMessage({ channel: command.channel_id, text: `Investigating ${command.text}` });
    });
    let acked = false;
    await app.processEvent({
      body: {
        command: '/whybot',
        text: 'orders-api',
        channel_id: 'C1',
        user_id: 'U1',
        team_id: 'T123',
        trigger_id: 'trig-cmd',
        response_url: double.responseUrl('slash1', { channel: 'C1', user: 'U1' }),
      },
      ack: async () => {
        acked = true;
      },
    });
    expect(acked).toBe(true);
    expect(double.responses.map((r) => r.body)).toEqual([{ text: 'On it' }]);
    expect(double.messages.map((m) => [m.text, m.ephemeral])).toEqual([
      ['On it', true],
      ['Investigating orders-api', false],
    ]);
  });
});

describe('mrkdwn injection guard', () => {
  it('finds broadcast mentions, user mentions and labelled links', () => {
    const text = 'role <!channel> and <!here|here> by <@U123ABC> see <https://evil.example/x|AWS console> or <!subteam^S1>';
    expect(findUnescapedSpecials(text)).toEqual([
      '<!channel>',
      '<!here|here>',
      '<@U123ABC>',
      '<https://evil.example/x|AWS console>',
      '<!subteam^S1>',
    ]);
    expect(findUnescapedSpecials('<!everyone>')).toEqual(['<!everyone>']);
  });

  it('ignores escaped text', () => {
    expect(findUnescapedSpecials('&lt;!channel&gt; &lt;https://evil|x&gt; &lt;@U1&gt; a &amp; b')).toEqual([]);
    expect(findUnescapedSpecials('plain <https://docs.aws.amazon.com> link')).toEqual([]);
  });

  it('collects every mrkdwn string of a posted message', async () => {
    await client.chat.postMessage({
      channel: 'C1',
      text: 'role arn:aws:iam::1:role/x',
      blocks: [section('name: <!channel>'), { type: 'header', text: { type: 'plain_text', text: '<!here>' } }],
    });
    const found = collectMrkdwn(double.messages[0] ?? {}).flatMap((m) =>
      findUnescapedSpecials(m.text).map((s) => `${m.path}: ${s}`),
    );
    expect(found).toEqual(['blocks[0].text.text: <!channel>']);
  });
});

describe('action_id uniqueness', () => {
  it('rejects two elements with the same action_id in one actions block', async () => {
    const { validateMessage } = await import('../src/sandbox/slack/block-kit.js');
    const button = (id: string) => ({ type: 'button', action_id: id, text: { type: 'plain_text', text: 'x' }, value: 'v' });
    expect(validateMessage({ text: 't', blocks: [{ type: 'actions', elements: [button('a'), button('a')] }] }).errors.join()).toMatch(/duplicate action_id a/);
    expect(validateMessage({ text: 't', blocks: [{ type: 'actions', elements: [button('a'), button('b')] }] }).errors).toEqual([]);
  });
});
