// Rate limits that hold across every whybot process sharing a store: one schedule per key
// (an AWS quota's account × Region × API, a Slack channel), kept as GCRA's "theoretical
// arrival time" so that a reservation is one small atomic read-modify-write.
//
// Two ways through a gate:
// - takeSlot (Slack's per-channel pace): a caller reserves a slot and waits until it; it
//   never gets refused, so bursts queue instead of tripping the service's throttle. In any
//   window of w ms a key lets through at most burst + w / intervalMs slots, whichever
//   processes reserve them; a caller that wakes late still goes, so the calls themselves can
//   bunch up behind a stalled event loop or a slow store.
// - takeToken (AWS quotas, which hold per account × Region, not per process): a caller takes
//   a token at the moment it leaves, by one conditional update of the shared state (a token
//   bucket in GCRA form: "tat" is when the bucket is next full enough). The state records
//   when calls actually left, so lateness cannot bunch them: with burst 1, the grants of all
//   processes together are ≥ intervalMs apart on the store's clock, and a call leaves
//   within STALE_GRANT_MS of its grant or asks again. Refused callers wait until the time the
//   store named and ask again. The in-process limiter is the fast path in front of it: per
//   key, one caller of a process at a time asks the store (the others queue in the process,
//   FIFO, costing the store nothing), and never sooner than one interval after this process's
//   own last call or before the time the store last named. So the store sees at most one
//   request per process per interval and key, and the bound holds whatever the number of
//   processes: ≤ burst + w / intervalMs calls in any window of w ms, plus only the spread of
//   grant-to-wire latency (a few ms).

export interface RateSpec {
  /** sustained calls per second */
  perSecond: number;
  /** calls allowed back to back before pacing starts (≥ 1) */
  burst: number;
}

export interface Reservation {
  /** epoch ms at which the caller may make its call (≥ now) */
  goAt: number;
  /** the key's new theoretical arrival time, to be stored */
  tat: number;
}

export const intervalOf = (spec: RateSpec): number => 1000 / spec.perSecond;

/** GCRA with reservation: where the next call goes, given the stored state (undefined = idle). */
export function reserveSlot(storedTat: number | undefined, now: number, spec: RateSpec): Reservation {
  const interval = intervalOf(spec);
  const tat = Math.max(storedTat ?? now, now);
  const goAt = Math.max(now, tat - (Math.max(1, spec.burst) - 1) * interval);
  return { goAt, tat: Math.max(tat, goAt) + interval };
}

/** Whether a call may leave now (and the key's new tat, to be stored), or when to ask again. */
export type Take = { ok: true; tat: number } | { ok: false; retryAt: number };

/**
 * GCRA without reservation (a token bucket of `burst` tokens refilled at `perSecond`): a call
 * may leave now if the bucket holds a token; taking it moves tat on by one interval. A refused
 * call changes nothing and learns when the next token is there.
 */
export function takeNow(storedTat: number | undefined, now: number, spec: RateSpec): Take {
  const interval = intervalOf(spec);
  const tat = Math.max(storedTat ?? now, now);
  const allowedAt = tat - (Math.max(1, spec.burst) - 1) * interval;
  if (now < allowedAt) return { ok: false, retryAt: allowedAt };
  return { ok: true, tat: tat + interval };
}

/** Where rate state lives: memory (one process) or the store (every process sharing it). */
export interface RateGate {
  /** reserves the key's next slot: epoch ms at which the caller may go */
  reserve(key: string, spec: RateSpec): Promise<number>;
  /** takes a token now if there is one (one atomic conditional update), else says when to ask again */
  tryTake(key: string, spec: RateSpec): Promise<Take>;
}

export class MemoryRateGate implements RateGate {
  private readonly tats = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(key: string, spec: RateSpec): Promise<number> {
    const r = reserveSlot(this.tats.get(key), this.now(), spec);
    this.tats.set(key, r.tat);
    return r.goAt;
  }

  async tryTake(key: string, spec: RateSpec): Promise<Take> {
    const r = takeNow(this.tats.get(key), this.now(), spec);
    if (r.ok) this.tats.set(key, r.tat);
    return r;
  }
}

let shared: RateGate = new MemoryRateGate();

