// What a job needs wherever it runs (a worker thread, or the receiver's thread when
// configured so): a Web API client, the store, AWS clients, the signer. It also owns the
// CloudTrail watcher, since alerts are work too and must not compete with the acks.
import { WebClient } from '@slack/web-api';
import { AwsClients } from '../aws/clients.js';
import { startWatch } from '../alerts/watch.js';
import { watchDeps, writerAws } from '../alerts/wiring.js';
import type { Config } from '../config.js';
import { useRateGate } from '../engine/rate-gate.js';
import type { Logger } from '../logger.js';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { openConfiguredStore } from '../store/index.js';
import { storeRateGate } from '../store/rate-gate.js';
import { slackClientOptions } from './client-options.js';
import { runInvestigation } from './investigate.js';
import type { Job } from './jobs.js';
import { runRemediation } from './remediate-worker.js';

export interface JobHandler {
  handle(job: Job): Promise<void>;
  /** starts the CloudTrail watcher (one per bot) when an alert channel is configured */
  startWatch(): void;
  close(): Promise<void>;
}

export function createJobHandler(config: Config, botToken: string, log: Logger): JobHandler {
  const store = openConfiguredStore(config);
  useRateGate(storeRateGate(store));
  const client = new WebClient(botToken, slackClientOptions(config));
  const signer = config.actionSecret ? new ActionSigner(config.actionSecret) : undefined;
  // Investigations share identical reads; remediations (and their verification polls) never do.
  const investigationAws = (region: string) => new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts, shareReads: true });
  const awsFor = writerAws(config);
  const responders = new Responders(config.responders, async (usergroup) => (await client.usergroups.users.list({ usergroup })).users ?? [], store);
  let watcher: { stop(): Promise<void> } | undefined;

  return {
    async handle(job) {
      if (job.kind === 'investigate')
        return runInvestigation(job, { client, awsFor: investigationAws, config, ...(signer ? { signer } : {}), log: log.child({ job: job.playbook, channel: job.channel }) });
      if (!signer) throw new Error('remediation job without WHYBOT_ACTION_SECRET');
      return runRemediation(job, { config, store, signer, responders, log: log.child({ component: 'remediation' }), client, awsFor });
    },
    startWatch() {
      const region = config.region;
      if (!config.alerts.channel || !region || watcher) return;
      watcher = startWatch(watchDeps(config, region, { client, store, log, ...(signer ? { signer } : {}) }), config.alerts.watchIntervalMs);
    },
    async close() {
      await watcher?.stop();
      await store.close();
    },
  };
}
