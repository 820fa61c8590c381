// The pool's lanes for `npm start`: worker threads running entry/job-thread.ts, or (when
// WHYBOT_WORKER_THREADS=0) the receiver's own thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { Lane } from '../engine/job-pool.js';
import type { Logger } from '../logger.js';
import type { JobHandler } from '../slack/job-handler.js';
import type { Job } from '../slack/jobs.js';
import type { ThreadData } from './job-thread.js';

/** The compiled thread script; from the sources (tests), its build in dist/. */
export function threadScript(): URL {
  const here = new URL('./job-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(here.href.replace(/\/src\/entry\/job-thread\.js$/, '/dist/entry/job-thread.js'));
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`no compiled job thread at ${fileURLToPath(here)} or ${fileURLToPath(built)}: run npm run build`);
}

export class InlineLane implements Lane<Job> {
  constructor(
    private readonly handler: JobHandler,
    readonly capacity: number,
  ) {}

  run(job: Job): Promise<void> {
    return this.handler.handle(job);
  }

  close(): Promise<void> {
    return this.handler.close();
  }
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * One worker thread. If it dies, the jobs it was running fail (the pool reports them) and a
 * new thread takes the next jobs.
 */
export class ThreadLane implements Lane<Job> {
  private worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;

  constructor(
    private readonly data: ThreadData,
    readonly capacity: number,
    private readonly log: Logger,
  ) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = new Worker(threadScript(), { workerData: this.data, env: SHARE_ENV });
    worker.on('message', (msg: { type: string; id?: number; error?: string }) => {
      if (msg.type !== 'done' || msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error === undefined) p?.resolve();
      else p?.reject(new Error(msg.error));
    });
    worker.on('error', (err) => this.log.error({ err, thread: this.data.index }, 'job thread crashed'));
    worker.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`the job thread exited (code ${code}) while this job ran`));
      this.pending.clear();
      if (!this.closing) {
        this.log.warn({ code, thread: this.data.index }, 'job thread exited; starting a new one');
        this.worker = this.spawn();
      }
    });
    return worker;
  }

  run(job: Job): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'run', id, job });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
