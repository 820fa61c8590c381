// One set of Web API client options for every process and thread that talks to Slack (the
// receiver's Bolt app, the job threads, the Lambda functions): the API URL, the retry policy
// for 429/5xx, and the pacing of messages per channel.
//
// Slack takes about one message per second per channel. Every chat.postMessage and
// chat.update of whybot, whoever sends it, reserves a slot on the channel's schedule in the
// rate gate (the store's when processes share one) before it leaves, so a burst queues here
// instead of being answered 429 by Slack.
//
// The same fetch is the Slack edge of the redaction layer (src/redact): every request body is
// redacted (text, blocks, views) before it leaves, whichever code built it.
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import { rateGate, takeSlot, type RateSpec } from '../platform/rate-gate.js';
import { redactSlackBody } from '../redact/index.js';

/** Web API methods that put a message in a channel, and so count against its limit. */
const PACED_METHODS = new Set(['chat.postMessage', 'chat.update']);

export const channelKey = (channel: string): string => `slack|channel|${channel}`;

/** The schedule of one channel: `perSecond` sustained, a short burst as Slack tolerates. */
export const channelRate = (perSecond: number): RateSpec => ({ perSecond, burst: 3 });

type Fetch = NonNullable<WebClientOptions['fetch']>;

function channelOf(body: unknown): string | undefined {
  if (typeof body === 'string') return new URLSearchParams(body).get('channel') ?? undefined;
  if (body instanceof URLSearchParams || body instanceof FormData) {
    const v = body.get('channel');
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** A fetch that waits for the channel's slot before every message it carries. */
export function pacedFetch(perSecond: number, base: Fetch = globalThis.fetch as Fetch): Fetch {
  const spec = channelRate(perSecond);
  return async (url, init) => {
    const method = String(url).split('/').pop() ?? '';
    const channel = PACED_METHODS.has(method) ? channelOf(init?.body) : undefined;
    if (channel) await takeSlot(channelKey(channel), spec, rateGate());
    // the redaction layer's Slack edge: every Web API call of every process passes here
    return base(url, init?.body == null ? init : { ...init, body: redactSlackBody(init.body) });
  };
}

export function slackClientOptions(config: Pick<Config, 'slack' | 'slackChannelRate'>): WebClientOptions {
  const apiUrl = config.slack.apiUrl;
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    fetch: pacedFetch(config.slackChannelRate),
  };
}
