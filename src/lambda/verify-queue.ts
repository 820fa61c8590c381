// Long verifications on Lambda (an ECS rollout takes minutes): the worker looks for a short
// budget, and when the answer is not in yet it sends itself a delayed SQS message (VerifyQueue
// in serverless.yml, at most 15 minutes' delay) and returns, instead of waiting inside its
// invocation. The queue's event source mapping delivers the message back to the worker, which
// resumes the write's journal entry where it stood ("verifying", the first deadline kept).
// SQS delivers at least once: a delivery resumes only the attempt it was sent for, and takes
// the same claim the reconciler would, so a repeated or late one changes and reports nothing.
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { delaySecondsFor, sendDelayed } from '../aws/sqs.js';
import { reconcileWrite, scheduledOwner, type ExecutionDeps, type ExecutionOutcome, type VerifyScheduler } from '../engine/execute-once.js';
import type { Logger } from '../logger.js';

/** The message body: which write's verification to resume, and which scheduled attempt this is. */
export const VerifyMessageSchema = z.object({
  kind: z.literal('verify'),
  /** the write's journal id (write:<nonce>) */
  write: z.string().min(1).max(500),
  attempt: z.number().int().min(1),
});
export type VerifyMessage = z.infer<typeof VerifyMessageSchema>;

/** A message body as a VerifyMessage; undefined when it is not JSON or not one. */
export function parseVerifyMessage(body: string): VerifyMessage | undefined {
  try {
    const parsed = VerifyMessageSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The SQS event Lambda's event source mapping hands the worker. */
export const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string(), eventSource: z.literal('aws:sqs').optional() })).min(1),
});
export type SqsEvent = z.infer<typeof SqsEventSchema>;

/** Schedules the next look as a delayed message on the verify queue. */
export function sqsVerifyScheduler(client: SQSClient, queueUrl: string, budgetMs: number, log: Logger): VerifyScheduler {
  return {
    budgetMs,
    async schedule({ writeId, attempt, delayMs }) {
      const message: VerifyMessage = { kind: 'verify', write: writeId, attempt };
      try {
        await sendDelayed(client, queueUrl, message, delaySecondsFor(delayMs));
      } catch (err) {
        log.warn({ err: String(err), write: writeId, attempt }, 'verification not scheduled; this invocation verifies to the end');
        throw err;
      }
    },
  };
}

export type Resumed =
  | { state: 'resumed'; outcome: ExecutionOutcome }
  /** finished, or resumed already by an earlier delivery or the reconciler, or no such entry */
  | { state: 'nothing-to-do'; why: 'done' | 'missing' | 'other-attempt' | 'claimed' };

/** Resumes the verification one message was sent for; once, however often it is delivered. */
export async function resumeVerification(message: VerifyMessage, deps: ExecutionDeps): Promise<Resumed> {
  const { store } = deps;
  const entry = await store.journalGet(message.write);
  if (!entry || entry.kind !== 'write') return { state: 'nothing-to-do', why: 'missing' };
  if (entry.state === 'done') return { state: 'nothing-to-do', why: 'done' };
  // another attempt is scheduled, or a process has it (the reconciler took a lost message over)
  if (entry.owner !== scheduledOwner(message.attempt)) return { state: 'nothing-to-do', why: 'other-attempt' };
  // the reconciler's takeover claim: exactly one of the deliveries and the reconciler goes on
  const claim = await store.claimOnce({ nonce: `takeover:${entry.id}:${entry.owner}`, actor: deps.owner, action: 'reconcile', ttlSeconds: 86_400 });
  // (claimed by this very process already: an SDK retry of a put that had succeeded, or an
  // earlier try of this delivery that failed after the claim: it is still this one's to do)
  if (!claim.won && claim.existing.actor !== deps.owner) return { state: 'nothing-to-do', why: 'claimed' };
  // this invocation's now (its heartbeat keeps it): should it die, the reconciler resumes it
  const mine = await store.journalUpdate(entry.id, { owner: deps.owner, facts: { verifyResumeAt: '' } });
  return { state: 'resumed', outcome: await reconcileWrite(mine, deps) };
}
