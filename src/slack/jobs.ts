// The investigation path, separate from the ack path: locally a job runs in this process
// after the ack; on Lambda the same job is handed to an asynchronous invocation.
import * as z from 'zod';

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

/** A confirmed remediation: the signed button value is checked again where it runs. */
export const RemediateJobSchema = z.object({
  kind: z.literal('remediate'),
  value: z.string().max(2000),
  actor: z.string(),
  /** where the button was: its message gets the action's state */
  channel: z.string(),
  messageTs: z.string().optional(),
  /** the option chosen in the confirmation (e.g. "30" days) */
  choice: z.string().max(100).optional(),
});
export type RemediateJob = z.infer<typeof RemediateJobSchema>;

export const JobSchema = z.discriminatedUnion('kind', [InvestigateJobSchema, RemediateJobSchema]);
export type Job = z.infer<typeof JobSchema>;

export interface JobRunner {
  dispatch(job: Job): Promise<void>;
}

/** Runs jobs in this process, after the listener has acked; tracks them for a clean stop. */
export class InProcessJobRunner implements JobRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly handle: (job: Job) => Promise<void>,
    private readonly onError: (err: unknown, job: Job) => void,
  ) {}

  dispatch(job: Job): Promise<void> {
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
