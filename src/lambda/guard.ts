// The `slack` function's checks before Bolt's AwsLambdaReceiver sees an event: the same size,
// timestamp, replay and shape checks as the HTTP receiver (slack/receiver.ts), as a wrapper
// around the handler. The signing secret is read at cold start inside Bolt's receiver, so the
// signature itself is verified by Bolt, after these checks: a malformed unsigned event gets the
// guard's 400 rather than Bolt's 401, and a well-formed event with a fresh timestamp claims its
// signature in the table before Bolt refuses it (a write that the invocation has already
// cost more than; the claim expires after the window and blocks nothing Slack will send).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsLambdaReceiver } from '@slack/bolt';
import { createLogger } from '../logger.js';
import { BODY_LIMIT_BYTES, UNSIGNED_BODY_LIMIT_BYTES } from '../slack/payloads.js';
import { SlackRequestGate, type ReplayStore } from '../slack/receiver.js';
import { createDynamoStore } from '../store/dynamodb.js';

export type LambdaHandler = ReturnType<AwsLambdaReceiver['toHandler']>;
type AwsEvent = Parameters<LambdaHandler>[0];
type AwsResponse = Awaited<ReturnType<LambdaHandler>>;

export interface LambdaGuardOptions {
  gate?: SlackRequestGate;
  /** the replay store across containers; default: the table in WHYBOT_TABLE */
  store?: () => ReplayStore | undefined;
  bodyLimit?: number;
}

/** The table the functions share, opened on first use (no SSM read: it needs no secret). */
export function tableReplayStore(env: NodeJS.ProcessEnv = process.env): () => ReplayStore | undefined {
  let store: ReplayStore | undefined;
  return () => {
    if (!store && env.WHYBOT_TABLE && env.AWS_REGION)
      store = createDynamoStore({ table: env.WHYBOT_TABLE, client: new DynamoDBClient({ region: env.AWS_REGION }), destroyClientOnClose: true });
    return store;
  };
}

function header(headers: AwsEvent['headers'] | null | undefined, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return typeof value === 'string' ? value : undefined;
}

const answer = (statusCode: number, body: string, contentType = 'text/plain; charset=utf-8'): AwsResponse => ({ statusCode, headers: { 'Content-Type': contentType }, body });

export function guardLambdaHandler(inner: LambdaHandler, opts: LambdaGuardOptions = {}): LambdaHandler {
  const gate = opts.gate ?? new SlackRequestGate({ log: createLogger(process.env.WHYBOT_LOG_LEVEL ?? 'info', { fn: 'slack', component: 'guard' }), replayStore: opts.store ?? tableReplayStore() });
  const limit = opts.bodyLimit ?? BODY_LIMIT_BYTES;
  return async (event, context) => {
    if (!event || typeof event !== 'object') return answer(400, 'whybot: not an API Gateway event');
    const body = typeof event.body === 'string' ? event.body : '';
    // API Gateway has buffered the body already; what is bounded here is the work on it.
    if (body.length > (event.isBase64Encoded ? Math.ceil((limit * 4) / 3) + 4 : limit)) return answer(413, `whybot: body over ${limit} bytes`);
    const raw = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    if (raw.length > limit) return answer(413, `whybot: body over ${limit} bytes`);
    const contentType = header(event.headers, 'content-type');
    const signature = header(event.headers, 'x-slack-signature');
    const timestamp = header(event.headers, 'x-slack-request-timestamp');
    if (signature === undefined && timestamp === undefined) {
      const parsed = raw.length <= UNSIGNED_BODY_LIMIT_BYTES ? gate.parse(raw, contentType) : undefined;
      return parsed && !parsed.ok && parsed.reason === 'ssl_check' ? answer(200, '') : answer(401, 'whybot: unsigned request');
    }
    const h = gate.checkHeaders(signature, timestamp);
    if (!h.ok) return answer(401, `whybot: ${h.reason}`);
    const parsed = gate.parse(raw, contentType);
    if (!parsed.ok) {
      if (parsed.status === 400) gate.log.warn({ reason: parsed.reason }, 'slack event refused by the guard');
      return answer(parsed.status, parsed.body, parsed.contentType);
    }
    if (!(await gate.firstSighting(h))) {
      gate.log.warn('replayed slack request dropped');
      return answer(409, 'whybot: replayed request (this signature was already seen)');
    }
    const res = await inner(event, context);
    if (res.statusCode === 401) gate.forget(h);
    return res;
  };
}
