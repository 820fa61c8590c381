/**
 * The Socket Mode side of the Slack double: what `@slack/socket-mode` (inside Bolt's
 * SocketModeReceiver) talks to, on 127.0.0.1 only.
 *
 * 1. `apps.connections.open` (a Web API method, routed here by server.ts when the double is
 *    started with `socketMode`) is called with the app-level token (`xapp-…`) and answers
 *    `{ ok: true, url: 'ws://127.0.0.1:<port>/link/?ticket=…&app_id=…' }`. The ticket is
 *    single-use. A wrong `xapp-` token answers `invalid_auth`, a bot or user token
 *    `not_allowed_token_type`, no token `not_authed`, as Slack does.
 * 2. A websocket server (the `ws` package) accepts `/link/?ticket=…` with a fresh ticket
 *    (anything else: HTTP 401 at the upgrade, recorded in `rejected`), then sends `hello`.
 * 3. A test pushes envelopes with `send()`: `{ envelope_id, type, payload,
 *    accepts_response_payload }`, and gets the client's ack `{ envelope_id, payload? }` back,
 *    or a clear error when no ack arrives in time (default 3 s, Slack's limit for slash
 *    commands and interactivity) or the connection closes first.
 * 4. `disconnect(reason)` sends `{ type: 'disconnect', reason, debug_info }` (`warning`,
 *    `refresh_requested`, `link_disabled`); `drop()` destroys the TCP connections with no
 *    close frame, as a network failure would.
 *
 * Slack pings the client every few seconds; the double does too (`pingIntervalMs`), and
 * `ws` answers the client's pings with pongs. Every frame the client sends that is not a
 * well-formed ack of an envelope in flight is recorded in `violations`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { listenOnLoopback, pollUntil } from '../loopback.js';

export type SocketEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';
export type SocketDisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

/** What Slack sends for each slash command, interaction or event. */
export interface SocketEnvelope {
  envelope_id: string;
  type: SocketEnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  /** events_api only, as Slack sends them */
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelope_id: string;
  /** what the app answered with (a slash command's ephemeral reply, a view's response_action…) */
  payload?: Record<string, unknown>;
  /** Date.now() when the ack arrived */
  at: number;
  /** milliseconds from sending the envelope to its ack */
  ms: number;
  connection: number;
}

export interface SentEnvelope {
  envelope: SocketEnvelope;
  connection: number;
  sentAt: number;
  ack?: SocketAck;
  /** why no ack came: timeout or closed connection */
  error?: string;
}

export interface SocketConnection {
  /** 1, 2, … in order of connection */
  id: number;
  ticket: string;
  openedAt: number;
  closedAt?: number;
  /** websocket close code (1006: the TCP connection went without a close frame) */
  closeCode?: number;
  /** who ended it: the client (close frame), or the double's `drop()` / `close()` */
  closedBy?: 'client' | 'drop' | 'server';
  /** disconnect messages sent on this connection */
  disconnects: SocketDisconnectReason[];
}

export interface ConnectionsOpenCall {
  at: number;
  ok: boolean;
  error?: string;
  url?: string;
}

/** What server.ts needs to answer `apps.connections.open` (kept to this so it imports no `ws`). */
export interface SocketModeApi {
  connectionsOpen(token: string | undefined): { status?: number; body: Record<string, unknown> };
}

export interface SocketModeDoubleOptions {
  /** the app-level token accepted by apps.connections.open (default `xapp-1-A0WHYBOT-sandbox`) */
  appToken?: string;
  appId?: string;
  /** port of the websocket server (default 0: any free port); always 127.0.0.1 */
  port?: number;
  /** server pings (Slack sends them every few seconds); `false`: none. Default 5000 ms. */
  pingIntervalMs?: number | false;
  /** default wait for an ack in `send()` (Slack: 3 s) */
  ackTimeoutMs?: number;
  /** how long a ticket from apps.connections.open stays valid (default 30 s) */
  ticketTtlMs?: number;
}

export interface SendOptions {
  /** fail when no ack arrives within this long (default: the double's ackTimeoutMs, 3000) */
  ackTimeoutMs?: number;
  /** send on this connection (default: the newest open one) */
  connection?: number;
}

