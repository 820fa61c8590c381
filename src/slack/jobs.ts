// The investigation path, separate from the ack path: locally a job runs in this process
// after the ack; on Lambda the same job is handed to an asynchronous invocation.
import * as z from 'zod';
import type { Admission } from '../engine/job-pool.js';

export const InvestigateJobSchema = z.object({
  kind: z.literal('investigate'),
  playbook: z.string(),
  channel: z.string(),
  user: z.string(),
  target: z.string().optional(),
  region: z.string(),
  /** WHYBOT_ACCOUNTS alias asked for with --account (or picked from the menu) */
  account: z.string().optional(),
  /** the Region was asked for (--region, a menu choice); otherwise, with accounts, it is only a default and every Region is searched */
  regionAsked: z.boolean().optional(),
  hours: z.number().int(),
  secret: z.string().optional(),
  responseUrl: z.string().url().optional(),
  /** the journal entry that keeps this job until it is done */
  journalId: z.string().optional(),
  /** re-run after a crash: the thread root already posted, to be updated rather than posted again */
  resume: z.object({ channel: z.string(), ts: z.string() }).optional(),
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
  journalId: z.string().optional(),
});

/** A write left unfinished by a dead process: find out what happened and finish it. */
export const ReconcileJobSchema = z.object({
  kind: z.literal('reconcile'),
  journalId: z.string(),
});
export type ReconcileJob = z.infer<typeof ReconcileJobSchema>;
export type RemediateJob = z.infer<typeof RemediateJobSchema>;

export const JobSchema = z.discriminatedUnion('kind', [InvestigateJobSchema, RemediateJobSchema, ReconcileJobSchema]);
export type Job = z.infer<typeof JobSchema>;

/** How the receiver answers: started, queued behind others, or refused with a reason. */
export type { Admission } from '../engine/job-pool.js';

export interface JobRunner {
  /** Admits the job without running it; the listener acks with what this says. */
  dispatch(job: Job): Promise<Admission>;
}
