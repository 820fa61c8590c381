// Bounded input before work. Every request to POST /slack/events passes a gate before Bolt's
// HTTPReceiver sees it:
//   1. size: a Content-Length over BODY_LIMIT_BYTES → 413 before a byte is read; the body is
//      read with a running cap (413), and all bodies being read share one byte budget (503);
//   2. headers: a signature of the form v0=<64 hex> and a timestamp within 5 minutes of now in
//      EITHER direction, checked before the body is read (401); a request without signature
//      headers is read only 4 KiB deep, for Slack's unsigned ssl_check;
//   3. signature: HMAC-SHA256 over the raw bytes, compared in constant time (401);
//   4. replay: a signature seen in the last window is dropped (409): in memory per process, and
//      through the store's claimOnce across processes when a store is given;
//   5. shape: the body is parsed as Bolt will parse it and checked with zod (slack/payloads.ts);
//      malformed signed input gets a 400 (or, for a slash command, a 200 with an ephemeral
//      warning), and shapes whybot has no listener for get an empty 200.
// Only then is the buffered request handed to Bolt, which verifies the signature again.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListenOptions } from 'node:net';
import type { App, HTTPReceiver, Receiver, ReceiverProcessEventErrorHandlerArgs } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { BODY_LIMIT_BYTES, parseSlackBody, UNSIGNED_BODY_LIMIT_BYTES, WHYBOT_ROUTES, type ParsedSlackBody, type SlackRequestKind, type SlackRoutes } from './payloads.js';

/** Slack's window: a request more than 5 minutes from now, either way, is refused. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;
/** Bytes of request bodies being read at once, over all connections. */
export const INFLIGHT_BUDGET_BYTES = 16 * BODY_LIMIT_BYTES;
/** A store that does not answer within this is skipped (the in-memory check still holds). */
const STORE_TIMEOUT_MS = 1000;

export type ReplayStore = Pick<Store, 'claimOnce' | 'finishClaim'>;

export interface GateOptions {
  /** absent where Bolt alone holds the secret (the Lambda guard): verifySignature then throws */
  signingSecret?: string;
  log: Logger;
  /** shared across processes; a getter, so the store may be opened after the receiver */
  replayStore?: () => ReplayStore | undefined;
  routes?: SlackRoutes;
  now?: () => number;
}

export type HeaderCheck = { ok: true; timestamp: number; signature: Buffer; key: string } | { ok: false; reason: string };

const SIGNATURE_SHAPE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP_SHAPE = /^\d{1,12}$/;

/** The checks that do not depend on HTTP: shared by the HTTP receiver and the Lambda guard. */
export class SlackRequestGate {
  private readonly secret: Buffer | undefined;
  private readonly seen = new Map<string, number>();
  readonly now: () => number;

  constructor(private readonly opts: GateOptions) {
    this.secret = opts.signingSecret === undefined ? undefined : Buffer.from(opts.signingSecret);
    this.now = opts.now ?? Date.now;
  }

  get log(): Logger {
    return this.opts.log;
  }

  /** Signature and timestamp headers: their form, and the timestamp's distance from now. */
  checkHeaders(signature: string | string[] | undefined, timestamp: string | string[] | undefined): HeaderCheck {
    if (typeof signature !== 'string' || !SIGNATURE_SHAPE.test(signature)) return { ok: false, reason: 'missing or malformed x-slack-signature' };
    if (typeof timestamp !== 'string' || !TIMESTAMP_SHAPE.test(timestamp)) return { ok: false, reason: 'missing or malformed x-slack-request-timestamp' };
    const ts = Number(timestamp);
    const skew = ts - Math.floor(this.now() / 1000);
    if (Math.abs(skew) > TIMESTAMP_WINDOW_SECONDS) return { ok: false, reason: skew > 0 ? 'timestamp in the future' : 'timestamp too old' };
    return { ok: true, timestamp: ts, signature: Buffer.from(signature.slice(3), 'hex'), key: signature.slice(3) };
  }

  /** HMAC-SHA256 of `v0:<ts>:<raw body bytes>`, compared in constant time. */
  verifySignature(h: Extract<HeaderCheck, { ok: true }>, raw: Uint8Array): boolean {
    if (!this.secret) throw new Error('SlackRequestGate: no signing secret to verify with');
    const expected = createHmac('sha256', this.secret).update(`v0:${h.timestamp}:`).update(raw).digest();
    return expected.length === h.signature.length && timingSafeEqual(expected, h.signature);
  }

