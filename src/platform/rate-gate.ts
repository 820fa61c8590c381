// Rate limits that hold across every whybot process sharing a store: one schedule per key
// (an AWS quota's account × Region × API, a Slack channel), kept as GCRA's "theoretical
// arrival time" so that a reservation is one small atomic read-modify-write.
//
// A caller reserves a slot and waits until it; it never gets refused, so bursts queue
// instead of tripping the service's throttle. In any window of w ms a key lets through at
// most burst + w / intervalMs calls, whichever processes make them.

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

/** Where rate state lives: memory (one process) or the store (every process sharing it). */
export interface RateGate {
  reserve(key: string, spec: RateSpec): Promise<number>;
}

export class MemoryRateGate implements RateGate {
  private readonly tats = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(key: string, spec: RateSpec): Promise<number> {
    const r = reserveSlot(this.tats.get(key), this.now(), spec);
    this.tats.set(key, r.tat);
    return r.goAt;
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

/** Per gate and key, when this process last let a call go, and the chain of callers waiting to. */
const local = new WeakMap<RateGate, { lastGone: Map<string, number>; turns: Map<string, Promise<void>> }>();
function localOf(gate: RateGate) {
  let l = local.get(gate);
  if (!l) {
    l = { lastGone: new Map(), turns: new Map() };
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
  const { lastGone, turns } = localOf(gate);
  const previous = turns.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  turns.set(key, mine);
  await previous;
  try {
    const gap = intervalOf(spec) - (now() - (lastGone.get(key) ?? Number.NEGATIVE_INFINITY));
    if (gap > 0) await sleep(gap);
    lastGone.set(key, now());
  } finally {
    done();
    if (turns.get(key) === mine) turns.delete(key);
  }
}