export interface SocketModeDouble extends SocketModeApi {
  /** the app-level token apps.connections.open accepts now */
  readonly appToken: string;
  readonly appId: string;
  /** `ws://127.0.0.1:<port>` of the websocket server */
  readonly wsOrigin: string;
  /** every apps.connections.open answered, in order */
  opens: ConnectionsOpenCall[];
  /** every websocket connection accepted, in order (open ones have no `closedAt`) */
  connections: SocketConnection[];
  /** upgrades refused: bad path, unknown, reused or expired ticket */
  rejected: Array<{ at: number; url: string; reason: string }>;
  envelopes: SentEnvelope[];
  /** frames from the client that are not a well-formed ack of an envelope in flight */
  violations: string[];
  /** connections open now */
  open(): SocketConnection[];
  /**
   * Sends an envelope and resolves with the client's ack; rejects when none comes in time or
   * the connection closes first. `envelope_id` is generated when left out;
   * `accepts_response_payload` defaults to true except for events_api, as Slack sends them.
   */
  send(
    envelope: Omit<SocketEnvelope, 'envelope_id' | 'accepts_response_payload'> &
      Partial<Pick<SocketEnvelope, 'envelope_id' | 'accepts_response_payload'>>,
    opts?: SendOptions,
  ): Promise<SocketAck>;
  /** Sends `{ type: 'disconnect', reason }` on every open connection (or one). */
  disconnect(reason: SocketDisconnectReason, connection?: number): void;
  /** Destroys every open connection's TCP socket without a close frame. */
  drop(): void;
  /** Replaces the token apps.connections.open accepts (e.g. to revoke it mid-run). */
  setAppToken(token: string): void;
  /** Resolves with the first open connection whose id is greater than `after` (default 0). */
  waitForConnection(opts?: { after?: number; timeoutMs?: number }): Promise<SocketConnection>;
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Clears the records and restores the original app token; open connections stay open. */
  reset(): void;
  close(): Promise<void>;
}

