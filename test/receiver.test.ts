// Bounded input before work: the guard in front of Bolt's HTTPReceiver (slack/receiver.ts), its
// Lambda twin (lambda/guard.ts), canonical button values, and npm start's crash handlers.
// The bot is the real one (startBot, the Slack double); its job lanes only count the jobs, so
// nothing here reaches AWS.
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Lane } from '../src/engine/job-pool.js';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { guardLambdaHandler, type LambdaHandler } from '../src/lambda/guard.js';
import { ActionSigner, canonicalPayloadJson } from '../src/remediations/signed-value.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { BODY_LIMIT_BYTES } from '../src/slack/payloads.js';
import { SlackRequestGate, type ReplayStore } from '../src/slack/receiver.js';
import type { Job } from '../src/slack/jobs.js';
import { encodeShowCli } from '../src/slack/values.js';
import type { ClaimResult } from '../src/store/types.js';
import { BOT_TOKEN, interactionBody, post, SIGNING_SECRET, signedHeaders, slashCommandBody, testConfig, testDbPath } from './helpers/harness.js';

const ACTION_SECRET = 'receiver-test-action-secret-0123456789abcdef';
const silent = pino({ level: 'silent' });

class CountingLane implements Lane<Job> {
  readonly capacity = 1000;
  readonly jobs: Job[] = [];
  async run(job: Job): Promise<void> {
    this.jobs.push(job);
  }
  async close(): Promise<void> {}
}

let slack: SlackDouble;
const bots: RunningBot[] = [];

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN, rateLimits: false });
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // nothing here may reach AWS
});
afterAll(async () => slack.close());
afterEach(async () => {
  while (bots.length) await bots.pop()!.stop();
  slack.reset();
});

async function boot(env: Record<string, string> = {}): Promise<{ url: string; port: number; lane: CountingLane; bot: RunningBot }> {
  const lane = new CountingLane();
  const config = testConfig({ SLACK_API_URL: slack.url, AWS_REGION: 'ap-northeast-1', WHYBOT_ACTION_SECRET: ACTION_SECRET, WHYBOT_RESPONDERS: 'U0ALICE', ...env });
  const bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, silent, { lanes: [lane], watch: false });
  bots.push(bot);
  return { url: `http://127.0.0.1:${bot.port}/slack/events`, port: bot.port!, lane, bot };
}

const now = () => Math.floor(Date.now() / 1000);

function showCliClick(responseId: string, value = encodeShowCli([{ id: 'ecs-redeploy', label: 'Redeploy api', params: { cluster: 'prod', service: 'api' } }], 'ap-northeast-1')!) {
  return interactionBody({
    type: 'block_actions',
    user: { id: 'U0ALICE', team_id: 'T0001' },
    team: { id: 'T0001' },
    api_app_id: 'A0WHYBOT',
    trigger_id: 'trigger-1',
    channel: { id: 'C0ONCALL' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0ONCALL' },
    message: { ts: '1700000000.000100', text: 'x', blocks: [] },
    response_url: slack.responseUrl(responseId, { channel: 'C0ONCALL', user: 'U0ALICE' }),
    actions: [{ type: 'button', action_id: 'show-cli', block_id: 'b', value, action_ts: '1' }],
  });
}

interface RawResult {
  status?: number;
  text?: string;
  error?: string;
  ms: number;
}

/** A POST through node:http, so a test controls Content-Length and how the body is streamed. */
function rawPost(port: number, opts: { headers: Record<string, string>; body?: Buffer; stream?: { total: number; chunk: number } }): Promise<RawResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<RawResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: Date.now() - started });
    };
    const req = request({ host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
      res.on('error', () => done({ status: res.statusCode! }));
    });
    req.on('error', (err) => done({ error: err.message }));
    if (opts.body) req.end(opts.body);
    else if (opts.stream) {
      const chunk = Buffer.alloc(opts.stream.chunk, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < opts.stream!.total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('close', () => {
        sent = Infinity;
      });
      pump();
    } else req.end();
  });
}

/** 150 requests of `size` bytes: odd ones declare it, even ones stream it chunked with forged signature headers. */
const FLOOD = `
const { parentPort, workerData } = require('node:worker_threads');
const { request } = require('node:http');
const { port, size, n, ts } = workerData;
const chunk = Buffer.alloc(256 * 1024, 'a');
function one(i) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r) => { if (!done) { done = true; resolve(r); } };
    const headers = i % 2
      ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(size) }
      : { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked', 'x-slack-signature': 'v0=' + '0'.repeat(64), 'x-slack-request-timestamp': String(ts) };
    const req = request({ host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => finish({ status: res.statusCode }));
      res.on('error', () => finish({ status: res.statusCode }));
    });
    req.on('error', (err) => finish({ error: err.message }));
    let sent = 0;
    let closed = false;
    req.on('close', () => { closed = true; });
    const pump = () => {
      while (!closed && sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!closed) req.end();
    };
    pump();
  });
}
Promise.all(Array.from({ length: n }, (_, i) => one(i))).then((r) => parentPort.postMessage(r));
`;