  /**
   * True the first time a signature is seen within its window; false for a replay. The memory
   * of this process first, then the store's claimOnce (across processes). A store that fails or
   * is slow is logged and skipped: refusing Slack's real requests then would be worse.
   */
  async firstSighting(h: Extract<HeaderCheck, { ok: true }>): Promise<boolean> {
    const now = this.now();
    const until = (h.timestamp + TIMESTAMP_WINDOW_SECONDS) * 1000 + 1000;
    this.prune(now);
    const known = this.seen.get(h.key);
    if (known !== undefined && known > now) return false;
    this.seen.set(h.key, until);
    const store = this.opts.replayStore?.();
    if (!store) return true;
    const nonce = `slack-request:${h.key}`;
    const ttlSeconds = Math.max(60, Math.ceil((until - now) / 1000) + 60);
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        store.claimOnce({ nonce, actor: 'slack', action: 'slack-request', ttlSeconds }),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), STORE_TIMEOUT_MS);
        }),
      ]);
      if (result === 'timeout') {
        this.log.warn('replay check: the store did not answer in time; checked in this process only');
        return true;
      }
      // (nothing reconciles claims: the journal holds unfinished work, so no second write here)
      return result.won;
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'replay check: the store failed; checked in this process only');
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forgets a signature (the Lambda guard, when Bolt then refused its signature). */
  forget(h: Extract<HeaderCheck, { ok: true }>): void {
    this.seen.delete(h.key);
  }

  parse(raw: Uint8Array, contentType: string | undefined): ParsedSlackBody {
    return parseSlackBody(raw, contentType, this.opts.routes ?? WHYBOT_ROUTES);
  }

  /** Forgets expired signatures (insertion order is close to expiry order). */
  private prune(now: number): void {
    for (const [key, until] of this.seen) {
      if (until > now && this.seen.size < 500_000) break;
      this.seen.delete(key);
    }
  }
}

/** What the guard decided, for tests and logs. */
export interface GuardOutcome {
  status: number;
  reason: string;
  kind?: SlackRequestKind;
}

export interface GuardedReceiverOptions extends GateOptions {
  signingSecret: string;
  /** default /slack/events */
  endpoint?: string;
  bodyLimit?: number;
  inflightBudget?: number;
  /** called once per request the guard answered or passed on */
  onOutcome?: (outcome: GuardOutcome) => void;
}

type Bolted = IncomingMessage & { rawBody?: Buffer };

/** Which kind of request Bolt is processing, for the error handler below. */
const kinds = new WeakMap<IncomingMessage, SlackRequestKind>();

/**
 * Options for the inner HTTPReceiver: Bolt's own body cap at the same size, and a listener
 * error before the ack becomes a 200 (an ephemeral warning for a slash command), never a 500.
 */
export const GUARDED_BOLT_OPTIONS = {
  bodyLimit: BODY_LIMIT_BYTES,
  // The guard has verified the signature (constant time, on the raw bytes) before Bolt sees
  // the request: a second HMAC per request on the ack path buys nothing.
  signatureVerification: false,
  processEventErrorHandler: async ({ error, logger, request, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    logger.error(`a listener failed before acknowledging: ${error instanceof Error ? error.name : 'error'}: ${error instanceof Error ? error.message.slice(0, 200) : ''}`);
    if (response.headersSent) return false;
    if (kinds.get(request) === 'command') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ response_type: 'ephemeral', text: ':warning: whybot hit an internal error handling this command; it is logged. Try again.' }));
    } else {
      response.writeHead(200);
      response.end();
    }
    return false;
  },
} as const;

/**
 * Bolt's HTTPReceiver behind the gate: this receiver owns the node:http server and hands Bolt
 * only requests that passed, already buffered (Bolt then reads `rawBody` instead of the stream).
 */
export class GuardedReceiver implements Receiver {
  readonly gate: SlackRequestGate;
  private server: Server | undefined;
  private inflight = 0;
  private readonly endpoint: string;
  private readonly bodyLimit: number;
  private readonly budget: number;

  constructor(
    private readonly inner: HTTPReceiver,
    private readonly opts: GuardedReceiverOptions,
  ) {
    this.gate = new SlackRequestGate(opts);
    this.endpoint = opts.endpoint ?? '/slack/events';
    this.bodyLimit = opts.bodyLimit ?? BODY_LIMIT_BYTES;
    this.budget = opts.inflightBudget ?? INFLIGHT_BUDGET_BYTES;
  }

  init(app: App): void {
    this.inner.init(app);
  }