interface Live {
  conn: SocketConnection;
  ws: WebSocket;
  /** envelopes sent on this connection and not yet acked */
  pending: Map<string, { sent: SentEnvelope; resolve: (a: SocketAck) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>;
}

const HOST = 'applink-sandbox-0';

export async function startSocketModeDouble(opts: SocketModeDoubleOptions = {}): Promise<SocketModeDouble> {
  const originalToken = opts.appToken ?? 'xapp-1-A0WHYBOT-sandbox';
  let appToken = originalToken;
  const appId = opts.appId ?? 'A0WHYBOT';
  const defaultAckTimeout = opts.ackTimeoutMs ?? 3000;
  const ticketTtlMs = opts.ticketTtlMs ?? 30_000;
  const pingIntervalMs = opts.pingIntervalMs ?? 5000;

  const opens: ConnectionsOpenCall[] = [];
  const connections: SocketConnection[] = [];
  const rejected: SocketModeDouble['rejected'] = [];
  const envelopes: SentEnvelope[] = [];
  const violations: string[] = [];
  /** ticket → expiry (Date.now() ms); deleted when used */
  const tickets = new Map<string, number>();
  const live = new Map<number, Live>();
  let nextConnection = 0;

  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('websocket upgrade required\n');
  });
  const wss = new WebSocketServer({ noServer: true });

  const refuse = (socket: Duplex, url: string, reason: string): void => {
    rejected.push({ at: Date.now(), url, reason });
    socket.end(`HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const raw = req.url ?? '/';
    const url = new URL(raw, 'http://127.0.0.1');
    if (url.pathname !== '/link/' && url.pathname !== '/link') return refuse(socket, raw, 'not_found');
    const ticket = url.searchParams.get('ticket') ?? '';
    const expiry = tickets.get(ticket);
    if (expiry === undefined) return refuse(socket, raw, 'invalid_ticket');
    tickets.delete(ticket); // single use
    if (Date.now() > expiry) return refuse(socket, raw, 'expired_ticket');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, ticket));
  });

  const accept = (ws: WebSocket, ticket: string): void => {
    nextConnection += 1;
    const conn: SocketConnection = { id: nextConnection, ticket, openedAt: Date.now(), disconnects: [] };
    connections.push(conn);
    const entry: Live = { conn, ws, pending: new Map() };
    live.set(conn.id, entry);

    const ping = pingIntervalMs === false ? undefined : setInterval(() => ws.readyState === WebSocket.OPEN && ws.ping(), pingIntervalMs);
    ping?.unref();

    ws.on('message', (data: RawData, isBinary: boolean) => onFrame(entry, data, isBinary));
    ws.on('error', () => undefined); // a dropped peer: 'close' follows and says so
    ws.on('close', (code: number) => {
      if (ping) clearInterval(ping);
      live.delete(conn.id);
      conn.closedAt = Date.now();
      conn.closeCode = code;
      conn.closedBy ??= 'client';
      for (const [id, p] of entry.pending) {
        clearTimeout(p.timer);
        p.sent.error = `connection ${conn.id} closed (code ${code}) before the ack of envelope ${id}`;
        p.reject(new Error(`socket mode double: ${p.sent.error}`));
      }
      entry.pending.clear();
    });

    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: live.size,
        debug_info: { host: HOST, build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  };

  const onFrame = (entry: Live, data: RawData, isBinary: boolean): void => {
    const where = `connection ${entry.conn.id}`;
    if (isBinary) {
      violations.push(`${where}: binary frame`);
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      violations.push(`${where}: frame is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const obj = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Record<string, unknown>) : undefined;
    const id = obj?.['envelope_id'];
    if (typeof id !== 'string') {
      violations.push(`${where}: frame without envelope_id: ${text.slice(0, 200)}`);
      return;
    }
    const pending = entry.pending.get(id);
    if (!pending) {
      const known = envelopes.find((e) => e.envelope.envelope_id === id);
      violations.push(`${where}: ack of ${known ? (known.ack ? 'an already acked' : 'a timed-out or closed') : 'an unknown'} envelope ${id}`);
      return;
    }
    const payload = obj?.['payload'];
    if (payload !== undefined && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
      violations.push(`${where}: ack of ${id} has a payload that is not an object`);
    }
    entry.pending.delete(id);
    clearTimeout(pending.timer);
    const at = Date.now();
    const ack: SocketAck = {
      envelope_id: id,
      ...(payload !== undefined && typeof payload === 'object' && payload !== null ? { payload: payload as Record<string, unknown> } : {}),
      at,
      ms: at - pending.sent.sentAt,
      connection: entry.conn.id,
    };
    pending.sent.ack = ack;
    pending.resolve(ack);
  };

  const port = await listenOnLoopback(server, opts.port);
  const wsOrigin = `ws://127.0.0.1:${port}`;

  const openNow = (): SocketConnection[] => [...live.values()].map((l) => l.conn);

  const double: SocketModeDouble = {
    get appToken() {
      return appToken;
    },
    appId,
    wsOrigin,
    opens,
    connections,
    rejected,
    envelopes,
    violations,

    connectionsOpen(token) {
      const at = Date.now();
      const answer = (error: string) => {
        opens.push({ at, ok: false, error });
        return { body: { ok: false, error } };
      };
      if (token === undefined || token === '') return answer('not_authed');
      if (token !== appToken) return answer(/^xox[a-z]-/.test(token) ? 'not_allowed_token_type' : 'invalid_auth');
      const ticket = randomBytes(16).toString('hex');
      tickets.set(ticket, at + ticketTtlMs);
      const url = `${wsOrigin}/link/?ticket=${ticket}&app_id=${appId}`;
      opens.push({ at, ok: true, url });
      return { body: { ok: true, url } };
    },

    open: openNow,

    send(e, o = {}) {
      const target = o.connection !== undefined ? live.get(o.connection) : [...live.values()].at(-1);
      if (!target || target.ws.readyState !== WebSocket.OPEN) {
        return Promise.reject(
          new Error(`socket mode double: no open connection${o.connection !== undefined ? ` ${o.connection}` : ''} to send a ${e.type} envelope on (connections: ${connections.length}, open: ${live.size})`),
        );
      }
      const envelope: SocketEnvelope = {
        ...e,
        envelope_id: e.envelope_id ?? randomUUID(),
        accepts_response_payload: e.accepts_response_payload ?? e.type !== 'events_api',
        ...(e.type === 'events_api' ? { retry_attempt: e.retry_attempt ?? 0, retry_reason: e.retry_reason ?? '' } : {}),
      };
      const sent: SentEnvelope = { envelope, connection: target.conn.id, sentAt: Date.now() };
      envelopes.push(sent);
      const timeoutMs = o.ackTimeoutMs ?? defaultAckTimeout;
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          target.pending.delete(envelope.envelope_id);
          sent.error = `no ack of ${envelope.type} envelope ${envelope.envelope_id} within ${timeoutMs} ms on connection ${target.conn.id}`;
          reject(new Error(`socket mode double: ${sent.error}`));
        }, timeoutMs);
        target.pending.set(envelope.envelope_id, { sent, resolve, reject, timer });
        target.ws.send(JSON.stringify(envelope));
      });
    },

    disconnect(reason, connection) {
      for (const l of live.values()) {
        if (connection !== undefined && l.conn.id !== connection) continue;
        l.conn.disconnects.push(reason);
        l.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: HOST } }));
      }
    },

    drop() {
      for (const l of live.values()) {
        l.conn.closedBy = 'drop';
        l.ws.terminate();
      }
    },

    setAppToken(token) {
      appToken = token;
    },

    async waitForConnection({ after = 0, timeoutMs = 5000 } = {}) {
      let found: SocketConnection | undefined;
      await double.waitFor(
        () => (found = openNow().find((c) => c.id > after)) !== undefined,
        timeoutMs,
        `an open Socket Mode connection after #${after} (connections: ${connections.length}, apps.connections.open: ${opens.length})`,
      );
      return found!;
    },

    waitFor(predicate, timeoutMs = 2000, what = 'condition') {
      return pollUntil(predicate, timeoutMs, `socket mode double: ${what}`);
    },

    reset() {
      opens.length = 0;
      rejected.length = 0;
      envelopes.length = 0;
      violations.length = 0;
      tickets.clear();
      for (let i = connections.length - 1; i >= 0; i -= 1) if (connections[i]!.closedAt !== undefined) connections.splice(i, 1);
      appToken = originalToken;
    },

    close() {
      for (const l of live.values()) {
        l.conn.closedBy = 'server';
        l.ws.terminate();
      }
      return new Promise<void>((resolve, reject) => {
        wss.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return double;
}
