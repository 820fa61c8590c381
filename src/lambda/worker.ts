// The `worker` function: runs what the Slack function handed over (an investigation or a
// confirmed remediation) and posts to Slack. Invoked asynchronously; a bad payload is
// logged and dropped, never retried into a loop. It is also the verify queue's consumer: a
// remediation's verification that is not decided within a short budget is scheduled there
// (src/lambda/verify-queue.ts) and resumed by a later invocation, so none sits waiting.
import { accountOfFunctionArn, knowOwnAccount } from '../aws/own-account.js';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { schedulingSqsClient } from '../aws/sqs.js';
import type { WebClient } from '@slack/web-api';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { runInvestigation } from '../slack/investigate.js';
import { slackClient } from '../slack/client.js';
import { tellJobFailed } from '../slack/job-failed.js';
import { JobSchema, type Job } from '../slack/jobs.js';
import { investigationAws, readerAws, writerAws } from '../aws/for-config.js';
import { reconcileWrite, type ExecutionDeps } from '../engine/execute-once.js';
import { runRemediation } from '../slack/remediate-worker.js';
import { slackWriteReporter } from '../slack/write-report.js';
import { startHeartbeat } from '../engine/liveness.js';
import { reconcileOnce } from '../entry/reconciler.js';
import { coldStart, type Runtime } from './runtime.js';
import { parseVerifyMessage, resumeVerification, SqsEventSchema, sqsVerifyScheduler, type SqsEvent } from './verify-queue.js';

interface Worker {
  rt: Runtime;
  client: WebClient;
  /** absent without WHYBOT_VERIFY_QUEUE_URL */
  sqs?: SQSClient;
}

async function init(): Promise<Worker> {
  const rt = await coldStart('worker');
  const sqs = rt.verifyQueue ? schedulingSqsClient() : undefined;
  return { rt, client: slackClient(rt.config, rt.botToken), ...(sqs ? { sqs } : {}) };
}

/** What a write runs with here; undefined in a read-only deployment (no action secret). */
function executionDeps(w: Worker): (ExecutionDeps & { signer: ActionSigner; client: WebClient }) | undefined {
  const { rt, client } = w;
  const { config } = rt;
  if (!rt.actionSecret) return undefined;
  const verifyLater = w.sqs && rt.verifyQueue ? sqsVerifyScheduler(w.sqs, rt.verifyQueue.url, rt.verifyQueue.budgetMs, rt.log.child({ component: 'verify-queue' })) : undefined;
  return {
    config,
    store: rt.store,
    signer: new ActionSigner(rt.actionSecret),
    client,
    reportWrite: slackWriteReporter({ client, store: rt.store, config }),
    awsFor: readerAws(config),
    writerFor: writerAws(config),
    owner: rt.bootId,
    ...(verifyLater ? { verifyLater } : {}),
  };
}

let ready: Promise<Worker> | undefined;

/** Runs one job; a journaled one moves to "running" under this container, and to done. */
async function run(w: Worker, job: Job): Promise<boolean> {
  const { rt, client } = w;
  const { config } = rt;
  const execution = executionDeps(w);
  const signer = execution?.signer;
  const id = job.kind === 'reconcile' ? undefined : job.journalId;
  if (id) {
    // Delivered late (Lambda queued the invocation) after another container took it over: skip.
    const entry = await rt.store.journalGet(id);
    if (entry && (entry.state === 'done' || (entry.facts.takenOverFrom !== undefined && entry.owner !== rt.bootId))) return true;
    // Picking up a handed-over job is a takeover like the reconciler's: the same claim, so only one runs it.
    if (entry && entry.owner !== rt.bootId) {
      const mine = await rt.store.claimOnce({ nonce: `takeover:${id}:${entry.owner}`, actor: rt.bootId, action: 'reconcile', ttlSeconds: 86_400 });
      if (!mine.won) return true;
    }
    await rt.store.journalUpdate(id, { stage: 'running', owner: rt.bootId });
  }
  const done = async (ok: boolean) => {
    if (id) await rt.store.journalUpdate(id, { state: 'done', stage: ok ? 'finished' : 'dropped' });
    return ok;
  };
  if (job.kind === 'investigate') {
    // investigations in a warm container share identical recent reads; remediations never do
    await runInvestigation(job, { client, awsFor: investigationAws(config), config, store: rt.store, ...(signer ? { signer } : {}), log: rt.log.child({ job: job.playbook }) });
    return done(true);
  }
  if (!execution) {
    rt.log.warn('remediation job in a read-only deployment; dropped');
    return done(false);
  }
  if (job.kind === 'reconcile') {
    const entry = await rt.store.journalGet(job.journalId);
    if (entry?.state === 'open') await reconcileWrite(entry, execution);
    return true;
  }
  const responders = new Responders(config.responders, async (usergroup) => (await client.usergroups.users.list({ usergroup })).users ?? [], rt.store);
  await runRemediation(job, { ...execution, responders, log: rt.log.child({ job: 'remediate' }) });
  return done(true);
}

