// Assembles the bot for a process: the receiver and Bolt app in this thread (verify, validate,
// admit, ack: nothing else), the jobs in a bounded pool of worker threads. Used by
// `npm start`, the end-to-end tests and the benchmark alike.
import { HTTPReceiver, SocketModeReceiver, type App } from '@slack/bolt';
import type { Server } from 'node:http';
import type { Config } from '../config.js';
import { randomUUID } from 'node:crypto';
import { JobPool, type Admission, type JobPoolOptions, type Lane } from '../engine/job-pool.js';
import { newBootId, startHeartbeat } from '../engine/liveness.js';
import { useRateGate } from '../platform/rate-gate.js';
import { learnOwnAccount } from '../aws/own-account.js';
import type { Logger } from '../logger.js';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { boltLogger, createSlackApp } from '../slack/app.js';
import { GUARDED_BOLT_OPTIONS, GuardedReceiver } from '../slack/receiver.js';
import { slackClientOptions } from '../slack/client-options.js';
import { tellJobFailed } from '../slack/job-failed.js';
import { createJobHandler } from '../slack/job-handler.js';
import { openConfiguredStore } from '../store/index.js';
import type { Job, JobRunner } from '../slack/jobs.js';
import type { RemediationDeps } from '../slack/remediate.js';
import { loggedRateGateEvents, storeRateGate } from '../store/rate-gate.js';
import type { Store } from '../store/types.js';
import { InlineLane, ThreadLane } from './lanes.js';
import { startReconciler } from './reconciler.js';

export interface RunningBot {
  app: App;
  jobs: JobPool<Job> & JobRunner;
  store: Store;
  /** for HTTP mode: the bound port */
  port?: number;
  stop(): Promise<void>;
}

export type BotMode =
  | { kind: 'http'; botToken: string; signingSecret: string; port: number }
  | { kind: 'socket'; botToken: string; appToken: string };

export interface BotOptions {
  /** replaces the lanes, e.g. to hand jobs elsewhere in a benchmark */
  lanes?: Lane<Job>[];
  /** set false to not start the CloudTrail watcher even with WHYBOT_ALERT_CHANNEL */
  watch?: boolean;
}

/** The same investigation asked again in the same channel while it runs joins the running one. */
const questionKey = (job: Job): string | undefined =>
  job.kind === 'investigate' && job.target ? JSON.stringify([job.channel, job.playbook, job.target, job.region, job.hours, job.secret]) : undefined;

interface Journal {
  store: Store;
  owner: string;
  log: Logger;
}

class BotJobs extends JobPool<Job> implements JobRunner {
  private readonly asked = new Map<string, { askedBy: string; askedAt: number }>();

  constructor(
    opts: Omit<JobPoolOptions<Job>, 'onSettled'>,
    private readonly journal: Journal,
  ) {
    super({
      ...opts,
      onSettled: (job) => {
        const key = questionKey(job);
        if (key) this.asked.delete(key);
      },
    });
  }

  async dispatch(job: Job): Promise<Admission> {
    const key = questionKey(job);
    const same = key ? this.asked.get(key) : undefined;
    if (same) return { state: 'joined', ...same };
    // Journaled before Slack hears back: a crash from here on loses nothing.
    const { store, owner, log } = this.journal;
    const id = randomUUID();
    const journaled = { ...job, journalId: id } as Job;
    const now = new Date().toISOString();
    try {
      await store.journalPut({ id, kind: 'job', body: journaled, state: 'open', stage: 'queued', facts: {}, owner, createdAt: now, updatedAt: now });
    } catch (err) {
      log.error({ err }, 'could not journal a job');
      return { state: 'refused', reason: `whybot could not record the request (${err instanceof Error ? err.message : String(err)})` };
    }
    const admission = this.admit(journaled);
    if (admission.state === 'refused') await store.journalUpdate(id, { state: 'done', stage: 'refused' }).catch(() => undefined);
    if (key && job.kind === 'investigate' && admission.state !== 'refused') this.asked.set(key, { askedBy: job.user, askedAt: Date.now() });
    return admission;
  }
}

function lanesFor(config: Config, botToken: string, log: Logger, watch: boolean, owner: string): Lane<Job>[] {
  const { threads, concurrency } = config.jobs;
  if (threads === 0) {
    const handler = createJobHandler(config, botToken, log.child({ component: 'jobs' }), owner);
    if (watch) handler.startWatch();
    return [new InlineLane(handler, concurrency)];
  }
  return Array.from(
    { length: threads },
    (_, index) => new ThreadLane({ config, botToken, owner, watch: watch && index === 0, index }, concurrency, log.child({ component: 'jobs' })),
  );
}

