// The doubles every section runs against, in the bench process: the AWS double on incident
// 003 (with its published quotas enforced) and the Slack double (per-channel rate limits on).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAwsDouble, type AwsCall, type AwsDouble } from '../sandbox/aws/server.js';
import { loadScenario, type Scenario } from '../sandbox/scenario.js';
import { startSlackDouble, type SlackCall, type SlackDouble } from '../sandbox/slack/server.js';
import { maxOf, windowMax, windowMaxBy } from './stats.js';
import { BOT_TOKEN } from './slack-requests.js';

export const SCENARIO = 'incident-003';

export interface World {
  scenario: Scenario;
  aws: AwsDouble;
  slack: SlackDouble;
  /** a fresh directory for stores; removed by close() */
  dir: string;
  dbPath(name: string): string;
  close(): Promise<void>;
}

export async function startWorld(tweak?: (s: Scenario) => void): Promise<World> {
  const scenario = await loadScenario(SCENARIO);
  tweak?.(scenario);
  const aws = await startAwsDouble({ scenario });
  const slack = await startSlackDouble({ botToken: BOT_TOKEN });
  const dir = mkdtempSync(path.join(tmpdir(), 'whybot-bench-'));
  let n = 0;
  return {
    scenario,
    aws,
    slack,
    dir,
    dbPath: (name) => path.join(dir, `${name}-${n++}.sqlite`),
    async close() {
      await aws.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const isThrottle = (c: AwsCall): boolean => c.error === 'ThrottlingException' || c.error === 'Throttling' || c.quota !== undefined;

/** LookupEvents at the double: how many, the busiest 1 s per account × Region, throttles. */
export function lookupStats(calls: readonly AwsCall[], accountId: string) {
  const lookups = calls.filter((c) => c.operation === 'LookupEvents');
  const scope = (c: AwsCall) => `${accountId}×${c.region ?? '?'}`;
  const perScope = windowMaxBy(lookups, scope, (c) => c.at);
  return {
    count: lookups.length,
    maxPerSec: maxOf(perScope),
    /** the busiest 5 s, per second: the sustained rate */
    maxPerSecOver5s: maxOf(windowMaxBy(lookups, scope, (c) => c.at, 5000)) / 5,
    perScope,
    throttles: lookups.filter(isThrottle).length,
    allThrottles: calls.filter(isThrottle).length,
  };
}

const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update']);

/** Messages (posts and updates) the double accepted, per channel: the busiest 1 s. */
export function slackMessageStats(calls: readonly SlackCall[], channels?: ReadonlySet<string>) {
  const accepted = calls.filter(
    (c) => MESSAGE_METHODS.has(c.method) && c.ok && typeof c.args.channel === 'string' && (!channels || channels.has(c.args.channel)),
  );
  const perChannel = windowMaxBy(accepted, (c) => c.args.channel as string, (c) => c.at);
  return {
    messages: accepted.length,
    posts: accepted.filter((c) => c.method === 'chat.postMessage').length,
    updates: accepted.filter((c) => c.method === 'chat.update').length,
    maxPerSecPerChannel: Object.values(perChannel).reduce((a, b) => Math.max(a, b), 0),
    /** every channel together */
    maxPerSecAll: windowMax(accepted.map((c) => c.at)),
    perChannel,
    lastAt: accepted.length ? Math.max(...accepted.map((c) => c.at)) : Number.NaN,
  };
}

/** The first chat.update that put a verdict (not the live checklist) on a root, per channel. */
export function verdictTimes(calls: readonly SlackCall[]): Map<string, { at: number; text: string }> {
  const out = new Map<string, { at: number; text: string }>();
  for (const c of calls) {
    if (c.method !== 'chat.update' || !c.ok) continue;
    const channel = c.args.channel;
    const text = c.args.text;
    if (typeof channel !== 'string' || typeof text !== 'string' || text.startsWith('Investigating ')) continue;
    if (!out.has(channel)) out.set(channel, { at: c.at, text });
  }
  return out;
}

/** Polls until `done()` or the deadline; true if done. Bounded: never waits past `timeoutMs`. */
export async function until(done: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}