describe('the guard in front of Bolt (HTTP mode)', () => {
  it('signed payload=null and other malformed shapes: a clear 400, never a crash or a 5xx; the bot still answers', async () => {
    const { url, lane } = await boot();
    const cases: Array<[string, string]> = [
      ['payload=null', 'payload=null'],
      ['payload array', 'payload=%5B%5D'],
      ['payload string', `payload=${encodeURIComponent('"x"')}`],
      ['block_actions without user', interactionBody({ type: 'block_actions', actions: [{ type: 'button', action_id: 'show-cli', block_id: 'b' }], trigger_id: 't' })],
      ['block_actions with no actions', interactionBody({ type: 'block_actions', user: { id: 'U0ALICE' }, actions: [], trigger_id: 't' })],
      ['block_actions with user null', interactionBody({ type: 'block_actions', user: null, actions: [{ type: 'button', action_id: 'show-cli', block_id: 'b' }], trigger_id: 't' })],
      ['view_submission without view', interactionBody({ type: 'view_submission', user: { id: 'U0ALICE' } })],
      ['response_urls [null]', interactionBody({ type: 'view_submission', user: { id: 'U0ALICE' }, response_urls: [null], view: { id: 'V1', type: 'modal', callback_id: 'remediate-confirm', private_metadata: '', state: { values: {} } } })],
      ['payload with an event', interactionBody({ type: 'block_actions', event: 'x', user: { id: 'U0ALICE' }, actions: [{ type: 'button', action_id: 'show-cli', block_id: 'b' }], trigger_id: 't' })],
      ['repeated payload', 'payload=%7B%7D&payload=%7B%7D'],
      ['not JSON', 'payload=%7Bnope'],
      ['JSON null body', 'null'],
    ];
    for (const [name, body] of cases) {
      const res = await post(url, body, signedHeaders(body, { contentType: name === 'JSON null body' ? 'application/json' : undefined }));
      expect(res.status, name).toBe(400);
      expect(res.text, name).toMatch(/^whybot: /);
    }
    // a slash command with a field Bolt would route as an event, or without a user: ephemeral warning
    for (const extra of [{ event: 'x' }, { user_id: '' }] as Array<Record<string, string>>) {
      const body = slashCommandBody('/why', '', slack.responseUrl('odd'), extra);
      const res = await post(url, body, signedHeaders(body));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^:warning: whybot could not read this command/) });
    }
    // …and the process is alive and answers the next real request
    const ok = slashCommandBody('/why', '', slack.responseUrl('ok'));
    const res = await post(url, ok, signedHeaders(ok));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).text).toMatch(/why-db-down/);
    expect(lane.jobs).toEqual([]);
  });

  it('timestamps more than 5 min off in either direction → 401 before the body is read; inside the window → 200', async () => {
    const { url } = await boot();
    const body = slashCommandBody('/why', '', slack.responseUrl('ts'));
    for (const skew of [10 * 60, 5 * 60 + 5, -(5 * 60 + 5), -6 * 60]) {
      const res = await post(url, body, signedHeaders(body, { timestamp: now() + skew }));
      expect(res.status, `skew ${skew}`).toBe(401);
      expect(res.text).toMatch(skew > 0 ? /future/ : /too old/);
    }
    for (const skew of [4 * 60, -4 * 60]) {
      const b = slashCommandBody('/why', '', slack.responseUrl(`ts${skew}`));
      expect((await post(url, b, signedHeaders(b, { timestamp: now() + skew }))).status).toBe(200);
    }
    // signature headers of the wrong form: 401 too
    const h = signedHeaders(body);
    expect((await post(url, body, { ...h, 'x-slack-signature': h['x-slack-signature'].toUpperCase().replace('V0=', 'v0=') })).status).toBe(401);
    expect((await post(url, body, { ...h, 'x-slack-request-timestamp': `${h['x-slack-request-timestamp']}.0` })).status).toBe(401);
    expect((await post(url, body, signedHeaders(body, { secret: 'another-secret' }))).status).toBe(401);
  });

  it('a replay within the window is dropped (409): the click runs once', async () => {
    const { url } = await boot();
    const body = showCliClick('replay');
    const headers = signedHeaders(body);
    expect((await post(url, body, headers)).status).toBe(200);
    const again = await post(url, body, headers);
    expect(again.status).toBe(409);
    expect(again.text).toMatch(/replayed/);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a replay to another process sharing the store is dropped too (claimOnce)', async () => {
    const db = testDbPath();
    const a = await boot({ WHYBOT_DB_PATH: db });
    const b = await boot({ WHYBOT_DB_PATH: db });
    const body = slashCommandBody('/why', '', slack.responseUrl('x-proc'));
    const headers = signedHeaders(body);
    expect((await post(a.url, body, headers)).status).toBe(200);
    expect((await post(b.url, body, headers)).status).toBe(409);
  });

  it('bodies over 1 MiB → 413: on Content-Length before reading, and while streaming', async () => {
    const { port } = await boot();
    const h = signedHeaders('x');
    const declared = await rawPost(port, { headers: { ...h, 'content-length': String(4_000_000) }, stream: { total: 4_000_000, chunk: 64 * 1024 } });
    expect(declared.error ?? declared.status).toBe(413);
    const streamed = await rawPost(port, { headers: { ...h, 'transfer-encoding': 'chunked' }, stream: { total: 2 * BODY_LIMIT_BYTES, chunk: 64 * 1024 } });
    // the answer comes before the sender has finished; a sender that keeps writing may see the close
    expect(streamed.status ?? streamed.error).toSatisfy((s: unknown) => s === 413 || /EPIPE|ECONNRESET|socket hang up/.test(String(s)));
    // a slash command just under the limit still works
    const text = 'x'.repeat(100);
    const body = slashCommandBody('/why', text, slack.responseUrl('big'), { pad: 'p'.repeat(BODY_LIMIT_BYTES - 2000) });
    const res = await post(`http://127.0.0.1:${port}/slack/events`, body, signedHeaders(body));
    expect(res.status).toBe(200);
  });

  it('150 unsigned 3.9 MB bodies at once: refused without buffering; a real ack meanwhile stays fast', async () => {
    const { port, url } = await boot();
    const before = process.memoryUsage().rss;
    // The flood comes from a worker thread: its own event loop, as a sender elsewhere would be.
    const flood = new Worker(FLOOD, { eval: true, workerData: { port, size: 3_900_000, n: 150, ts: now() } });
    const results = new Promise<Array<{ status?: number; error?: string }>>((resolve, reject) => {
      flood.once('message', resolve);
      flood.once('error', reject);
    });
    await new Promise((r) => setTimeout(r, 200)); // the flood is under way
    const body = slashCommandBody('/why', '', slack.responseUrl('during'));
    const started = Date.now();
    const real = await post(url, body, signedHeaders(body));
    const ackMs = Date.now() - started;
    const peak = process.memoryUsage().rss;
    const all = await results;
    await flood.terminate();
    expect(real.status).toBe(200);
    expect(ackMs).toBeLessThan(3000); // Slack's deadline; unguarded it was 7.7 s
    expect(all).toHaveLength(150);
    for (const r of all) expect(r.status ?? r.error).toSatisfy((s: unknown) => s === 401 || s === 413 || s === 503 || /EPIPE|ECONNRESET|socket hang up/.test(String(s)));
    // 585 MB were sent; what this process holds for them is bounded by the 16 MiB in-flight budget
    expect((peak - before) / 1024 / 1024).toBeLessThan(100);
  }, 60_000);

  it('unsigned: ssl_check=1 → 200; anything else → 401', async () => {
    const { url } = await boot();
    const ct = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post(url, 'ssl_check=1&token=x', ct)).status).toBe(200);
    expect((await post(url, slashCommandBody('/why', '', slack.responseUrl('u')), ct)).status).toBe(401);
  });

  it('a well-formed interaction whybot has no listener for is answered 200 at once (not Bolt’s 404 after 3 s)', async () => {
    const { url } = await boot();
    const body = interactionBody({ type: 'block_actions', user: { id: 'U0ALICE' }, trigger_id: 't', actions: [{ type: 'button', action_id: 'something-else', block_id: 'b' }] });
    const started = Date.now();
    const res = await post(url, body, signedHeaders(body));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500);
    const closed = interactionBody({ type: 'view_closed', user: { id: 'U0ALICE' }, view: {} });
    expect((await post(url, closed, signedHeaders(closed))).status).toBe(200);
  });
});

