// A bounded pool for the work behind Slack's acks. The receiver only admits a job (started,
// queued as #N, or refused when the queue is full) and acks; the job runs in a lane: a worker
// thread (the default), or the receiver's own thread when configured for debugging. Each lane
// runs a fixed number of jobs at once; the rest wait in one FIFO queue of bounded depth, so
// memory stays bounded however many people type at once.

export type Admission =
  | { state: 'started' }
  | { state: 'queued'; position: number; running: number }
  | { state: 'refused'; reason: string }
  /** the same question is already being answered in the same place */
  | { state: 'joined'; askedBy: string; askedAt: number };

/** Somewhere jobs run: `capacity` at once. run() settles when the job has finished. */
export interface Lane<J> {
  readonly capacity: number;
  run(job: J): Promise<void>;
  close(): Promise<void>;
}

export interface JobPoolOptions<J> {
  lanes: Lane<J>[];
  queueDepth: number;
  /** a job failed or its lane died under it: nothing is dropped silently */
  onError: (err: unknown, job: J) => void;
  /** a job has finished, failed or been dropped at close */
  onSettled?: (job: J) => void;
}

export interface PoolStats {
  running: number;
  queued: number;
  /** most jobs ever waiting at once */
  peakQueued: number;
  refused: number;
}

export class JobPool<J> {
  private readonly queue: J[] = [];
  private readonly running: number[];
  private readonly settled = new Set<() => void>();
  private closed = false;
  readonly stats: PoolStats = { running: 0, queued: 0, peakQueued: 0, refused: 0 };

  constructor(private readonly opts: JobPoolOptions<J>) {
    if (opts.lanes.length === 0) throw new Error('a job pool needs at least one lane');
    this.running = opts.lanes.map(() => 0);
  }

  /** close() was called: what fails from now on is left to whoever reconciles. */
  get closing(): boolean {
    return this.closed;
  }

  get capacity(): number {
    return this.opts.lanes.reduce((n, l) => n + l.capacity, 0);
  }

  /** Admits a job without waiting for anything: this runs on the ack path. */
  admit(job: J): Admission {
    if (this.closed) return { state: 'refused', reason: 'whybot is shutting down' };
    const lane = this.freeLane();
    if (lane !== undefined) {
      this.start(lane, job);
      return { state: 'started' };
    }
    if (this.queue.length >= this.opts.queueDepth) {
      this.stats.refused++;
      return { state: 'refused', reason: `whybot is busy: ${this.stats.running} running and ${this.queue.length} waiting` };
    }
    this.queue.push(job);
    this.stats.queued = this.queue.length;
    this.stats.peakQueued = Math.max(this.stats.peakQueued, this.queue.length);
    return { state: 'queued', position: this.queue.length, running: this.stats.running };
  }

  /** Resolves when nothing runs or waits (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.stats.running > 0 || this.queue.length > 0) await new Promise<void>((resolve) => this.settled.add(resolve));
  }

  /** Refuses new jobs, lets admitted ones finish (up to `graceMs`), then closes the lanes. */
  async close(graceMs = 30_000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await Promise.all(this.opts.lanes.map((l) => l.close()));
  }

  private freeLane(): number | undefined {
    let best: number | undefined;
    this.opts.lanes.forEach((lane, i) => {
      const free = lane.capacity - this.running[i]!;
      if (free > 0 && (best === undefined || free > this.opts.lanes[best]!.capacity - this.running[best]!)) best = i;
    });
    return best;
  }

  private start(lane: number, job: J): void {
    this.running[lane]!++;
    this.stats.running++;
    let run: Promise<void>;
    try {
      run = this.opts.lanes[lane]!.run(job);
    } catch (err) {
      run = Promise.reject(err);
    }
    void run
      .catch((err: unknown) => this.opts.onError(err, job))
      .finally(() => {
        this.opts.onSettled?.(job);
        this.running[lane]!--;
        this.stats.running--;
        const next = this.queue.shift();
        this.stats.queued = this.queue.length;
        if (next !== undefined) this.start(lane, next);
        if (this.stats.running === 0 && this.queue.length === 0) {
          for (const resolve of this.settled) resolve();
          this.settled.clear();
        }
      });
  }
}
