/**
 * A local Slack Web API double: an HTTP server on 127.0.0.1 that the real
 * `@slack/web-api` WebClient (inside Bolt) talks to through
 * `clientOptions.slackApiUrl` (env SLACK_API_URL in whybot).
 *
 * It records every call, keeps the messages by channel/thread, validates Block
 * Kit limits (like Slack, it rejects bad blocks with `invalid_blocks`), records
 * posts to response_url endpoints, and can inject errors (`failNext`), including
 * HTTP 429 with Retry-After.
 *
 * Rate limits are on by default: chat.postMessage and chat.update share one token bucket
 * per channel (burst 5, 1 per second sustained, Slack's "about one message per second per
 * channel, short bursts allowed"). An empty bucket answers HTTP 429 with `Retry-After`
 * (whole seconds, ≥ 1) and `{ok:false, error:'ratelimited'}`; the WebClient pauses its
 * queue for that long and retries. `rateLimits: false` (or `setRateLimits(false)`) turns
 * them off; `rateLimited` lists the calls answered so.
 *
 * Request formats accepted (all three are what Slack accepts):
 *  - application/x-www-form-urlencoded — what WebClient always sends; object
 *    fields (`blocks`, `view`, `attachments`, …) arrive as JSON strings and are
 *    decoded here; numbers and booleans arrive as strings ("true", "1").
 *  - application/json — what other clients (and Bolt's `respond()` to a
 *    response_url) send.
 *  - multipart/form-data — what WebClient sends when an argument is a Buffer.
 * The token is read from `Authorization: Bearer …`, else from a `token` field.
 *
 * Layout, as the AWS double's services/: one module per method family in methods/ (chat,
 * views, auth, apps, users, usergroups, api, and response-url for response_url posts), each a
 * set of small handlers over the shared state (state.ts: messages, views, violations…). This
 * file keeps the HTTP side: parsing, the body size limit, tokens, injected failures, the rate
 * limit, the call log and the dispatch table `METHODS`.
 */
import { listenOnLoopback, pollUntil } from '../loopback.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { TokenBucket } from '../aws/quotas.js';
import type { SocketModeApi } from './socket-mode.js';
import { SlackState, type ResponseUrlContext, type SlackCall, type SlackMessage, type SlackResponse, type SlackView } from './state.js';
import { fail, isObj, str, type ApiResult, type MethodHandler } from './methods/types.js';
import * as api from './methods/api.js';
import * as apps from './methods/apps.js';
import * as auth from './methods/auth.js';
import * as chat from './methods/chat.js';
import * as responseUrl from './methods/response-url.js';
import * as usergroups from './methods/usergroups.js';
import * as users from './methods/users.js';
import * as views from './methods/views.js';

export type { ResponseUrlContext, SlackCall, SlackMessage, SlackResponse, SlackView } from './state.js';

export interface FailOptions {
  /** HTTP status (default 429 when retryAfterSec is set, else 200 with ok:false). */
  status?: number;
  /** Sends `Retry-After: N`. WebClient waits N s and retries; without it a 429 is not retried. */
  retryAfterSec?: number;
  /** How many consecutive calls to fail (default 1). */
  times?: number;
}

export interface SlackRateLimit {
  /** methods sharing one bucket per channel (default chat.postMessage and chat.update) */
  methods?: string[];
  /** bucket capacity: the burst a channel absorbs at once (default 5) */
  burst?: number;
  /** sustained rate: tokens added per second (default 1) */
  perSecond?: number;
}

export const DEFAULT_SLACK_RATE_LIMIT: Required<SlackRateLimit> = {
  methods: ['chat.postMessage', 'chat.update'],
  burst: 5,
  perSecond: 1,
};

/** A call the double's rate limit answered with HTTP 429 (not an injected `failNext`). */
export interface SlackRateLimitedCall {
  method: string;
  channel: string;
  /** Date.now() at arrival, as in `calls` */
  at: number;
  /** the Retry-After sent, in seconds */
  retryAfterSec: number;
}