/** Gives the write entry a failed job left open to the reconciler (an owner with no heartbeat). */
async function orphanWrite(store: Store, job: Job, owner: string): Promise<void> {
  const writeId = job.kind === 'reconcile' ? job.journalId : job.kind === 'remediate' && job.journalId ? (await store.journalGet(job.journalId))?.facts.write : undefined;
  if (!writeId) return;
  const entry = await store.journalGet(writeId);
  if (entry?.state === 'open') await store.journalUpdate(writeId, { owner: `${owner}+orphaned` });
}

/** SIGTERM to exit: within 10 s, as supervisors expect. */
const SHUTDOWN_GRACE_MS = 3_000;

export async function startBot(config: Config, mode: BotMode, log: Logger, opts: BotOptions = {}): Promise<RunningBot> {
  const receiver =
    mode.kind === 'http'
      ? new GuardedReceiver(
          new HTTPReceiver({
            signingSecret: mode.signingSecret,
            endpoints: '/slack/events',
            processBeforeResponse: false,
            logger: boltLogger(log.child({ component: 'receiver' })),
            ...GUARDED_BOLT_OPTIONS,
          }),
          // size, timestamp, signature, replay (this process, then the store) and shape, before Bolt
          { signingSecret: mode.signingSecret, endpoint: '/slack/events', log: log.child({ component: 'receiver' }), replayStore: () => store },
        )
      : new SocketModeReceiver({
          appToken: mode.appToken,
          logger: boltLogger(log.child({ component: 'receiver' })),
          // the socket client's Web API calls (apps.connections.open) go where the bot's do
          installerOptions: { clientOptions: slackClientOptions(config) },
        });

  const store = openConfiguredStore(config);
  useRateGate(storeRateGate(store, loggedRateGateEvents(log.child({ component: 'rate-gate' }))));
  // the shared limits key whybot's own calls by account id once STS has said it (not awaited:
  // until then, and if STS cannot say, by profile as before)
  void learnOwnAccount({ ...(config.region ? { region: config.region } : {}), ...(config.profile ? { profile: config.profile } : {}) });
  let app: App | undefined;
  const signer = config.actionSecret ? new ActionSigner(config.actionSecret) : undefined;
  const remediation: RemediationDeps | undefined = signer
    ? {
        config,
        store,
        signer,
        log: log.child({ component: 'remediation' }),
        responders: new Responders(
          config.responders,
          async (usergroup) => (await app!.client.usergroups.users.list({ usergroup })).users ?? [],
          store,
        ),
      }
    : undefined;

  const owner = newBootId();
  const heartbeat = await startHeartbeat(store, owner, config.jobs.heartbeatTtlSeconds, (err) => log.warn({ err: String(err) }, 'heartbeat not written'));
  const jobs = new BotJobs(
    {
      lanes: opts.lanes ?? lanesFor(config, mode.botToken, log, opts.watch !== false, owner),
      queueDepth: config.jobs.queueDepth,
      onError: (err, job) => {
        // Stopping: the job stays journaled and the next process resumes it; nobody is told it failed.
        if (jobs.closing) return log.warn({ job: job.kind }, 'job left to the next process');
        log.error({ err, job: job.kind }, 'job failed');
        void tellJobFailed(app!.client, job, err).catch(() => undefined);
        // Its thread died under it (the process lives on, so no reconciler would take it): the
        // person has been told; the entry is closed rather than left "running" forever.
        if (job.kind !== 'reconcile' && job.journalId)
          void store.journalUpdate(job.journalId, { state: 'done', stage: 'failed' }).catch(() => undefined);
        // A write it left half-way (thread died, Slack failed after the write) goes to the reconciler.
        void orphanWrite(store, job, owner).catch(() => undefined);
      },
    },
    { store, owner, log },
  );
  app = createSlackApp({ config, botToken: mode.botToken, receiver, jobs, log, ...(remediation ? { remediation } : {}) });
  const started = mode.kind === 'http' ? await app.start(mode.port) : await app.start();
  const port = mode.kind === 'http' ? ((started as Server).address() as { port: number }).port : undefined;
  const ttlMs = config.jobs.heartbeatTtlSeconds * 1000;
  const reconciler = startReconciler({ store, owner, admit: (job) => jobs.admit(job), log: log.child({ component: 'reconciler' }), quietMs: ttlMs, client: app.client }, ttlMs / 2);
  return {
    app,
    jobs,
    store,
    ...(port !== undefined ? { port } : {}),
    async stop() {
      // Stop taking work; give running jobs a few seconds; what is left stays journaled and
      // the next process (or another one now) takes it over as soon as the heartbeat is gone.
      await app!.stop();
      await reconciler.stop();
      await jobs.close(SHUTDOWN_GRACE_MS);
      await heartbeat.stop();
      await store.close();
    },
  };
}
