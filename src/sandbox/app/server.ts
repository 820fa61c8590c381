/**
 * The sandbox behind `npm start` with no Slack configuration: whybot in a browser, with no
 * Slack and no AWS. The real bot runs unchanged in HTTP mode on its own loopback port; only
 * SLACK_API_URL and AWS_ENDPOINT_URL point at the in-process doubles (src/sandbox/slack,
 * src/sandbox/aws), so what the page shows is exactly what whybot sends to Slack, and every
 * click goes through Bolt, the signature check, the store and the remediation path.
 *
 * This server listens on 127.0.0.1 only (PORT to change), checks the Host header (no DNS
 * rebinding) and, on POST, the Origin and a JSON content type (no cross-site forms). It serves
 * the page's files from ./public/ and this JSON API:
 *
 *   GET  /api/state → {
 *          version,                      // a number that grows whenever anything below changes
 *          scenario: { name, title, description, command },
 *          scenarios: [{ name, title, description, command }],   // every scenarios/*.json
 *          user: { id, name, role },     // who the page acts as
 *          users: [{ id, name, role }],
 *          botUserId,                    // whybot's user id in the Slack double
 *          channels: [{ id, name }],     // C0ONCALL (#oncall), C0ALERTS (#alerts)
 *          messages: [{ channel, ts, threadTs?, text?, blocks?, updates, user?, ephemeral }],
 *                                        // every message of the Slack double, in ts order, with
 *                                        // response_url posts as ephemerals for their user and
 *                                        // the acks of commands as ephemerals too
 *          views: [{ id, view, open, user? }],          // modals opened (views.open/push)
 *          awsCalls: [{ service, operation, status, error?, at, ms? }],  // newest last, ≤ 300
 *          audit: [AuditRecord],         // store.queryAudit since the scenario was (re)started
 *          busy: boolean,                // jobs running or queued
 *        }
 *   POST /api/command     { channel, text: "/why-db-down prod-db" } → { ok, status, ack }
 *   POST /api/action      { channel, messageTs, actionId, value, threadTs? } → { ok, status, ack }
 *   POST /api/view-submit { viewId, values?: { "<block_id>.<action_id>" | "<action_id>": value } }
 *                         → { ok, status, ack, open }   (open: the modal stays, e.g. errors)
 *   POST /api/view-close  { viewId } → { ok }
 *   POST /api/scenario    { name } → { ok }   // restores that scenario (as /api/reset)
 *   POST /api/reset       {} → { ok }         // bot stopped, AWS double restarted on the same
 *                                             // port, Slack double and store emptied, bot started
 *   POST /api/user        { role: 'responder' | 'observer' | 'approver' } → { ok, user }
 *   POST /api/event       { kind: 'rotation-succeeded' | 'rotation-failed', secretId? }
 *                         → { ok, outcome, secret }  // the account changes as the rotation
 *                           would; the EventBridge event goes through parseRotationEvent +
 *                           handleRotationEvent, as in the alerts Lambda
 * Errors: { ok: false, error } with 400 (bad body), 404, 403 (host/origin), 409 (no such view…).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WebClient } from '@slack/web-api';
import * as z from 'zod';
import { parseRotationEvent } from '../../alerts/events.js';
import { handleRotationEvent } from '../../alerts/handle.js';
import { readerAws } from '../../aws/for-config.js';
import { loadConfig, type Config } from '../../config.js';
import { startBot, type RunningBot } from '../../entry/bot.js';
import { createLogger, type Logger } from '../../logger.js';
import { ActionSigner } from '../../remediations/signed-value.js';
import { slackClient } from '../../slack/client.js';
import { slackResultPoster } from '../../slack/alert-result.js';
import { slackWriteReporter } from '../../slack/write-report.js';
import { startAwsDouble, type AwsCall, type AwsDouble } from '../aws/server.js';
import { listenOnLoopback } from '../loopback.js';
import { loadScenario } from '../scenario.js';
import { startSlackDouble, type SlackDouble } from '../slack/server.js';
import { applyRotation, pickSecret } from './events.js';
import { DEFAULT_SCENARIO, listScenarioSummaries, scenarioSummary, type ScenarioSummary } from './scenarios.js';
import { blockActionsBody, freshTriggerId, signedHeaders, slashCommandBody, viewBody, type Actor } from './slack-requests.js';
import { publicDir, readStatic } from './static.js';

export type Role = 'responder' | 'observer' | 'approver';

export const SANDBOX_USERS: Record<Role, Actor & { role: Role }> = {
  responder: { id: 'U0SANDBOX', name: 'you', role: 'responder' },
  observer: { id: 'U0OBSERVER', name: 'observer', role: 'observer' },
  approver: { id: 'U0APPROVER', name: 'approver', role: 'approver' },
};
export const CHANNELS = [
  { id: 'C0ONCALL', name: 'oncall' },
  { id: 'C0ALERTS', name: 'alerts' },
] as const;
export const ALERT_CHANNEL = 'C0ALERTS';
const MAX_AWS_CALLS = 300;
const MAX_BODY = 64 * 1024;

export interface SandboxOptions {
  /** default Number(PORT) || 3000; 0 for any free port */
  port?: number;
  host?: '127.0.0.1';
  scenario?: string;
  /** how long a simulated ECS rollout takes (default 1500 ms) */
  deployDelayMs?: number;
  /** the bot's log level (default WHYBOT_LOG_LEVEL or warn) */
  logLevel?: string;
  /** the page's files (default ./public beside this module, see static.ts) */
  publicDir?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  slack: SlackDouble;
  aws(): AwsDouble;
  bot(): RunningBot;
  close(): Promise<void>;
}

