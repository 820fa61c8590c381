// The `failures` function: the worker's on-failure destination, read from SQS. Lambda sends a
// record there when an asynchronous worker invocation ends in an error the worker could not
// report itself — a crash, a timeout, an out-of-memory kill, a failed cold start (a missing SSM
// parameter) — or was never run (too old in Lambda's queue). The record carries the job the
// Slack function handed over (channel, user, response_url…); this tells that person, in their
// thread (whose root then says the investigation failed instead of showing a checklist) or
// through their response_url, that the work failed and why (the error's first line,
// redacted: never a stack; src/slack/failure-notice.ts). It needs as little as possible to do that: the bot token only
// (a response_url needs none), no signing or action secret, so the cold start that failed in
// the worker does not fail here too.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { WebClient } from '@slack/web-api';
import * as z from 'zod';
import { getParameters } from '../aws/ssm.js';
import { loadConfig } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { redactSecrets } from '../redact/text.js';
import { slackClient } from '../slack/client.js';
import { tellFailure, type FailureNoticeDeps } from '../slack/failure-notice.js';
import { JobSchema } from '../slack/jobs.js';
import { createDynamoStore } from '../store/dynamodb.js';
import type { JournalEntry, Store } from '../store/types.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** What Lambda puts on the destination queue for a failed asynchronous invocation. */
export const FailureRecordSchema = z.object({
  requestContext: z.object({
    requestId: z.string(),
    functionArn: z.string().optional(),
    condition: z.string(), // RetriesExhausted | EventAgeExceeded
    approximateInvokeCount: z.number().optional(),
  }),
  requestPayload: z.unknown(),
  responseContext: z.object({ statusCode: z.number().optional(), functionError: z.string().optional() }).optional(),
  responsePayload: z.unknown().optional(),
});
export type FailureRecord = z.infer<typeof FailureRecordSchema>;

const ErrorPayload = z.object({ errorType: z.string().optional(), errorMessage: z.string().optional() });
const SqsEvent = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });

const MAX_REASON = 300;

/** Why the invocation failed, in one line a person can act on: no stack, no secret. */
export function failureReason(record: FailureRecord): string {
  if (record.requestContext.condition === 'EventAgeExceeded') return 'it waited too long in Lambda’s queue and was never run';
  const payload = ErrorPayload.safeParse(record.responsePayload);
  const message = payload.success ? (payload.data.errorMessage ?? '') : '';
  const type = payload.success ? payload.data.errorType : undefined;
  // first line only: Node puts the stack after it, and a message may carry one of its own
  const line = redactSecrets(message.split('\n')[0]!.trim()).slice(0, MAX_REASON);
  const timedOut = /Task timed out after ([\d.]+) seconds/.exec(line);
  if (timedOut) return `the worker ran out of time (Lambda stopped it after ${Math.round(Number(timedOut[1]))} s)`;
  if (/Runtime\.(OutOfMemory|ExitError)/.test(type ?? '') || /out of memory/i.test(line)) return `the worker stopped (${type ?? 'exited'}${line ? `: ${line}` : ''})`;
  if (type?.startsWith('Runtime.') || record.responseContext?.functionError === 'Unhandled') return `the worker failed${line ? `: ${line}` : ''}${type && !line.includes(type) ? ` (${type})` : ''}`;
  return line ? `the worker failed: ${line}` : 'the worker failed without saying why';
}

export interface FailureDeps extends FailureNoticeDeps {
  store?: Pick<Store, 'journalGet' | 'journalUpdate' | 'claimOnce' | 'finishClaim' | 'getClaim'>;
  now?: () => number;
}

export type Told = 'told' | 'already-handled' | 'no-one-to-tell' | 'not-a-job';

/**
 * The failures function's timeout (serverless.yml, functions.failures.timeout): a telling
 * attempt whose claim is older than this was stopped by Lambda, whatever its claim says.
 */
export const FAILURES_TIMEOUT_MS = 30_000;
/** Attempts at telling one failed invocation: SQS gives up sooner (maxReceiveCount 5, then the DLQ). */
const MAX_TELLING_ATTEMPTS = 10;

/** Another delivery of the same record is telling the person right now: this one goes back to the queue. */
export class TellingInProgress extends Error {
  constructor(nonce: string) {
    super(`another delivery is telling the user (${nonce}); the message is tried again after its visibility timeout`);
    this.name = 'TellingInProgress';
  }
}

/**
 * Claims the telling of one failed invocation. SQS delivers at least once, and a delivery may
 * die half-way (the failures function stopped at its timeout mid-say): each attempt has a
 * nonce of its own, `worker-failure:<requestId>`, then `…#1`, `…#2`. An attempt that is done
 * means the person was told; one that failed, or is still "running" after the function's
 * timeout (its function was stopped), did not tell them, and the next nonce is taken. A claim
 * store never hands out an existing nonce again (an expired claim still blocks it), hence the
 * new nonce rather than a retaken one. Undefined: already told.
 */
