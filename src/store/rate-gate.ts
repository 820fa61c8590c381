// The rate gate over a store: every process sharing the store shares each schedule (SQLite
// locally, the DynamoDB table on AWS: platform/rate-gate.ts says how). If the store cannot
// answer a token (a full disk, a locked file, DynamoDB throttling or unreachable, or no
// answer within STORE_TIMEOUT_MS), the process falls back to its own limiter for a while
// (DEGRADED_MS) and says so in the log (a failed Slack reservation goes by the local
// schedule for that call only, as before): pacing per process is worse than shared pacing (N
// processes may then make N × the rate together, and the SDK's retry with backoff absorbs the
// throttles), but a message or an AWS read is never lost to, or stuck behind, the limiter.
import { MemoryRateGate, type RateGate, type RateSpec, type Take } from '../platform/rate-gate.js';
import type { Store } from './types.js';

/** How long a store request of the limiter may take before the call goes by the local limiter. */
export const STORE_TIMEOUT_MS = 2_000;
/** After a store failure, how long this process paces on its own before asking the store again. */
export const DEGRADED_MS = 10_000;

export interface RateGateEvents {
  /** the store failed: this process paces on its own until `until` (epoch ms) */
  onFallback?: (err: unknown, until: number) => void;
  /** the store answered again after a fallback */
  onRecovered?: () => void;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from the store within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function storeRateGate(
  store: Pick<Store, 'reserveRate' | 'tryTakeRate'>,
  events: RateGateEvents | ((err: unknown) => void) = {},
  opts: { timeoutMs?: number; degradedMs?: number; now?: () => number } = {},
): RateGate {
  const { onFallback, onRecovered } = typeof events === 'function' ? { onFallback: events, onRecovered: undefined } : events;
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? STORE_TIMEOUT_MS;
  const degradedMs = opts.degradedMs ?? DEGRADED_MS;
  const local = new MemoryRateGate(now);
  let degradedUntil = Number.NEGATIVE_INFINITY;
  let degraded = false;

  async function viaStore<T>(what: string, shared: () => Promise<T>, alone: () => Promise<T>): Promise<T> {
    if (now() < degradedUntil) return alone();
    try {
      const out = await withTimeout(shared(), timeoutMs, what);
      if (degraded) {
        degraded = false;
        onRecovered?.();
      }
      return out;
    } catch (err) {
      degradedUntil = now() + degradedMs;
      degraded = true;
      onFallback?.(err, degradedUntil);
      return alone();
    }
  }

  return {
    // Slack's per-channel pace: a reservation may legitimately take a while when many
    // processes race for one channel (each lost race is a read and a write), and answering
    // from a second, local schedule would collide with the shared one: no time limit, and
    // only the call whose store request failed goes by the local schedule.
    async reserve(key: string, spec: RateSpec) {
      try {
        return await store.reserveRate(key, spec);
      } catch (err) {
        onFallback?.(err, now());
        return local.reserve(key, spec);
      }
    },
    tryTake: (key: string, spec: RateSpec): Promise<Take> =>
      viaStore(`tryTakeRate(${key})`, () => store.tryTakeRate(key, spec), () => local.tryTake(key, spec)),
  };
}

/** The log lines of a store rate gate: one warning when it falls back, one line when it is back. */
export function loggedRateGateEvents(log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }): RateGateEvents {
  let warned = false;
  return {
    onFallback(err, until) {
      if (warned) return;
      warned = true;
      log.warn(
        { err: err instanceof Error ? err.message : String(err), until: new Date(until).toISOString() },
        'shared rate limits unavailable (store failed): pacing AWS and Slack calls in this process only',
      );
    },
    onRecovered() {
      warned = false;
      log.info({}, 'shared rate limits available again');
    },
  };
}