interface ExtraMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  updates: number;
  user: string;
  ephemeral: true;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CommandBody = z.object({ channel: z.string().regex(/^C[A-Z0-9]+$/), text: z.string().trim().min(2).max(4000).regex(/^\/[a-z0-9_-]{1,40}(\s|$)/i, 'a slash command, e.g. /why-db-down prod-db') });
const ActionBody = z.object({ channel: z.string(), messageTs: z.string().regex(/^\d+\.\d+$/), actionId: z.string().min(1).max(255), value: z.string().max(2000).default(''), threadTs: z.string().regex(/^\d+\.\d+$/).optional() });
const ViewSubmitBody = z.object({ viewId: z.string().min(1).max(64), values: z.record(z.string().max(512), z.string().max(3000)).default({}) });
const ViewCloseBody = z.object({ viewId: z.string().min(1).max(64) });
const ScenarioBody = z.object({ name: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) });
const UserBody = z.object({ role: z.enum(['responder', 'observer', 'approver']) });
const EventBody = z.object({ kind: z.enum(['rotation-succeeded', 'rotation-failed']), secretId: z.string().max(2048).optional() });
const Empty = z.object({}).loose();

/** Times each call of the double from arrival to answer (the double records when, not how long). */
function timeCalls(aws: AwsDouble, ms: WeakMap<AwsCall, number>): void {
  const calls = aws.calls;
  const push = calls.push.bind(calls);
  calls.push = (...items: AwsCall[]) => {
    for (const call of items) {
      const t0 = performance.now();
      let status = call.status;
      Object.defineProperty(call, 'status', {
        enumerable: true,
        configurable: true,
        get: () => status,
        set: (v: number) => {
          status = v;
          if (v !== 0 && !ms.has(call)) ms.set(call, Math.round(performance.now() - t0));
        },
      });
    }
    return push(...items);
  };
}

const tsMicros = (ts: string): bigint => {
  const [s, f = ''] = ts.split('.');
  return BigInt(s ?? '0') * 1_000_000n + BigInt(f.padEnd(6, '0').slice(0, 6));
};
const microsTs = (m: bigint): string => {
  const s = m.toString();
  return `${s.slice(0, -6)}.${s.slice(-6)}`;
};

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