describe('SlackRequestGate', () => {
  const gate = () => new SlackRequestGate({ signingSecret: SIGNING_SECRET, log: silent });
  const sign = (ts: number, body: string, secret = SIGNING_SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

  it('verifies the HMAC on the raw bytes, not a re-decoded string', () => {
    const g = gate();
    const raw = Buffer.from([0x61, 0xff, 0x62]); // not UTF-8
    const ts = now();
    const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:`).update(raw).digest('hex')}`;
    const h = g.checkHeaders(sig, String(ts));
    expect(h.ok).toBe(true);
    if (!h.ok) return;
    expect(g.verifySignature(h, raw)).toBe(true);
    expect(g.verifySignature(h, Buffer.from('a\uFFFDb'))).toBe(false);
    // and the shape check refuses it as not UTF-8
    expect(g.parse(raw, 'application/x-www-form-urlencoded')).toMatchObject({ ok: false, status: 400, reason: 'not utf-8' });
  });

  it('remembers a signature until its timestamp leaves the window', async () => {
    let clock = Date.now();
    const g = new SlackRequestGate({ signingSecret: SIGNING_SECRET, log: silent, now: () => clock });
    const ts = Math.floor(clock / 1000);
    const h = g.checkHeaders(sign(ts, 'a'), String(ts));
    if (!h.ok) throw new Error('headers');
    expect(await g.firstSighting(h)).toBe(true);
    clock += 4 * 60 * 1000;
    expect(await g.firstSighting(h)).toBe(false);
    clock += 2 * 60 * 1000;
    expect(g.checkHeaders(sign(ts, 'a'), String(ts))).toMatchObject({ ok: false, reason: 'timestamp too old' });
  });

  it('a failing or slow store does not refuse Slack: the in-memory check still holds', async () => {
    const broken: ReplayStore = { claimOnce: () => Promise.reject(new Error('disk full')), finishClaim: () => Promise.resolve() };
    const g = new SlackRequestGate({ signingSecret: SIGNING_SECRET, log: silent, replayStore: () => broken });
    const ts = now();
    const h = g.checkHeaders(sign(ts, 'b'), String(ts));
    if (!h.ok) throw new Error('headers');
    expect(await g.firstSighting(h)).toBe(true);
    expect(await g.firstSighting(h)).toBe(false);
  });
});

describe('the Lambda guard', () => {
  function memoryStore(): ReplayStore {
    const claims = new Set<string>();
    return {
      async claimOnce({ nonce, actor, action }): Promise<ClaimResult> {
        const claim = { nonce, actor, action, claimedAt: new Date().toISOString(), state: 'running' as const };
        if (claims.has(nonce)) return { won: false, existing: claim };
        claims.add(nonce);
        return { won: true, claim };
      },
      async finishClaim() {},
    };
  }
  const event = (body: string, headers: Record<string, string>, isBase64Encoded = false) =>
    ({ version: '2.0', routeKey: 'POST /slack/events', rawPath: '/slack/events', rawQueryString: '', headers, requestContext: {}, body, isBase64Encoded }) as Parameters<LambdaHandler>[0];

  it('checks size, timestamps both ways, replay across containers and shape before Bolt', async () => {
    let calls = 0;
    const inner: LambdaHandler = async () => {
      calls += 1;
      return { statusCode: 200, body: '' };
    };
    const store = memoryStore();
    const a = guardLambdaHandler(inner, { store: () => store });
    const b = guardLambdaHandler(inner, { store: () => store }); // another container, the same table
    const ctx = {} as never;
    const body = slashCommandBody('/why', '', 'http://127.0.0.1:9/response-url-never-called');
    expect((await a(event(body, signedHeaders(body)), ctx)).statusCode).toBe(200);
    expect((await a(event(body, signedHeaders(body, { timestamp: now() + 600 })), ctx)).statusCode).toBe(401);
    const replayHeaders = signedHeaders(body, { timestamp: now() - 1 });
    expect((await a(event(body, replayHeaders), ctx)).statusCode).toBe(200);
    expect((await b(event(body, replayHeaders), ctx)).statusCode).toBe(409);
    expect((await a(event('payload=null', signedHeaders('payload=null')), ctx)).statusCode).toBe(400);
    const huge = 'a'.repeat(BODY_LIMIT_BYTES + 1);
    expect((await a(event(huge, signedHeaders(huge)), ctx)).statusCode).toBe(413);
    expect((await a(event(Buffer.from(huge).toString('base64'), signedHeaders(huge), true), ctx)).statusCode).toBe(413);
    expect((await a(event('ssl_check=1', { 'content-type': 'application/x-www-form-urlencoded' }), ctx)).statusCode).toBe(200);
    expect((await a(event(body, { 'content-type': 'application/x-www-form-urlencoded' }), ctx)).statusCode).toBe(401);
    expect(calls).toBe(2);
  });
});

describe('canonical button values', () => {
  const signer = new ActionSigner(ACTION_SECRET);
  // a value (its nonce is random) whose spelling uses the URL-safe characters, so that the
  // other alphabet really spells it differently
  const value = (() => {
    for (;;) {
      const v = signer.sign({ a: 'ecs-redeploy', p: { service: 'api', cluster: 'prod', region: 'ap-northeast-1' }, c: 'C0ONCALL', t: '1700000000.000100', ttlSeconds: 600 })!;
      if (/[-_]/.test(v)) return v;
    }
  })();
  const [body, mac] = value.split('.') as [string, string];
  const json = Buffer.from(body, 'base64url').toString();
  /** A value whose MAC is right for its body: only the spelling differs. */
  const resigned = (bodyText: string) => {
    const b = Buffer.from(bodyText).toString('base64url');
    return `${b}.${createHmac('sha256', ACTION_SECRET).update(`whybot-action:v1:${b}`).digest('base64url')}`;
  };

  it('accepts the one spelling sign() produces, with params in key order', () => {
    const r = signer.verify(value);
    expect(r.ok).toBe(true);
    expect(json).toBe(canonicalPayloadJson((r as { ok: true; payload: Parameters<typeof canonicalPayloadJson>[0] }).payload));
    expect(JSON.parse(json).p).toEqual({ cluster: 'prod', region: 'ap-northeast-1', service: 'api' });
    expect(Object.keys(JSON.parse(json).p)).toEqual(['cluster', 'region', 'service']);
    expect(resigned(json)).toBe(value);
  });

  it.each([
    ['padding on the MAC', `${value}=`],
    ['padding on the body', `${body}==.${mac}`],
    ['the +/ alphabet', value.replace(/-/g, '+').replace(/_/g, '/')],
    ['whitespace', ` ${value}`],
    ['a trailing newline', `${value}\n`],
    ['non-zero spare bits in the MAC', `${body}.${mac.slice(0, -1)}${String.fromCharCode(mac.charCodeAt(42) + 1)}`],
    ['reordered keys', resigned(JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(json) as object).reverse())))],
    ['a duplicate key', resigned(json.replace('{"v":1,', '{"v":1,"v":1,'))],
    ['spaces in the JSON', resigned(json.replace(/,/g, ', '))],
    ['an escaped character', resigned(json.replace('"ecs-redeploy"', '"ecs\\u002dredeploy"'))],
    ['1.0 for 1', resigned(json.replace('{"v":1,', '{"v":1.0,'))],
    ['an unknown key', resigned(json.replace('{"v":1,', '{"v":1,"x":0,'))],
    ['unsorted params', resigned(json.replace('{"cluster":"prod","region":"ap-northeast-1","service":"api"}', '{"service":"api","cluster":"prod","region":"ap-northeast-1"}'))],
  ])('refuses %s', (_name, variant) => {
    expect(variant).not.toBe(value);
    const r = signer.verify(variant);
    expect(r.ok).toBe(false);
  });
});