async function claimTelling(store: NonNullable<FailureDeps['store']>, requestId: string, now: () => number): Promise<string | undefined> {
  for (let attempt = 0; attempt < MAX_TELLING_ATTEMPTS; attempt++) {
    const nonce = `worker-failure:${requestId}${attempt ? `#${attempt}` : ''}`;
    const claim = await store.claimOnce({ nonce, actor: 'lambda-destination', action: 'worker-failure', ttlSeconds: 7 * 86_400 });
    if (claim.won) return nonce;
    const { state, claimedAt } = claim.existing;
    if (state === 'done') return undefined;
    // a live attempt: better twice than never, but not two at once
    if (state === 'running' && now() - Date.parse(claimedAt) <= FAILURES_TIMEOUT_MS) throw new TellingInProgress(nonce);
  }
  throw new Error(`worker-failure:${requestId}: ${MAX_TELLING_ATTEMPTS} telling attempts, none finished`);
}

/** Tells whoever asked for the job in `record` that it failed; once per failed invocation. */
export async function tellInvocationFailed(record: FailureRecord, deps: FailureDeps): Promise<Told> {
  const parsed = JobSchema.safeParse(record.requestPayload);
  if (!parsed.success) {
    deps.log.error({ requestId: record.requestContext.requestId }, 'failed worker invocation carried no job; nothing to tell');
    return 'not-a-job';
  }
  const job = parsed.data;
  const reason = failureReason(record);
  deps.log.error({ job: job.kind, requestId: record.requestContext.requestId, condition: record.requestContext.condition, reason }, 'worker invocation failed');
  if (job.kind === 'reconcile') return 'no-one-to-tell'; // the journal keeps the write open; the reconciler takes it on
  const id = job.journalId;
  let entry: JournalEntry | undefined;
  if (id && deps.store) {
    // finished by a later run (the reconciler took it over), or failed and already reported
    entry = await deps.store.journalGet(id);
    if (entry?.state === 'done') return 'already-handled';
    // taken over by the reconciler in another container: that run answers, this would contradict it
    if (entry?.facts.takenOverFrom !== undefined) return 'already-handled';
  }
  const nonce = deps.store ? await claimTelling(deps.store, record.requestContext.requestId, deps.now ?? Date.now) : undefined;
  if (deps.store && !nonce) return 'already-handled';
  try {
    await tellFailure(job, reason, entry?.facts, deps);
  } catch (err) {
    if (nonce) await deps.store?.finishClaim(nonce, 'failed', 'not told').catch(() => undefined);
    throw err;
  }
  if (nonce) await deps.store?.finishClaim(nonce, 'done', 'told').catch(() => undefined);
  // closed, so neither the reconciler nor a late delivery runs it again after the person was told
  if (id && deps.store) await deps.store.journalUpdate(id, { state: 'done', stage: 'failed' }).catch((err: unknown) => deps.log.warn({ err: String(err) }, 'journal entry not closed'));
  return 'told';
}

const EnvSchema = z.object({
  AWS_REGION: z.string(),
  WHYBOT_SSM_PREFIX: z.string().regex(/^\/[\w./-]+$/),
  WHYBOT_TABLE: z.string().min(3).optional(),
});

interface Failures {
  deps: FailureDeps;
}

/** Everything optional but the logger: a part that cannot be had narrows who can be told, it does not stop the rest. */
async function init(): Promise<Failures> {
  const log = createLogger(process.env.WHYBOT_LOG_LEVEL ?? 'info', { fn: 'failures' });
  const env = EnvSchema.safeParse(process.env);
  if (!env.success) throw new Error(`bad Lambda environment: ${z.prettifyError(env.error)}`);
  const { AWS_REGION: region, WHYBOT_SSM_PREFIX: prefix, WHYBOT_TABLE: table } = env.data;
  const store = table ? createDynamoStore({ table, client: new DynamoDBClient({ region }), destroyClientOnClose: true }) : undefined;
  const ssm = new SSMClient({ region });
  const name = `${prefix}/slack-bot-token`;
  const token = await getParameters(ssm, [name])
    .then((r) => r.values[name])
    .catch((err: unknown) => {
      log.error({ err: String(err) }, 'bot token not read; only response_url answers are possible');
      return undefined;
    })
    .finally(() => ssm.destroy());
  let client: WebClient | undefined;
  if (token) {
    const loaded = loadConfig({ ...process.env, SLACK_BOT_TOKEN: token });
    if (loaded.ok) client = slackClient(loaded.config, token);
    else log.error({ problems: loaded.problems }, 'bad configuration; only response_url answers are possible');
  }
  return { deps: { ...(store ? { store } : {}), ...(client ? { client } : {}), log } };
}

let ready: Promise<Failures> | undefined;

/** SQS batch (ReportBatchItemFailures): a message that could not be told goes back, then to the queue's DLQ. */
export async function handler(event: unknown): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  ready ??= init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const { deps } = await ready;
  const batch = SqsEvent.safeParse(event);
  if (!batch.success) {
    deps.log.error('not an SQS event; dropped');
    return { batchItemFailures: [] };
  }
  const failed: { itemIdentifier: string }[] = [];
  for (const m of batch.data.Records) {
    let record: FailureRecord;
    try {
      record = FailureRecordSchema.parse(JSON.parse(m.body));
    } catch {
      deps.log.error({ messageId: m.messageId }, 'not a Lambda destination record; dropped');
      continue;
    }
    try {
      await tellInvocationFailed(record, deps);
    } catch (err) {
      if (err instanceof TellingInProgress) deps.log.info({ messageId: m.messageId }, err.message);
      else deps.log.error({ err: String(err), messageId: m.messageId }, 'could not tell the user; the message goes back to the queue');
      failed.push({ itemIdentifier: m.messageId });
    }
  }
  return { batchItemFailures: failed };
}