  start(portOrOptions?: number | string | ListenOptions): Promise<Server> {
    if (this.server) return Promise.reject(new Error('the receiver is already started'));
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.gate.log.error({ err: err instanceof Error ? err.message : String(err) }, 'receiver guard failed');
        if (!res.headersSent) this.answer(res, 500, 'text/plain; charset=utf-8', 'whybot: internal error', true);
      });
    });
    // Slack sends small bodies at once: a slow sender is not Slack.
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    this.server = server;
    const listen = typeof portOrOptions === 'string' ? Number(portOrOptions) : (portOrOptions ?? 3000);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeIdleConnections();
    });
  }

  /** Bytes of request bodies being read right now (for tests and the soak). */
  get inflightBytes(): number {
    return this.inflight;
  }

  private answer(res: ServerResponse, status: number, contentType: string, body: string, close = false, extra: Record<string, string> = {}): void {
    if (res.headersSent) return;
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
      ...(close ? { connection: 'close' } : {}),
      ...extra,
    });
    res.end(body);
  }

  private refuse(_req: IncomingMessage, res: ServerResponse, status: number, reason: string, opts: { close?: boolean; body?: string; contentType?: string; level?: 'debug' | 'warn' } = {}): void {
    this.gate.log[opts.level ?? 'debug']({ status, reason }, 'slack request answered by the guard');
    this.opts.onOutcome?.({ status, reason });
    this.answer(res, status, opts.contentType ?? 'text/plain; charset=utf-8', opts.body ?? `whybot: ${reason}`, opts.close, status === 503 ? { 'retry-after': '1' } : {});
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      path = '';
    }
    if (path !== this.endpoint) return this.refuse(req, res, 404, 'not found', { close: true });
    if (req.method !== 'POST') return this.refuse(req, res, 405, 'POST only', { close: true });

    const declared = req.headers['content-length'];
    if (declared !== undefined && !/^\d{1,15}$/.test(declared)) return this.refuse(req, res, 400, 'bad content-length', { close: true });
    if (declared !== undefined && Number(declared) > this.bodyLimit) return this.refuse(req, res, 413, `body over ${this.bodyLimit} bytes`, { close: true });

    const sigHeader = req.headers['x-slack-signature'];
    const tsHeader = req.headers['x-slack-request-timestamp'];
    const contentType = req.headers['content-type'];
    if (sigHeader === undefined && tsHeader === undefined) {
      // Unsigned: only Slack's ssl_check is answered, from at most a few KiB.
      const read = await this.read(req, UNSIGNED_BODY_LIMIT_BYTES, res);
      if (!read.ok) return this.refuse(req, res, read.status, read.reason, { close: true });
      const parsed = this.gate.parse(read.body, contentType);
      if (!parsed.ok && parsed.reason === 'ssl_check') return this.refuse(req, res, 200, 'ssl_check', { body: '' });
      return this.refuse(req, res, 401, 'unsigned request', { close: true });
    }
    const headers = this.gate.checkHeaders(sigHeader, tsHeader);
    if (!headers.ok) return this.refuse(req, res, 401, headers.reason, { close: true });

    const read = await this.read(req, this.bodyLimit, res);
    if (!read.ok) return this.refuse(req, res, read.status, read.reason, { close: true });
    if (!this.gate.verifySignature(headers, read.body)) return this.refuse(req, res, 401, 'bad signature', { close: true });
    if (!(await this.gate.firstSighting(headers))) return this.refuse(req, res, 409, 'replayed request (this signature was already seen)', { level: 'warn' });

    const parsed = this.gate.parse(read.body, contentType);
    if (!parsed.ok) return this.refuse(req, res, parsed.status, parsed.reason, { body: parsed.body, contentType: parsed.contentType, level: parsed.status === 400 ? 'warn' : 'debug' });

    kinds.set(req, parsed.kind);
    this.opts.onOutcome?.({ status: 0, reason: 'dispatched', kind: parsed.kind });
    (req as Bolted).rawBody = read.body;
    try {
      this.inner.requestListener(req, res);
    } catch (err) {
      this.gate.log.error({ err: err instanceof Error ? err.message : String(err) }, 'Bolt refused a request the guard passed');
      this.answer(res, 400, 'text/plain; charset=utf-8', 'whybot: request not handled');
    }
  }

  /** Reads the body with a running cap, within the budget shared by all requests. */
  private read(req: IncomingMessage, limit: number, res: ServerResponse): Promise<{ ok: true; body: Buffer } | { ok: false; status: 400 | 413 | 503; reason: string }> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let held = 0;
      let done = false;
      const release = () => {
        this.inflight -= held;
        held = 0;
      };
      res.once('close', release);
      const finish = (r: { ok: true; body: Buffer } | { ok: false; status: 400 | 413 | 503; reason: string }) => {
        if (done) return;
        done = true;
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('aborted', onError);
        if (!r.ok) {
          chunks.length = 0;
          release();
          req.resume(); // discard the rest; the connection is closed after the answer
        }
        resolve(r);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) return finish({ ok: false, status: 413, reason: `body over ${limit} bytes` });
        if (this.inflight + chunk.length > this.budget) return finish({ ok: false, status: 503, reason: 'too many request bodies in flight' });
        this.inflight += chunk.length;
        held += chunk.length;
        chunks.push(chunk);
      };
      const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
      const onError = () => finish({ ok: false, status: 400, reason: 'request aborted' });
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('aborted', onError);
    });
  }
}
