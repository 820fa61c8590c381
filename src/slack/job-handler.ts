// What a job needs wherever it runs (a worker thread, or the receiver's thread when
// configured so): a Web API client, the store, AWS clients, the signer. It also owns the
// CloudTrail watcher, since alerts are work too and must not compete with the acks.
// Every job is journaled by the receiver before its ack; here the entry moves to "running"
// and to done, so a job a crash interrupted is found and finished by a live process.
import { startWatch } from '../alerts/watch.js';
import { slackResultPoster } from './alert-result.js';
import { watchDeps } from '../alerts/wiring.js';
import { investigationAws, readerAws, writerAws } from '../aws/for-config.js';
import type { Config } from '../config.js';
import { useRateGate } from '../platform/rate-gate.js';
import type { Logger } from '../logger.js';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { openConfiguredStore } from '../store/index.js';
import { storeRateGate } from '../store/rate-gate.js';
import { slackClient } from './client.js';
import { reconcileWrite } from '../engine/execute-once.js';
import { runInvestigation } from './investigate.js';
import type { Job } from './jobs.js';
import { runRemediation } from './remediate-worker.js';
import { slackWriteReporter } from './write-report.js';

export interface JobHandler {
  handle(job: Job): Promise<void>;
  /** starts the CloudTrail watcher (one per bot) when an alert channel is configured */
  startWatch(): void;
  /** stops: verifications in flight are abandoned to the journal, to be resumed by whoever reconciles */
  close(): Promise<void>;
}

export function createJobHandler(config: Config, botToken: string, log: Logger, owner: string): JobHandler {
  const store = openConfiguredStore(config);
  useRateGate(storeRateGate(store));
  const client = slackClient(config, botToken);
  const signer = config.actionSecret ? new ActionSigner(config.actionSecret) : undefined;
  // Investigations share identical reads; remediations (and their verification polls) never do.
  const awsFor = readerAws(config);
  const writerFor = writerAws(config);
  const responders = new Responders(config.responders, async (usergroup) => (await client.usergroups.users.list({ usergroup })).users ?? [], store);
  const stopping = new AbortController();
  const reportWrite = slackWriteReporter({ client, store, config });
  const execution = { store, client, reportWrite, awsFor, writerFor, config, owner, signal: stopping.signal, ...(signer ? { signer } : {}) };
  let watcher: { stop(): Promise<void> } | undefined;
  const inFlight = new Set<Promise<unknown>>();

  async function run(job: Job): Promise<void> {
    if (job.kind === 'investigate')
      return runInvestigation(job, { client, awsFor: investigationAws(config), config, store, signal: stopping.signal, ...(signer ? { signer } : {}), log: log.child({ job: job.playbook, channel: job.channel }) });
    if (job.kind === 'reconcile') {
      const entry = await store.journalGet(job.journalId);
      if (!entry || entry.state === 'done') return;
      const outcome = await reconcileWrite(entry, execution);
      log.info({ journal: entry.id, stage: entry.stage, outcome }, 'reconciled a write left by a stopped process');
      return;
    }
    if (!signer) throw new Error('remediation job without WHYBOT_ACTION_SECRET');
    return runRemediation(job, { ...execution, signer, responders, log: log.child({ component: 'remediation' }) });
  }

  return {
    async handle(job) {
      const id = job.kind === 'reconcile' ? undefined : job.journalId;
      const work = (async () => {
        if (id) await store.journalUpdate(id, { stage: 'running', owner });
        await run(job);
        // A job stopped by a shutdown stays open: whoever reconciles picks it up.
        if (id && !stopping.signal.aborted) await store.journalUpdate(id, { state: 'done', stage: 'finished' });
      })();
      inFlight.add(work);
      try {
        await work;
      } finally {
        inFlight.delete(work);
      }
    },
    startWatch() {
      const region = config.region;
      if (!config.alerts.channel || !region || watcher) return;
      watcher = startWatch(watchDeps(config, region, { client, store, log, owner, reportWrite, postResult: slackResultPoster({ client, config, ...(signer ? { signer } : {}) }), ...(signer ? { signer } : {}) }), config.alerts.watchIntervalMs);
    },
    async close() {
      stopping.abort();
      await watcher?.stop();
      // what was running winds down (verifications stop at once, a write in flight has its timeout)
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
      await store.close();
    },
  };
}