describe('npm start: uncaught errors', () => {
  const built = path.resolve('dist/entry/start.js');
  const run = (script: string) =>
    new Promise<{ code: number | null; stderr: string; ms: number }>((resolve) => {
      const started = Date.now();
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH }, timeout: 15_000 }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr, ms: Date.now() - started }),
      );
    });

  it.skipIf(!existsSync(built))('log, stop taking work and exit non-zero within a few seconds, even when stopping hangs', async () => {
    const imp = `const { installCrashHandlers } = await import(${JSON.stringify(built)});`;
    const thrown = await run(`${imp}
      installCrashHandlers({ log: () => undefined, stop: () => { process.stderr.write('stopping\\n'); return Promise.resolve(); } });
      setInterval(() => {}, 1000);
      setTimeout(() => { throw new Error('boom'); }, 10);`);
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toMatch(/whybot: uncaughtException: Error: boom/);
    expect(thrown.stderr).toMatch(/stopping/);

    const rejected = await run(`${imp}
      installCrashHandlers({ log: () => undefined, stop: () => new Promise(() => {}) });
      setInterval(() => {}, 1000);
      Promise.reject(new Error('lost'));`);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/unhandledRejection: Error: lost/);
    expect(rejected.ms).toBeLessThan(8000);
  }, 30_000);
});
