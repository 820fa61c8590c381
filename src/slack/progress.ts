// Live checklist updates: at most one chat.update per interval per message and at most one in
// flight, coalescing intermediate states (a slow or paced channel gets the latest state, not
// a backlog), and never overwriting the final verdict with a late progress state.
export class CoalescingUpdater<S> {
  private latest: S | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private finished = false;

  constructor(
    private readonly send: (state: S) => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  push(state: S): void {
    if (this.finished) return;
    this.latest = state;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.inflight || this.latest === undefined || this.finished) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    const state = this.latest;
    this.latest = undefined;
    if (state === undefined || this.finished) return;
    this.lastSentAt = this.now();
    this.inflight = this.send(state)
      .catch(() => undefined)
      .finally(() => {
        this.inflight = undefined;
        this.schedule();
      });
  }

  /** Stops progress updates, waits for the one in flight, then sends the final state. */
  async finish(final: () => Promise<void>): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight;
    await final();
  }
}
