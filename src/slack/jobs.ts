// The investigation path, separate from the ack path: locally a job runs in this process
// after the ack; on Lambda the same job is handed to an asynchronous invocation.
import { z } from 'zod';

export const InvestigateJobSchema = z.object({
  kind: z.literal('investigate'),
  playbook: z.string(),
  channel: z.string(),
  user: z.string(),
  target: z.string().optional(),
  region: z.string(),
  hours: z.number().int(),
  secret: z.string().optional(),
  responseUrl: z.string().url().optional(),
});
export type InvestigateJob = z.infer<typeof InvestigateJobSchema>;

export interface JobRunner {
  dispatch(job: InvestigateJob): Promise<void>;
}

/** Runs jobs in this process, after the listener has acked; tracks them for a clean stop. */
export class InProcessJobRunner implements JobRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly handle: (job: InvestigateJob) => Promise<void>,
    private readonly onError: (err: unknown, job: InvestigateJob) => void,
  ) {}

  dispatch(job: InvestigateJob): Promise<void> {
    const p = this.handle(job)
      .catch((err: unknown) => this.onError(err, job))
      .finally(() => this.running.delete(p));
    this.running.add(p);
    return Promise.resolve();
  }

  /** Waits for every job in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