/** The ack body as Slack would take it: JSON when it is, the text otherwise, null when empty. */
function ackOf(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const port = opts.port ?? (Number(process.env.PORT) || 3000);
  const botToken = `xoxb-sandbox-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(32).toString('hex');
  const actionSecret = randomBytes(32).toString('hex');
  const users = Object.values(SANDBOX_USERS);
  const slack = await startSlackDouble({
    botToken,
    teamId: 'T0SANDBOX',
    users: Object.fromEntries(users.map((u) => [u.id, { name: u.name, real_name: u.name }])),
  });
  const scenarios = await listScenarioSummaries();
  const savedEnv = new Map<string, string | undefined>();
  const setEnv = (key: string, value: string | undefined) => {
    if (!savedEnv.has(key)) savedEnv.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };

  let aws: AwsDouble | undefined;
  let awsPort = 0;
  let bot: RunningBot | undefined;
  let config: Config | undefined;
  let client: WebClient | undefined;
  let log: Logger = createLogger('silent');
  let dir: string | undefined;
  let scenario: ScenarioSummary = scenarios.find((s) => s.name === (opts.scenario ?? DEFAULT_SCENARIO)) ?? (await scenarioSummary(opts.scenario ?? DEFAULT_SCENARIO));
  let role: Role = 'responder';
  let startedAt = new Date();
  let extras: ExtraMessage[] = [];
  let lastTs = 0n;
  const callMs = new WeakMap<AwsCall, number>();
  /** trigger_id → the user it was minted for: whose modal a view is */
  const triggers = new Map<string, string>();
  const closedViews = new Set<string>();
  let counter = 0;
  let version = 0;
  let fingerprint = '';

  /** One change at a time: a reset never interleaves with a click. */
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  async function restore(name: string): Promise<void> {
    const loaded = await loadScenario(name).catch((err: unknown) => {
      throw new HttpError(404, `no scenario ${name} (${err instanceof Error ? err.message.slice(0, 200) : String(err)})`);
    });
    if (bot) await bot.stop();
    bot = undefined;
    if (aws) await aws.close();
    aws = undefined;
    aws = await startAwsDouble({ scenario: loaded, port: awsPort, deployDelayMs: opts.deployDelayMs ?? 1500 });
    awsPort = Number(new URL(aws.url).port);
    timeCalls(aws, callMs);
    slack.reset();
    extras = [];
    triggers.clear();
    closedViews.clear();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(path.join(tmpdir(), 'whybot-sandbox-'));

    // The bot's worker threads copy the environment when they start: set it first.
    for (const key of Object.keys(process.env)) if (/^AWS_ENDPOINT_URL_/.test(key) || /^WHYBOT_RESPONDERS_/.test(key)) setEnv(key, undefined);
    for (const key of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'WHYBOT_TABLE', 'WHYBOT_AUTO_REDEPLOY'])
      setEnv(key, undefined);
    setEnv('AWS_ENDPOINT_URL', aws.url);
    setEnv('AWS_ACCESS_KEY_ID', 'AKIASANDBOXEXAMPLE00');
    setEnv('AWS_SECRET_ACCESS_KEY', 'sandbox-secret-access-key-not-a-real-one');
    setEnv('AWS_REGION', loaded.region);
    setEnv('AWS_DEFAULT_REGION', loaded.region);
    setEnv('SLACK_API_URL', slack.url);
    setEnv('WHYBOT_DB_PATH', path.join(dir, 'whybot.sqlite'));
    setEnv('WHYBOT_ACTION_SECRET', actionSecret);
    setEnv('WHYBOT_RESPONDERS', `${SANDBOX_USERS.responder.id} ${SANDBOX_USERS.approver.id}`);
    setEnv('WHYBOT_ALERT_CHANNEL', ALERT_CHANNEL);
    setEnv('WHYBOT_DIGEST_HOUR_UTC', 'off');
    setEnv('WHYBOT_LOG_LEVEL', opts.logLevel ?? process.env.WHYBOT_LOG_LEVEL ?? 'warn');
    if (!process.env.WHYBOT_VERIFY_INTERVAL_MS) setEnv('WHYBOT_VERIFY_INTERVAL_MS', '1000');
    if (!process.env.WHYBOT_VERIFY_TIMEOUT_MS) setEnv('WHYBOT_VERIFY_TIMEOUT_MS', '60000');
    const loadedConfig = loadConfig(process.env);
    if (!loadedConfig.ok) throw new Error(`sandbox environment: ${loadedConfig.problems.join('; ')}`);
    config = loadedConfig.config;
    log = createLogger(config.logLevel, { component: 'sandbox' });
    // No CloudTrail watcher: the page's events arrive as EventBridge would deliver them.
    // Loopback only, like everything here: the receiver (GuardedReceiver.start) takes Node's
    // ListenOptions where BotMode says a port number; bot.ts reads the bound port back.
    const loopback = { port: 0, host: '127.0.0.1' } as unknown as number;
    bot = await startBot(config, { kind: 'http', botToken, signingSecret, port: loopback }, log, { watch: false });
    client = slackClient(config, botToken);
    scenario = scenarios.find((s) => s.name === name) ?? (await scenarioSummary(name));
    startedAt = new Date(Date.now() - 1000);
  }

  const current = () => {
    if (!bot || !aws || !config || !client) throw new HttpError(503, 'the sandbox is restarting');
    return { bot, aws, config, client };
  };
  const me = () => SANDBOX_USERS[role];
  const botUrl = () => `http://127.0.0.1:${current().bot.port}/slack/events`;

  async function toBot(body: string): Promise<{ status: number; text: string }> {
    const res = await fetch(botUrl(), { method: 'POST', headers: signedHeaders(body, signingSecret), body });
    return { status: res.status, text: await res.text() };
  }

  /** A ts after every message so far, for what the page shows that Slack shows but never stores. */
  function nextExtraTs(): string {
    let max = lastTs;
    for (const m of slack.messages) {
      const t = tsMicros(m.ts);
      if (t > max) max = t;
    }
    lastTs = max + 1n;
    return microsTs(lastTs);
  }

  function keepAck(channel: string, user: string, ack: unknown): void {
    const body = typeof ack === 'string' ? { text: ack } : ack && typeof ack === 'object' ? (ack as Record<string, unknown>) : undefined;
    if (!body) return;
    const text = typeof body['text'] === 'string' ? body['text'] : undefined;
    const blocks = Array.isArray(body['blocks']) ? (body['blocks'] as unknown[]) : undefined;
    if (text === undefined && blocks === undefined) return;
    extras.push({ channel, ts: nextExtraTs(), ...(text !== undefined ? { text } : {}), ...(blocks !== undefined ? { blocks } : {}), updates: 0, user, ephemeral: true });
  }

  const channelOf = (id: string) => {
    const c = CHANNELS.find((x) => x.id === id);
    if (!c) throw new HttpError(400, `no channel ${id} in the sandbox (${CHANNELS.map((x) => x.id).join(', ')})`);
    return { id: c.id, name: c.name };
  };

  async function command(raw: unknown) {
    const { channel, text } = parse(CommandBody, raw);
    const ch = channelOf(channel);
    const [cmd = '', ...rest] = text.split(/\s+/);
    const user = me();
    counter += 1;
    const responseUrl = slack.responseUrl(`cmd-${counter}`, { channel: ch.id, user: user.id });
    const triggerId = freshTriggerId();
    triggers.set(triggerId, user.id);
    const res = await toBot(slashCommandBody({ command: cmd.toLowerCase(), text: rest.join(' '), channel: ch, user, responseUrl, triggerId }));
    const ack = ackOf(res.text);
    if (res.status === 200) keepAck(ch.id, user.id, ack);
    return { ok: res.status === 200, status: res.status, ack };
  }

  async function action(raw: unknown) {
    const a = parse(ActionBody, raw);
    const ch = channelOf(a.channel);
    const user = me();
    const message =
      slack.messages.find((m) => m.channel === ch.id && m.ts === a.messageTs && (!m.ephemeral || m.user === user.id)) ??
      extras.find((m) => m.channel === ch.id && m.ts === a.messageTs && m.user === user.id);
    if (!message) throw new HttpError(409, `no message ${a.messageTs} in ${ch.id} that ${user.name} can see`);
    counter += 1;
    const responseUrl = slack.responseUrl(`act-${counter}`, { channel: ch.id, user: user.id, messageTs: message.ts });
    const triggerId = freshTriggerId();
    triggers.set(triggerId, user.id);
    const threadTs = 'threadTs' in message ? message.threadTs : undefined;
    const res = await toBot(
      blockActionsBody({
        user,
        channel: ch,
        message: { ts: message.ts, ...(threadTs ?? a.threadTs ? { threadTs: threadTs ?? a.threadTs } : {}), ...(message.text !== undefined ? { text: message.text } : {}), ...(message.blocks ? { blocks: message.blocks } : {}), ephemeral: message.ephemeral },
        actionId: a.actionId,
        value: a.value,
        responseUrl,
        triggerId,
      }),
    );
    return { ok: res.status === 200, status: res.status, ack: ackOf(res.text) };
  }

  const openView = (viewId: string) => {
    const v = slack.views.find((x) => x.id === viewId && x.type === 'modal');
    if (!v || closedViews.has(v.id)) throw new HttpError(409, `no open modal ${viewId}`);
    return v;
  };
  const viewUser = (triggerId: string | undefined): Actor => {
    const id = triggerId ? triggers.get(triggerId) : undefined;
    return users.find((u) => u.id === id) ?? me();
  };

  async function viewSubmit(raw: unknown) {
    const { viewId, values } = parse(ViewSubmitBody, raw);
    const v = openView(viewId);
    const res = await toBot(viewBody('view_submission', { user: viewUser(v.triggerId), viewId: v.id, view: v.view, hash: v.hash, values, triggerId: freshTriggerId() }));
    const ack = ackOf(res.text);
    const response = ack && typeof ack === 'object' ? (ack as Record<string, unknown>) : {};
    let open = false;
    if (res.status !== 200 || response['response_action'] === 'errors') open = true;
    else if (response['response_action'] === 'update' && response['view'] && typeof response['view'] === 'object') {
      v.view = response['view'] as Record<string, unknown>;
      v.updates += 1;
      open = true;
    } else if (response['response_action'] === 'clear') for (const x of slack.views) closedViews.add(x.id);
    if (!open) closedViews.add(v.id);
    return { ok: res.status === 200, status: res.status, ack, open };
  }

  async function viewClose(raw: unknown) {
    const { viewId } = parse(ViewCloseBody, raw);
    const v = openView(viewId);
    closedViews.add(v.id);
    if (v.view['notify_on_close'] === true) {
      const res = await toBot(viewBody('view_closed', { user: viewUser(v.triggerId), viewId: v.id, view: v.view, hash: v.hash, triggerId: freshTriggerId() }));
      return { ok: res.status === 200, status: res.status };
    }
    return { ok: true };
  }

  async function event(raw: unknown) {
    const e = parse(EventBody, raw);
    const { bot: b, aws: a, config: c, client: cl } = current();
    const secret = pickSecret(a.world, e.secretId);
    if (!secret) throw new HttpError(409, e.secretId ? `no secret ${e.secretId} in this scenario` : 'this scenario has no secret to rotate');
    const parsed = parseRotationEvent(applyRotation(a, secret, e.kind));
    if (!parsed.ok) throw new Error(`the sandbox built an event whybot cannot read: ${parsed.reason}`);
    const awsFor = readerAws(c);
    const outcome = await handleRotationEvent(parsed.event, {
      client: cl,
      store: b.store,
      config: c,
      awsFor,
      signer: new ActionSigner(actionSecret),
      log: log.child({ component: 'alerts' }),
      owner: 'sandbox-eventbridge',
      reportWrite: slackWriteReporter({ client: cl, store: b.store, config: c }),
      postResult: slackResultPoster({ client: cl, config: c, signer: new ActionSigner(actionSecret) }),
    });
    return { ok: true, outcome, secret: secret.name };
  }

  async function state() {
    const { bot: b, aws: a } = current();
    const user = me();
    const messages = [
      ...slack.messages.map((m) => ({
        channel: m.channel,
        ts: m.ts,
        ...(m.threadTs !== undefined ? { threadTs: m.threadTs } : {}),
        ...(m.text !== undefined ? { text: m.text } : {}),
        ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
        updates: m.updates,
        ...(m.user !== undefined ? { user: m.user } : {}),
        ephemeral: m.ephemeral,
      })),
      ...extras,
    ].sort((x, y) => (tsMicros(x.ts) < tsMicros(y.ts) ? -1 : tsMicros(x.ts) > tsMicros(y.ts) ? 1 : 0));
    const views = slack.views
      .filter((v) => v.type === 'modal')
      .map((v) => {
        const owner = v.triggerId ? triggers.get(v.triggerId) : undefined;
        return { id: v.id, view: v.view, open: !closedViews.has(v.id), ...(owner ? { user: owner } : {}) };
      });
    const awsCalls = a.calls.slice(-MAX_AWS_CALLS).map((call) => {
      const ms = callMs.get(call);
      return { service: call.service, operation: call.operation, status: call.status, ...(call.error ? { error: call.error } : {}), at: call.at, ...(ms !== undefined ? { ms } : {}) };
    });
    const audit = await b.store.queryAudit({ since: startedAt, limit: 200 });
    const body = {
      scenario,
      scenarios,
      user: { id: user.id, name: user.name, role: user.role },
      users,
      botUserId: slack.botUserId,
      channels: CHANNELS,
      messages,
      views,
      awsCalls,
      audit,
      busy: b.jobs.stats.running + b.jobs.stats.queued > 0,
    };
    const json = JSON.stringify(body);
    const print = createHash('sha1').update(json).digest('hex');
    if (print !== fingerprint) {
      fingerprint = print;
      version += 1;
    }
    return { version, ...body };
  }

  const routes: Record<string, (body: unknown) => Promise<unknown>> = {
    'POST /api/command': command,
    'POST /api/action': action,
    'POST /api/view-submit': viewSubmit,
    'POST /api/view-close': viewClose,
    'POST /api/event': event,
    'POST /api/scenario': async (raw) => {
      const { name } = parse(ScenarioBody, raw);
      if (!scenarios.some((s) => s.name === name)) throw new HttpError(404, `no scenario ${name}`);
      await restore(name);
      return { ok: true, scenario };
    },
    'POST /api/reset': async (raw) => {
      parse(Empty, raw);
      await restore(scenario.name);
      return { ok: true, scenario };
    },
    'POST /api/user': async (raw) => {
      role = parse(UserBody, raw).role;
      return { ok: true, user: me() };
    },
    'GET /api/state': async () => state(),
  };

  const root = opts.publicDir ?? publicDir();
  let allowedHosts = new Set<string>();

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, head = false) => {
    res.writeHead(status, {
      // the page's own files only: no inline script, nothing from elsewhere (defence in depth
      // under the page's escaping of what whybot and the scenario say)
      'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    res.end(head ? undefined : body);
  };
  const sendJson = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    // Another site cannot reach this through a name of its own (DNS rebinding), nor post to it.
    if (!allowedHosts.has(req.headers.host ?? '')) return sendJson(res, 403, { ok: false, error: 'unexpected Host header' });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      const route = routes[`${method} ${url.pathname}`];
      if (!route) return sendJson(res, 404, { ok: false, error: `no ${method} ${url.pathname}` });
      if (method === 'POST') {
        const origin = req.headers.origin;
        if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, ''))) return sendJson(res, 403, { ok: false, error: 'cross-origin request' });
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { ok: false, error: 'send application/json' });
      }
      const raw = method === 'POST' ? await readJson(req) : undefined;
      const result = await exclusive(() => route(raw));
      return sendJson(res, 200, result);
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    const file = await readStatic(root, url.pathname);
    return send(res, file.status, file.type, file.body, method === 'HEAD');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error({ err: err instanceof Error ? err.message : String(err) }, 'sandbox request failed');
      if (res.headersSent) res.destroy();
      else sendJson(res, status, { ok: false, error: err instanceof Error ? err.message : String(err) });
    });
  });

  try {
    await restore(scenario.name);
    const bound = await listenOnLoopback(server, port);
    allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
    return {
      url: `http://127.0.0.1:${bound}`,
      port: bound,
      slack,
      aws: () => current().aws,
      bot: () => current().bot,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await chain;
        await bot?.stop();
        await aws?.close();
        await slack.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
        for (const [key, value] of savedEnv) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      },
    };
  } catch (err) {
    await bot?.stop().catch(() => undefined);
    await aws?.close().catch(() => undefined);
    await slack.close().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