export interface SlackDoubleOptions {
  /** Bearer token the double accepts (default `xoxb-whybot-sandbox`). */
  botToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  /** Port to listen on (default 0: any free port). Always binds 127.0.0.1. */
  port?: number;
  /** usergroups.users.list data: usergroup id → user ids. */
  usergroups?: Record<string, string[]>;
  /**
   * users.info data: user id → fields merged into the returned user. Ids not
   * listed still resolve when they look like user ids (U…/W…); others give user_not_found.
   */
  users?: Record<string, Record<string, unknown>>;
  /** Posts accepted per response_url (Slack: 5). Beyond: HTTP 404 `used_url`. */
  responseUrlMaxUses?: number;
  /**
   * Per-channel rate limit (default on: chat.postMessage + chat.update, burst 5, 1/s).
   * `false` turns it off; fields left out keep their defaults.
   */
  rateLimits?: SlackRateLimit | false;
  /** Socket Mode side (socket-mode.ts): answers apps.connections.open, called with the app-level token. */
  socketMode?: SocketModeApi;
}

export interface SlackDouble {
  /** Base for `slackApiUrl`, ending in "/api/". */
  url: string;
  /** Team, bot user and token the double answers for. */
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly botToken: string;
  calls: SlackCall[];
  /** Current state of every posted message, in posting order. */
  messages: SlackMessage[];
  /** Views opened/pushed/published, current state. */
  views: SlackView[];
  /** Posts to response_url endpoints. */
  responses: SlackResponse[];
  /** A URL on this server to use as a slash command's / action's response_url. */
  responseUrl(id?: string, ctx?: ResponseUrlContext): string;
  /** Block Kit limit violations seen (also answered as ok:false invalid_blocks / invalid_arguments). */
  violations: string[];
  /** Root + replies in ts order. */
  thread(channel: string, ts: string): SlackMessage[];
  /** Non-ephemeral messages of a channel (roots and replies) in ts order. */
  channelMessages(channel: string): SlackMessage[];
  /** Calls of one method. */
  callsTo(method: string): SlackCall[];
  /** Add a message as if a user had posted it (e.g. a thread root the bot replies to). */
  injectMessage(m: { channel: string; text: string; user?: string; threadTs?: string; ts?: string }): SlackMessage;
  failNext(method: string, error: string, opts?: FailOptions): void;
  /** Calls the rate limit answered with 429 `ratelimited`, in arrival order (also in `calls`). */
  rateLimited: SlackRateLimitedCall[];
  /** Replaces the rate limit (`false`: off); every channel's bucket starts full. */
  setRateLimits(limits: SlackRateLimit | false): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

interface PendingFailure {
  error: string;
  status: number;
  retryAfterSec?: number;
  remaining: number;
}

/** The dispatch table: Web API method → handler. Anything else answers `unknown_method`. */
const METHODS: Readonly<Record<string, MethodHandler>> = {
  'api.test': api.test,
  'auth.test': auth.test,
  'apps.connections.open': apps.connectionsOpen,
  'chat.postMessage': chat.postMessage,
  'chat.update': chat.update,
  'chat.postEphemeral': chat.postEphemeral,
  'chat.delete': chat.deleteMessage,
  'views.open': views.open,
  'views.push': views.push,
  'views.update': views.update,
  'views.publish': views.publish,
  'usergroups.users.list': usergroups.usersList,
  'users.info': users.info,
};

/** Fields that carry JSON when sent form-encoded. */
const JSON_FIELDS = new Set([
  'blocks',
  'attachments',
  'view',
  'metadata',
  'unfurls',
  'user_auth_blocks',
  'options',
  'option_groups',
]);

const MAX_BODY_BYTES = 5 * 1024 * 1024;
function decodeJsonFields(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (JSON_FIELDS.has(k) && typeof v === 'string') {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v; // left as a string: the handler reports the bad format
      }
    } else {
      out[k] = v;
    }
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

async function parseArgs(req: IncomingMessage, raw: Buffer, query: URLSearchParams): Promise<Record<string, unknown>> {
  const args: Record<string, unknown> = Object.fromEntries(query);
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length === 0) return args;
  if (contentType.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (!isObj(parsed)) throw new Error('JSON body must be an object');
    return { ...args, ...parsed };
  }
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    for (const [k, v] of form.entries()) {
      args[k] = typeof v === 'string' ? v : { filename: v.name, size: v.size };
    }
    return args;
  }
  // application/x-www-form-urlencoded (also the fallback, as Slack does).
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) args[k] = v;
  return args;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
