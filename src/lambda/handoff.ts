// On AWS the Slack function acks and hands the work to the worker function by an
// asynchronous invocation. Bolt JS has no lazy listeners: this runner is the handoff.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { invokeAsync } from '../aws/lambda.js';
import type { Admission, Job, JobRunner } from '../slack/jobs.js';

export class LambdaJobRunner implements JobRunner {
  constructor(
    private readonly client: LambdaClient,
    private readonly workerFunction: string,
    private readonly onHandoffFailed: (job: Job, reason: string) => void,
  ) {}

  async dispatch(job: Job): Promise<Admission> {
    try {
      await invokeAsync(this.client, this.workerFunction, job);
      return { state: 'started' };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.onHandoffFailed(job, reason);
      // the listener's answer says so to the person who asked: nothing is lost silently
      return { state: 'refused', reason: `whybot could not hand this to its worker (${reason})` };
    }
  }
}