/** The gate every limiter of this process uses (the store's, once a process has one). */
export function useRateGate(gate: RateGate): void {
  shared = gate;
}

export function rateGate(): RateGate {
  return shared;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Per gate and key: when this process last let a call go, the chain of callers waiting to,
 * and (takeToken) when the shared state last said the next token would be there and how
 * many grants in a row came late.
 */
const local = new WeakMap<RateGate, { lastGone: Map<string, number>; turns: Map<string, Promise<void>>; sharedNext: Map<string, number>; staleInRow: Map<string, number> }>();
function localOf(gate: RateGate) {
  let l = local.get(gate);
  if (!l) {
    l = { lastGone: new Map(), turns: new Map(), sharedNext: new Map(), staleInRow: new Map() };
    local.set(gate, l);
  }
  return l;
}

/**
 * Reserves a slot for `key` and waits until it comes. Where no burst is allowed (an AWS
 * quota), callers of this process also leave one interval apart in fact: timers that were
 * due during a stalled event loop fire together, and requests that leave together arrive
 * together, whatever slots they were given.
 */
export async function takeSlot(key: string, spec: RateSpec, gate: RateGate = shared, now: () => number = Date.now): Promise<void> {
  const goAt = await gate.reserve(key, spec);
  const wait = goAt - now();
  if (wait > 0) await sleep(wait);
  if (spec.burst > 1) return;
  const { lastGone } = localOf(gate);
  await inTurn(gate, key, async () => {
    const gap = intervalOf(spec) - (now() - (lastGone.get(key) ?? Number.NEGATIVE_INFINITY));
    if (gap > 0) await sleep(gap);
    lastGone.set(key, now());
  });
}

/** A grant older than this when the caller gets it (a slow store answer) is not used: the call would leave late and bunch with the next. */
export const STALE_GRANT_MS = 40;
/**
 * Stale grants dropped in a row before one is used anyway. Counted across calls, and reset
 * only by a prompt grant: a store that is always that slow (a DynamoDB table far away) costs
 * its first call three tokens, not every call (which would cut the quota to a quarter for
 * every process sharing it).
 */
const MAX_STALE_GRANTS = 3;
/** Refused callers of several processes wake together at the time the store named: spread them a little. */
const WAKE_JITTER_MS = 8;

/** Runs `f` after the caller ahead of it in this process (per gate and key) is through. */
async function inTurn<T>(gate: RateGate, key: string, f: () => Promise<T>): Promise<T> {
  const { turns } = localOf(gate);
  const previous = turns.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  turns.set(key, mine);
  await previous;
  try {
    return await f();
  } finally {
    done();
    if (turns.get(key) === mine) turns.delete(key);
  }
}

/**
 * Takes a token of `key` at the moment of leaving and resolves when the caller may make its
 * call (see the header: the bound holds across every process sharing the gate). Never
 * refused for good: a refused caller waits for the time the gate names and asks again.
 */
export async function takeToken(key: string, spec: RateSpec, gate: RateGate = shared, now: () => number = Date.now): Promise<void> {
  const { lastGone, sharedNext, staleInRow } = localOf(gate);
  const interval = intervalOf(spec);
  await inTurn(gate, key, async () => {
    for (;;) {
      // the fast path: this process's own pace and what the shared state last said, no store call
      const ownNext = spec.burst > 1 ? Number.NEGATIVE_INFINITY : (lastGone.get(key) ?? Number.NEGATIVE_INFINITY) + interval;
      const wait = Math.max(ownNext, sharedNext.get(key) ?? Number.NEGATIVE_INFINITY) - now();
      if (wait > 0) await sleep(wait);
      const asked = now();
      const r = await gate.tryTake(key, spec);
      if (!r.ok) {
        sharedNext.set(key, r.retryAt + Math.random() * WAKE_JITTER_MS);
        continue;
      }
      if (now() - asked > STALE_GRANT_MS) {
        const inRow = (staleInRow.get(key) ?? 0) + 1;
        staleInRow.set(key, inRow);
        if (inRow <= MAX_STALE_GRANTS) continue;
      } else staleInRow.delete(key);
      lastGone.set(key, now());
      return;
    }
  });
}