export async function startSlackDouble(opts: SlackDoubleOptions = {}): Promise<SlackDouble> {
  const botToken = opts.botToken ?? 'xoxb-whybot-sandbox';
  const s = new SlackState({
    teamId: opts.teamId ?? 'T0SANDBOX',
    botUserId: opts.botUserId ?? 'U0WHYBOT',
    botId: opts.botId ?? 'B0WHYBOT',
    appId: 'A0WHYBOT',
    usergroups: opts.usergroups ?? {},
    users: opts.users ?? {},
    responseUrlMaxUses: opts.responseUrlMaxUses ?? 5,
  });
  const limitOf = (l: SlackRateLimit | false | undefined): Required<SlackRateLimit> | false =>
    l === false ? false : { ...DEFAULT_SLACK_RATE_LIMIT, ...l };
  let rateLimit = limitOf(opts.rateLimits);
  /** channel → bucket shared by the limited methods */
  const buckets = new Map<string, TokenBucket>();
  const rateLimited: SlackRateLimitedCall[] = [];

  const calls: SlackCall[] = [];
  const responses: SlackResponse[] = [];
  const failures = new Map<string, PendingFailure[]>();

  const takeFailure = (method: string): PendingFailure | undefined => {
    const queue = failures.get(method);
    const f = queue?.[0];
    if (!queue || !f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) queue.shift();
    if (queue.length === 0) failures.delete(method);
    return f;
  };

  /** Takes a token for a limited method's channel; a 429 result when the bucket is empty. */
  const checkRateLimit = (method: string, args: Record<string, unknown>, at: number): ApiResult | undefined => {
    if (rateLimit === false || !rateLimit.methods.includes(method)) return undefined;
    const channel = str(args['channel']);
    if (channel === undefined) return undefined;
    let bucket = buckets.get(channel);
    if (!bucket) {
      bucket = new TokenBucket(rateLimit.perSecond, rateLimit.burst, () => performance.now());
      buckets.set(channel, bucket);
    }
    if (bucket.tryTake()) return undefined;
    const retryAfterSec = Math.max(1, Math.ceil(bucket.waitMs() / 1000));
    rateLimited.push({ method, channel, at, retryAfterSec });
    return { status: 429, headers: { 'retry-after': String(retryAfterSec) }, body: { ok: false, error: 'ratelimited' } };
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string, query: URLSearchParams) => {
    const at = Date.now();
    let args: Record<string, unknown>;
    try {
      args = decodeJsonFields(await parseArgs(req, await readBody(req), query));
    } catch (e) {
      calls.push({ method, args: {}, at, ok: false, error: 'invalid_form_data', status: 200 });
      sendJson(res, 200, { ok: false, error: 'invalid_form_data', detail: (e as Error).message });
      return;
    }
    const authorization = req.headers['authorization'];
    const bearer =
      typeof authorization === 'string' && /^Bearer\s+/i.test(authorization) ? authorization.replace(/^Bearer\s+/i, '') : undefined;
    const token = bearer ?? str(args['token']);
    delete args['token'];

    let result: ApiResult;
    // apps.connections.open belongs to the Socket Mode double when there is one (it checks the app-level token).
    const socketMode = method === 'apps.connections.open' ? opts.socketMode : undefined;
    const handler: MethodHandler | undefined = socketMode ? () => socketMode.connectionsOpen(token) : METHODS[method];
    if (token !== botToken && !socketMode) {
      result = fail('invalid_auth');
    } else if (handler === undefined) {
      result = fail('unknown_method', { req_method: method });
    } else {
      const failure = takeFailure(method);
      if (failure) {
        result = {
          status: failure.status,
          headers: failure.retryAfterSec !== undefined ? { 'retry-after': String(failure.retryAfterSec) } : {},
          body: { ok: false, error: failure.error },
        };
      } else {
        try {
          result = checkRateLimit(method, args, at) ?? handler(s, args);
        } catch (e) {
          result = { status: 500, body: { ok: false, error: 'internal_error', detail: (e as Error).message } };
        }
      }
    }
    const status = result.status ?? 200;
    const body = result.body;
    const call: SlackCall = { method, args, at, ok: body['ok'] === true, status };
    if (token !== undefined) call.token = token;
    if (typeof body['error'] === 'string') call.error = body['error'];
    calls.push(call);
    sendJson(res, status, body, result.headers);
  };

  const handleResponseUrl = async (req: IncomingMessage, res: ServerResponse, path: string, id: string) => {
    const at = Date.now();
    let body: unknown;
    try {
      const raw = (await readBody(req)).toString('utf8');
      const contentType = (req.headers['content-type'] ?? '').toLowerCase();
      body = contentType.startsWith('application/json')
        ? JSON.parse(raw)
        : decodeJsonFields(Object.fromEntries(new URLSearchParams(raw)));
    } catch {
      responses.push({ path, id, body: undefined, at, status: 400 });
      sendJson(res, 400, { ok: false, error: 'invalid_payload' });
      return;
    }
    let result: ApiResult;
    const failure = takeFailure('response_url');
    if (failure) {
      result = {
        status: failure.status === 200 ? 404 : failure.status,
        headers: failure.retryAfterSec !== undefined ? { 'retry-after': String(failure.retryAfterSec) } : {},
        body: { ok: false, error: failure.error },
      };
    } else {
      result = responseUrl.post(s, id, path, body);
    }
    const status = result.status ?? 200;
    responses.push({ path, id, body, at, status });
    sendJson(res, status, result.body, result.headers);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const apiPath = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const responsePath = /^\/response\/([A-Za-z0-9_.-]+)$/.exec(url.pathname);
    let work: Promise<void>;
    if (apiPath?.[1] !== undefined && (req.method === 'POST' || req.method === 'GET')) {
      work = handleApi(req, res, apiPath[1], url.searchParams);
    } else if (responsePath?.[1] !== undefined && req.method === 'POST') {
      work = handleResponseUrl(req, res, url.pathname, responsePath[1]);
    } else {
      sendJson(res, 404, { ok: false, error: 'not_found', path: url.pathname });
      return;
    }
    work.catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(e) });
      else res.destroy();
    });
  });

  const port = await listenOnLoopback(server, opts.port);
  const origin = `http://127.0.0.1:${port}`;

  const double: SlackDouble = {
    url: `${origin}/api/`,
    teamId: s.workspace.teamId,
    botUserId: s.workspace.botUserId,
    botId: s.workspace.botId,
    botToken,
    calls,
    messages: s.messages,
    views: s.views,
    responses,
    violations: s.violations,
    rateLimited,

    setRateLimits(limits) {
      rateLimit = limitOf(limits);
      buckets.clear();
    },

    responseUrl(id, ctx) {
      const rid = id ?? randomBytes(6).toString('hex');
      if (!/^[A-Za-z0-9_.-]+$/.test(rid)) throw new Error(`responseUrl id must match [A-Za-z0-9_.-]+: ${rid}`);
      if (ctx !== undefined) s.responseCtx.set(rid, ctx);
      return `${origin}/response/${rid}`;
    },

    thread(channel, ts) {
      return s.messages
        .filter((m) => m.channel === channel && (m.ts === ts || m.threadTs === ts))
        .sort((a, b) => a.ts.localeCompare(b.ts));
    },

    channelMessages(channel) {
      return s.messages.filter((m) => m.channel === channel && !m.ephemeral).sort((a, b) => a.ts.localeCompare(b.ts));
    },

    callsTo(method) {
      return calls.filter((c) => c.method === method);
    },

    injectMessage(m) {
      const ts = m.ts ?? s.nextTs();
      return s.addMessage({
        channel: m.channel,
        ts,
        threadTs: s.threadRoot(m.channel, m.threadTs),
        text: m.text,
        ...(m.user !== undefined ? { user: m.user } : {}),
        ephemeral: false,
        source: 'injected',
      });
    },

    failNext(method, error, o = {}) {
      const status = o.status ?? (o.retryAfterSec !== undefined ? 429 : 200);
      const f: PendingFailure = { error, status, remaining: Math.max(1, o.times ?? 1) };
      if (o.retryAfterSec !== undefined) f.retryAfterSec = o.retryAfterSec;
      const queue = failures.get(method) ?? [];
      queue.push(f);
      failures.set(method, queue);
    },

    waitFor(predicate, timeoutMs = 2000) {
      return pollUntil(predicate, timeoutMs, 'slack double: condition');
    },

    reset() {
      s.clear();
      calls.length = 0;
      responses.length = 0;
      failures.clear();
      rateLimited.length = 0;
      buckets.clear();
    },

    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return double;
}
