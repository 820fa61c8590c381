// Slack's side of the bench: signed requests as Slack sends them (test/helpers/harness.ts
// does the same for the tests), and a load generator in a worker thread of its own so the
// doubles' work in the bench's main thread does not show up as ack latency.
import { createHmac } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-bench-token';

export function signedHeaders(body: string, secret = SIGNING_SECRET): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

export function slashCommandBody(command: string, text: string, responseUrl: string, channel: string, user: string): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0BENCH',
    team_domain: 'bench',
    channel_id: channel,
    channel_name: channel.toLowerCase(),
    user_id: user,
    user_name: user.toLowerCase(),
    command,
    text,
    api_app_id: 'A0WHYBOT',
    response_url: responseUrl,
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
  }).toString();
}

export interface LoadRequest {
  url: string;
  /** form bodies, signed in the load generator right before they leave */
  bodies: string[];
  /** all at once, or one after the other (each after the previous answer) */
  mode: 'burst' | 'sequential';
  secret?: string;
}

export interface LoadResult {
  /** request sent → whole answer read, ms, in the order of `bodies` */
  latencies: number[];
  statuses: number[];
  /** the answers' bodies, clipped to 300 characters */
  texts: string[];
}

const LOADGEN = `
const { parentPort } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const http = require('node:http');
const sign = (body, secret) => {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex'),
  };
};
// node:http, one new connection per request (as Slack's deliveries come): lighter than fetch,
// so less of the client's own work shows up in the figures.
function one(url, body, secret) {
  return new Promise((resolve) => {
    const headers = { ...sign(body, secret), 'content-length': Buffer.byteLength(body) };
    const t0 = performance.now();
    const req = http.request(url, { method: 'POST', agent: false, headers, timeout: 30000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { if (text.length < 300) text += c; });
      res.on('end', () => resolve({ latency: performance.now() - t0, status: res.statusCode, text: text.slice(0, 300) }));
    });
    const fail = (err) => resolve({ latency: performance.now() - t0, status: 0, text: String((err && err.message) || err).slice(0, 300) });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end(body);
  });
}
parentPort.on('message', async ({ url, bodies, mode, secret }) => {
  let results;
  if (mode === 'burst') results = await Promise.all(bodies.map((b) => one(url, b, secret)));
  else {
    results = [];
    for (const b of bodies) results.push(await one(url, b, secret));
  }
  parentPort.postMessage({
    latencies: results.map((r) => r.latency),
    statuses: results.map((r) => r.status),
    texts: results.map((r) => r.text),
  });
});
`;

/** One load generator thread; `send` runs one batch at a time. */
export class LoadGenerator {
  private readonly worker = new Worker(LOADGEN, { eval: true });

  send(req: LoadRequest): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: LoadResult) => {
        this.worker.off('error', onError);
        resolve(msg);
      };
      const onError = (err: Error) => {
        this.worker.off('message', onMessage);
        reject(err);
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', onError);
      this.worker.postMessage({ ...req, secret: req.secret ?? SIGNING_SECRET });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
