// The `worker` function: runs what the Slack function handed over (an investigation or a
// confirmed remediation) and posts to Slack. Invoked asynchronously; a bad payload is
// logged and dropped, never retried into a loop.
import type { WebClient } from '@slack/web-api';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { runInvestigation } from '../slack/investigate.js';
import { slackClient } from '../slack/client.js';
import { tellJobFailed } from '../slack/job-failed.js';
import { JobSchema, type Job } from '../slack/jobs.js';
import { investigationAws, readerAws, writerAws } from '../aws/for-config.js';
import { reconcileWrite } from '../engine/execute-once.js';
import { runRemediation } from '../slack/remediate-worker.js';
import { slackWriteReporter } from '../slack/write-report.js';
import { startHeartbeat } from '../engine/liveness.js';
import { reconcileOnce } from '../entry/reconciler.js';
import { coldStart, type Runtime } from './runtime.js';

interface Worker {
  rt: Runtime;
  client: WebClient;
}

async function init(): Promise<Worker> {
  const rt = await coldStart('worker');
  return { rt, client: slackClient(rt.config, rt.botToken) };
}

let ready: Promise<Worker> | undefined;

/** Runs one job; a journaled one moves to "running" under this container, and to done. */
async function run(w: Worker, job: Job): Promise<boolean> {
  const { rt, client } = w;
  const { config } = rt;
  const awsFor = readerAws(config);
  const signer = rt.actionSecret ? new ActionSigner(rt.actionSecret) : undefined;
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
  if (!signer) {
    rt.log.warn('remediation job in a read-only deployment; dropped');
    return done(false);
  }
  const execution = { config, store: rt.store, signer, client, reportWrite: slackWriteReporter({ client, store: rt.store, config }), awsFor, writerFor: writerAws(config), owner: rt.bootId };
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

/** Work a stopped container left (a timeout, an out-of-memory kill) that one invocation takes on. */
const RECONCILE_PER_INVOCATION = 5;

export async function handler(event: unknown): Promise<{ ok: boolean }> {
  ready ??= init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const w = await ready;
  const { rt } = w;
  const parsed = JobSchema.safeParse(event);
  if (!parsed.success) {
    rt.log.error({ issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'worker got a payload it does not know; dropped');
    return { ok: false };
  }
  // Alive while this invocation runs: what this container journals is not taken over meanwhile.
  const heartbeat = await startHeartbeat(rt.store, rt.bootId, rt.config.jobs.heartbeatTtlSeconds, (err) => rt.log.warn({ err: String(err) }, 'heartbeat not written'));
  try {
    const ok = await runOrSayWhy(w, parsed.data);
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
    return { ok };
  } finally {
    await heartbeat.stop();
  }
}
