// On AWS the Slack function acks and hands the work to the worker function by an
// asynchronous invocation. Bolt JS has no lazy listeners: this runner is the handoff.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { invokeAsync } from '../aws/lambda.js';
import { randomUUID } from 'node:crypto';
import type { Admission, Job, JobRunner } from '../slack/jobs.js';
import type { Store } from '../store/types.js';

export class LambdaJobRunner implements JobRunner {
  constructor(
    private readonly client: LambdaClient,
    private readonly workerFunction: string,
    private readonly onHandoffFailed: (job: Job, reason: string) => void,
    /** the job is journaled before it is handed over (and before Slack is answered) */
    private readonly journal?: { store: Pick<Store, 'journalPut' | 'journalUpdate'>; owner: string },
    private readonly onJournalFailed?: (err: unknown) => void,
  ) {}

  async dispatch(job: Job): Promise<Admission> {
    // Journaled when the table answers; an asynchronous Invoke is itself queued and retried by
    // Lambda, so a journal that cannot be written does not stop the handoff.
    let id: string | undefined = this.journal && job.kind !== 'reconcile' ? randomUUID() : undefined;
    let journaled = (id ? { ...job, journalId: id } : job) as Job;
    if (id && this.journal) {
      const now = new Date().toISOString();
      try {
        await this.journal.store.journalPut({ id, kind: 'job', body: journaled, state: 'open', stage: 'queued', facts: {}, owner: this.journal.owner, createdAt: now, updatedAt: now });
      } catch (err) {
        this.onJournalFailed?.(err);
        id = undefined;
        journaled = job;
      }
    }
    try {
      await invokeAsync(this.client, this.workerFunction, journaled);
      return { state: 'started' };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.onHandoffFailed(job, reason);
      if (id) await this.journal?.store.journalUpdate(id, { state: 'done', stage: 'refused' }).catch(() => undefined);
      // the listener's answer says so to the person who asked: nothing is lost silently
      return { state: 'refused', reason: `whybot could not hand this to its worker (${reason})` };
    }
  }
}
