// Assembles the bot for a process: receiver + app + store + in-process jobs. Used by
// `npm start`, the end-to-end tests and the benchmark alike.
import { HTTPReceiver, SocketModeReceiver, type App } from '@slack/bolt';
import type { Server } from 'node:http';
import { AwsClients } from '../aws/clients.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { digestDue, postDigest } from '../alerts/digest.js';
import { handleRotationEvent } from '../alerts/handle.js';
import { rotationLogReader } from '../alerts/logs.js';
import { ChannelPacer } from '../alerts/pacer.js';
import { startWatch } from '../alerts/watch.js';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { boltLogger, createSlackApp } from '../slack/app.js';
import { runInvestigation } from '../slack/investigate.js';
import { InProcessJobRunner, type Job } from '../slack/jobs.js';
import type { RemediationDeps } from '../slack/remediate.js';
import { runRemediation } from '../slack/remediate-worker.js';
import { defaultDbPath, openStore } from '../store/index.js';
import type { Store } from '../store/types.js';

export interface RunningBot {
  app: App;
  jobs: InProcessJobRunner;
  store: Store;
  /** for HTTP mode: the bound port */
  port?: number;
  stop(): Promise<void>;
}

export type BotMode =
  | { kind: 'http'; botToken: string; signingSecret: string; port: number }
  | { kind: 'socket'; botToken: string; appToken: string };

export interface BotOptions {
  /** replaces the in-process runner's handler, e.g. to hand jobs to a queue as on Lambda */
  handleJob?: (job: Job) => Promise<void>;
  /** set false to not start the CloudTrail watcher even with WHYBOT_ALERT_CHANNEL */
  watch?: boolean;
}

export async function startBot(config: Config, mode: BotMode, log: Logger, opts: BotOptions = {}): Promise<RunningBot> {
  const receiver =
    mode.kind === 'http'
      ? new HTTPReceiver({
          signingSecret: mode.signingSecret,
          endpoints: '/slack/events',
          processBeforeResponse: false,
          logger: boltLogger(log.child({ component: 'receiver' })),
        })
      : new SocketModeReceiver({ appToken: mode.appToken, logger: boltLogger(log.child({ component: 'receiver' })) });

  const store = openStore({ dbPath: config.store.dbPath ?? defaultDbPath(), ...(config.store.table ? { table: config.store.table } : {}), ...(config.region ? { region: config.region } : {}) });
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
  const awsFor = (region: string) => new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts });

  const handle = async (job: Job): Promise<void> => {
    if (job.kind === 'investigate')
      return runInvestigation(job, { client: app!.client, awsFor, config, ...(signer ? { signer } : {}), log: log.child({ job: job.playbook, channel: job.channel }) });
    if (!remediation) throw new Error('remediation job without WHYBOT_ACTION_SECRET');
    return runRemediation(job, { ...remediation, client: app!.client, awsFor });
  };
  const jobs = new InProcessJobRunner(opts.handleJob ?? handle, (err, job) => log.error({ err, job: job.kind }, 'job failed'));
  app = createSlackApp({ config, botToken: mode.botToken, receiver, jobs, log, ...(remediation ? { remediation } : {}) });
  const started = mode.kind === 'http' ? await app.start(mode.port) : await app.start();
  const pacer = new ChannelPacer(config.alerts.ratePerSec);
  const alertDeps = () => ({ client: app!.client, store, awsFor, config, ...(signer ? { signer } : {}), pacer, log, readLogs: rotationLogReader(awsFor) });
  // Rotation alerts without EventBridge: poll CloudTrail (whybot watch) when a channel is set.
  const watcher =
    config.alerts.channel && config.region && opts.watch !== false
      ? startWatch(
          {
            aws: awsFor(config.region),
            store,
            region: config.region,
            log: log.child({ component: 'watch' }),
            onEvent: (e) => handleRotationEvent(e, alertDeps()),
            afterPoll: async (now) => (digestDue(now, config.alerts.digestHourUtc) ? postDigest(config.region!, alertDeps(), now) : undefined),
          },
          config.alerts.watchIntervalMs,
        )
      : undefined;
  const port = mode.kind === 'http' ? ((started as Server).address() as { port: number }).port : undefined;
  return {
    app,
    jobs,
    store,
    ...(port !== undefined ? { port } : {}),
    async stop() {
      await watcher?.stop();
      await app!.stop();
      await jobs.idle();
      await store.close();
    },
  };
}
