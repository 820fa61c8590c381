// Identical read calls share one AWS call: when 100 people ask about the same DB, the
// investigations that run at the same time (or within the window) cost the AWS calls of one.
// Calls are identical when account, Region, client, operation and parameters match, with
// times in the parameters (a look-back window ending "now") equal to within the window.
// Any write through this process in the same account drops what was kept for that account,
// so a read after a remediation sees its effect.

import { BroadcastChannel } from 'node:worker_threads';
import { currentCheck } from './abort.js';

/** Operations that only read; everything else is a write and invalidates. */
const READ_OPERATION = /^(Describe|List|Get|BatchGet|Lookup|Filter|Simulate|Search)/;

export const isReadOperation = (operation: string): boolean => READ_OPERATION.test(operation);

interface Entry {
  dates: number[];
  startedAt: number;
  settled: boolean;
  result: Promise<unknown>;
}

export interface SharedReadsStats {
  calls: number;
  shared: number;
}

/** Parameters as a key, with every Date taken out (to be matched within the window). */
function shape(input: unknown): { key: string; dates: number[] } {
  const dates: number[] = [];
  const key = JSON.stringify(input, function (this: Record<string, unknown>, k, v: unknown) {
    const raw = this[k];
    if (raw instanceof Date) {
      dates.push(raw.getTime());
      return '<date>';
    }
    return v;
  });
  return { key: key ?? '', dates };
}

const isAbort = (err: unknown): boolean => err instanceof Error && err.name === 'AbortError';
const callerAborted = (): boolean => currentCheck()?.signal.aborted === true;

function copy<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value; // not cloneable (never seen with SDK outputs): shared as it is
  }
}

export class SharedReads {
  private readonly entries = new Map<string, Entry[]>();
  readonly stats: SharedReadsStats = { calls: 0, shared: 0 };

  constructor(
    private readonly windowMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `call` unless an identical read started within the window (or is still running),
   * in which case its result is shared. Failed calls are not kept for later callers.
   * Every caller gets its own copy, so no caller can change another's result.
   */
  async read<T>(account: string, what: string, input: unknown, call: () => Promise<T>): Promise<T> {
    this.stats.calls++;
    if (this.stats.calls % 256 === 0) this.prune(this.now());
    const { key, dates } = shape(input);
    const id = `${account}|${what}|${key}`;
    const t = this.now();
    const list = (this.entries.get(id) ?? []).filter((e) => !e.settled || t - e.startedAt <= this.windowMs);
    const match = list.find((e) => e.dates.length === dates.length && e.dates.every((d, i) => Math.abs(d - dates[i]!) <= this.windowMs));
    if (match) {
      this.stats.shared++;
      try {
        return copy((await match.result) as T);
      } catch (err) {
        // The shared call was cut because the check that started it timed out; this caller's
        // check has not, so it makes the call itself.
        if (isAbort(err) && !callerAborted()) return copy(await call());
        throw err;
      }
    }
    const entry: Entry = { dates, startedAt: t, settled: false, result: call() };
    list.push(entry);
    this.entries.set(id, list);
    entry.result.then(
      () => {
        entry.settled = true;
      },
      () => {
        const l = this.entries.get(id);
        if (l) this.entries.set(id, l.filter((e) => e !== entry));
      },
    );
    return copy((await entry.result) as T);
  }

  /** A write happened in this account: later reads go to AWS (here, and in every other thread). */
  invalidate(account: string): void {
    this.drop(account);
    this.peers?.postMessage(account);
  }

  drop(account: string): void {
    for (const id of this.entries.keys()) if (id.startsWith(`${account}|`)) this.entries.delete(id);
  }

  /** Forgets settled results older than the window (reads that never recur would otherwise stay). */
  private prune(t: number): void {
    for (const [id, list] of this.entries) {
      const live = list.filter((e) => !e.settled || t - e.startedAt <= this.windowMs);
      if (live.length === 0) this.entries.delete(id);
      else if (live.length !== list.length) this.entries.set(id, live);
    }
  }

  /** The other threads of this process (worker threads each have their own cache). */
  private peers: BroadcastChannel | undefined;

  shareWithThreads(): this {
    this.peers = new BroadcastChannel('whybot-shared-reads');
    this.peers.onmessage = (event) => {
      const account = (event as { data?: unknown }).data;
      if (typeof account === 'string') this.drop(account);
    };
    (this.peers as unknown as { unref?: () => void }).unref?.();
    return this;
  }
}

/** The process's shared reads (investigation clients use it; remediation clients never do). */
export const sharedReads = new SharedReads().shareWithThreads();
