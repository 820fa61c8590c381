// AWS rate limits, keyed by what AWS limits. A published quota (CloudTrail LookupEvents: 2/s
// per account × Region; Route 53: 5/s per account, every Region and operation together) is a
// token bucket in the rate gate, keyed account × Region × API (account × API for Route 53),
// which every process sharing the store takes from at the moment its request leaves
// (platform/rate-gate.ts takeToken: the process's own limiter first, then one conditional
// update in the store): N processes together stay under the quota, not N × it. Every other
// API gets a per-process concurrency cap only. Throttles that still happen (another tool in
// the account using the same quota) cost the shared bucket a token each, so every process backs
// off together, and are retried by the SDK's standard retry with backoff (aws/clients.ts).
import pQueue from 'p-queue';

// p-queue 6 is CommonJS with an ES-module default: Node hands us module.exports, a bundler
// may hand us the class itself.
const PQueue = (pQueue as unknown as { default?: typeof pQueue.default }).default ?? (pQueue as unknown as typeof pQueue.default);
type Queue = InstanceType<typeof PQueue>;
import { rateGate, takeToken, type RateSpec } from '../platform/rate-gate.js';
import { isThrottling } from './errors.js';

export interface Quota extends RateSpec {
  /** the SDK client name without "Client" (context.clientName), e.g. "CloudTrail" */
  service: string;
  /** the operation (commandName without "Command"); "*" = every operation of the service */
  operation: string;
  /** what the quota is counted over */
  per: 'account-region' | 'account';
}

// Under the published figure: requests that leave on schedule can still arrive closer
// together (a process or the network delays one and not the next), and a throttle costs a
// retry with backoff. LookupEvents at 1.8/s leaves 2 × 556 − 1000 = 111 ms that calls may
// lose between their token and the wire before a third call could land in the same second as
// the two before it; 1.9/s left 52 ms, and on a 2-core machine running 4 processes and the
// double, warm calls were seen up to ~50 ms apart from their schedule (a process's very first
// request, which sets up its HTTP agent, up to ~300 ms: test/limits.e2e.test.ts).
const MARGIN = 0.95;
const LOOKUP_MARGIN = 0.9;

export const KNOWN_QUOTAS: readonly Quota[] = [
  { service: 'CloudTrail', operation: 'LookupEvents', perSecond: 2 * LOOKUP_MARGIN, burst: 1, per: 'account-region' },
  { service: 'Route53', operation: '*', perSecond: 5 * MARGIN, burst: 1, per: 'account' },
];

const defaultConcurrency = 8;

/** "LookupEventsCommand" → "LookupEvents"; "CloudTrailClient" → "CloudTrail". */
export const operationName = (commandName: string): string => commandName.replace(/Command$/, '');
export const serviceName = (clientName: string): string => clientName.replace(/Client$/, '');

export function quotaFor(service: string, operation: string): Quota | undefined {
  return KNOWN_QUOTAS.find((q) => q.service === service && (q.operation === '*' || q.operation === operation));
}

export interface CallScope {
  /** the account (today: the credential profile that selects it) */
  account: string;
  region: string;
}

/** The rate-gate key of a quota: what AWS counts the calls over. */
export function quotaKey(q: Quota, scope: CallScope): string {
  const where = q.per === 'account' ? scope.account : `${scope.account}@${scope.region}`;
  return `aws|${where}|${q.service}:${q.operation}`;
}

const concurrency = new Map<string, Queue>();

function concurrencyFor(scope: CallScope, service: string): Queue {
  const key = `${scope.account}@${scope.region}|${service}`;
  let queue = concurrency.get(key);
  if (!queue) {
    queue = new PQueue({ concurrency: defaultConcurrency });
    concurrency.set(key, queue);
  }
  return queue;
}

/** Runs one AWS request (one attempt) within the limits of its service and operation. */
export async function withinLimits<T>(scope: CallScope, clientName: string, commandName: string, send: () => Promise<T>): Promise<T> {
  const service = serviceName(clientName);
  const quota = quotaFor(service, operationName(commandName));
  return concurrencyFor(scope, service).add(async () => {
    if (!quota) return send();
    const key = quotaKey(quota, scope);
    await takeToken(key, quota);
    try {
      return await send();
    } catch (err) {
      // Throttled all the same (another tool spends the same quota): the cross-process form of
      // the SDK's adaptive mode. The throttle costs the shared bucket one more token, so every
      // process sharing it slows by one interval per throttle while they last; the SDK's
      // standard retry then backs this attempt off.
      if (isThrottling(err)) await rateGate().reserve(key, quota).catch(() => undefined);
      throw err;
    }
  });
}
