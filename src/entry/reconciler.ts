// Finds the work a dead whybot process left in the journal and hands it back to the pool: a
// job that never finished runs again (an investigation updates the thread it had started),
// a write is reconciled against AWS from the stage it reached. Runs at start and on a timer;
// an entry is taken over only once its owner's heartbeat has lapsed, and by one process only.
// A job that stopped every process that took it over (a timeout, an out-of-memory kill: what
// no catch sees) is not run a fourth time: it is closed and whoever asked is told, as the
// `failures` function tells them about a worker invocation's own job.
import type { WebClient } from '@slack/web-api';
import { isAlive } from '../engine/liveness.js';
import type { Admission } from '../engine/job-pool.js';
import type { Logger } from '../logger.js';
import { tellFailure } from '../slack/failure-notice.js';
import { JobSchema, type Job } from '../slack/jobs.js';
import type { JournalEntry, Store } from '../store/types.js';

export interface ReconcilerDeps {
  store: Store;
  owner: string;
  /** admits a job to the pool, journaled already */
  admit(job: Job): Admission;
  log: Logger;
  /**
   * An entry moved on within this long is left alone even when its owner keeps no heartbeat
   * (a Lambda Slack function hands the job to a worker that has not started yet).
   */
  quietMs: number;
  now?: () => number;
  /** tells whoever asked for a job given up on; absent, only a response_url reaches them */
  client?: Pick<WebClient, 'chat'>;
}

/**
 * Takeovers a job gets (`facts.takeovers`, counted in the journal, so in whatever store every
 * process shares): one that has stopped its first process and both that took it over is
 * given up on rather than handed to the next one, and the next, for ever.
 */
export const MAX_TAKEOVERS = 2;

/** What to run for an entry a dead process left; undefined = nothing more to do. */
export function resumption(entry: JournalEntry): Job | undefined {
  if (entry.kind === 'write') return { kind: 'reconcile', journalId: entry.id };
  const job = JobSchema.safeParse(entry.body);
  if (!job.success || job.data.kind === 'reconcile') return undefined;
  // A remediation that got as far as its write intent: the write's own entry carries it on.
  if (job.data.kind === 'remediate') return entry.facts.write ? undefined : { ...job.data, journalId: entry.id };
  const { rootChannel, rootTs } = entry.facts;
  return { ...job.data, journalId: entry.id, ...(rootChannel && rootTs ? { resume: { channel: rootChannel, ts: rootTs } } : {}) };
}

/**
 * A verification scheduled to resume (src/engine/execute-once.ts VerifyScheduler) is left to
 * its scheduled delivery until this long after it was due: only a lost one is taken over.
 */
export const SCHEDULED_VERIFY_GRACE_MS = 15 * 60_000;

/** Entries nobody should take over yet: moved on lately, or waiting for a scheduled re-check. */
function quiet(entry: JournalEntry, now: number, quietMs: number): boolean {
  if (now - Date.parse(entry.updatedAt) < quietMs) return true;
  const resumeAt = Date.parse(entry.facts.verifyResumeAt ?? '');
  return !Number.isNaN(resumeAt) && now < resumeAt + SCHEDULED_VERIFY_GRACE_MS;
}

export async function reconcileOnce(deps: ReconcilerDeps): Promise<number> {
  const { store, owner, log } = deps;
  let taken = 0;
  const now = (deps.now ?? Date.now)();
  for (const entry of await store.journalOpen()) {
    if (entry.owner === owner || quiet(entry, now, deps.quietMs) || (await isAlive(store, entry.owner))) continue;
    const takeover = await store.claimOnce({ nonce: `takeover:${entry.id}:${entry.owner}`, actor: owner, action: 'reconcile', ttlSeconds: 86_400 });
    // (a claim this process already holds is still its own: an SDK retry of a put that had succeeded)
    if (!takeover.won && takeover.existing.actor !== owner) continue;
    // The list may be stale: a late worker may have picked the entry up since it was read.
    const now2 = await store.journalGet(entry.id);
    if (!now2 || now2.state !== 'open' || now2.owner !== entry.owner || now2.updatedAt !== entry.updatedAt) continue;
    const job = resumption(entry);
    if (!job) {
      await store.journalUpdate(entry.id, { state: 'done', stage: 'superseded', owner });
      continue;
    }
    const takeovers = Number(entry.facts.takeovers ?? '0') || 0;
    if (job.kind !== 'reconcile' && takeovers >= MAX_TAKEOVERS) {
      // closed first: whatever happens to the telling, no process runs it again
      await store.journalUpdate(entry.id, { state: 'done', stage: 'failed', owner, facts: { gaveUpAfter: String(takeovers + 1) } });
      const reason = `whybot gave up on it after ${takeovers + 1} runs: each one stopped the process running it (a timeout or running out of memory, most likely)`;
      log.error({ journal: entry.id, stage: entry.stage, from: entry.owner, takeovers }, 'giving up on a job that stopped every process that took it over');
      await tellFailure(job, reason, entry.facts, { ...(deps.client ? { client: deps.client } : {}), log }).catch((err: unknown) =>
        log.error({ err: String(err), journal: entry.id }, 'could not tell the user that their job was given up on'),
      );
      continue;
    }
    await store.journalUpdate(entry.id, { owner, facts: { takenOverFrom: entry.owner, takeovers: String(takeovers + 1) } });
    const admission = deps.admit(job);
    log.info({ journal: entry.id, stage: entry.stage, from: entry.owner, admission: admission.state, takeovers: takeovers + 1 }, 'resuming work a stopped process left');
    // Refused (queue full): give it back for the next round; it did not run, so it does not count.
    if (admission.state === 'refused') await store.journalUpdate(entry.id, { owner: `${entry.owner}+requeue${Date.now()}`, facts: { takeovers: String(takeovers) } });
    taken++;
  }
  return taken;
}

/** Reconciles now, then every `everyMs`, until stopped. */
export function startReconciler(deps: ReconcilerDeps, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const round = () => {
    running = reconcileOnce(deps).catch((err: unknown) => deps.log.error({ err }, 'reconciling the journal failed'));
  };
  round();
  const timer = setInterval(round, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