/**
 * A job that throws ends here: its entry is closed and the person who asked is told, so it is
 * neither lost in a log nor passed from container to container, failing each time.
 */
async function runOrSayWhy(w: Worker, job: Job): Promise<boolean> {
  try {
    return await run(w, job);
  } catch (err) {
    w.rt.log.error({ err, job: job.kind }, 'job failed');
    if (job.kind !== 'reconcile' && job.journalId) await w.rt.store.journalUpdate(job.journalId, { state: 'done', stage: 'failed' }).catch(() => undefined);
    await tellJobFailed(w.client, job, err).catch(() => undefined);
    return false;
  }
}

/**
 * Verify queue messages (ReportBatchItemFailures): one that throws goes back to the queue, and
 * after a few tries to its DLQ; a repeated delivery finds its attempt claimed and does nothing.
 */
async function resumeVerifications(w: Worker, batch: SqsEvent): Promise<WorkerResult> {
  const { rt } = w;
  const failed: { itemIdentifier: string }[] = [];
  const execution = executionDeps(w);
  for (const m of batch.Records) {
    const message = parseVerifyMessage(m.body);
    if (!message || !execution) {
      rt.log.error({ messageId: m.messageId }, execution ? 'not a verify message; dropped' : 'verify message in a read-only deployment; dropped');
      continue;
    }
    try {
      const resumed = await resumeVerification(message, execution);
      rt.log.info({ write: message.write, attempt: message.attempt, ...resumed }, 'scheduled verification');
    } catch (err) {
      // The resume holds the entry now (its claim is spent: a redelivery would do nothing), so it
      // is released to the reconciler, which takes over an entry whose owner is not alive.
      rt.log.error({ err, messageId: m.messageId, write: message.write }, 'resuming a verification failed; released to the reconciler');
      const released = await rt.store.journalUpdate(message.write, { owner: `${rt.bootId}+released` }).then(() => true, () => false);
      if (!released) failed.push({ itemIdentifier: m.messageId });
    }
  }
  return { ok: failed.length === 0, batchItemFailures: failed };
}

/** `batchItemFailures` answers an SQS batch (the verify queue's event source mapping). */
export interface WorkerResult {
  ok: boolean;
  batchItemFailures?: { itemIdentifier: string }[];
}

/**
 * Work a stopped container left (a timeout, an out-of-memory kill) that one invocation takes
 * on: one, so that an orphan which kills its invocation takes no other orphan down with it
 * (each admitted one counts as a run towards the reconciler's give-up).
 */
const RECONCILE_PER_INVOCATION = 1;

export async function handler(event: unknown, context?: { invokedFunctionArn?: string }): Promise<WorkerResult> {
  // the shared limits key this account's calls by its id, as every whybot process does
  knowOwnAccount(accountOfFunctionArn(context?.invokedFunctionArn));
  ready ??= init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const w = await ready;
  const { rt } = w;
  const parsed = JobSchema.safeParse(event);
  const batch = parsed.success ? undefined : SqsEventSchema.safeParse(event);
  if (!parsed.success && !batch?.success) {
    rt.log.error({ issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'worker got a payload it does not know; dropped');
    return { ok: false };
  }
  // Alive while this invocation runs: what this container journals is not taken over meanwhile.
  const heartbeat = await startHeartbeat(rt.store, rt.bootId, rt.config.jobs.heartbeatTtlSeconds, (err) => rt.log.warn({ err: String(err) }, 'heartbeat not written'));
  try {
    const result: WorkerResult = parsed.success ? { ok: await runOrSayWhy(w, parsed.data) } : batch?.success ? await resumeVerifications(w, batch.data) : { ok: false };
    // Then what dead containers left: a Lambda has no long-lived process to reconcile at start.
    const orphans: Job[] = [];
    await reconcileOnce({
      store: rt.store,
      owner: rt.bootId,
      admit: (job) => (orphans.length < RECONCILE_PER_INVOCATION ? (orphans.push(job), { state: 'started' }) : { state: 'refused', reason: 'later' }),
      log: rt.log.child({ component: 'reconciler' }),
      quietMs: rt.config.jobs.heartbeatTtlSeconds * 1000,
      client: w.client,
    }).catch((err: unknown) => rt.log.error({ err }, 'reconciling the journal failed'));
    for (const job of orphans) await runOrSayWhy(w, job);
    return result;
  } finally {
    await heartbeat.stop();
  }
}
