// Assembles the bot for a process: receiver + app + in-process jobs. Used by `npm start`,
// the end-to-end tests and the benchmark alike.
import { HTTPReceiver, SocketModeReceiver, type App } from '@slack/bolt';
import type { Server } from 'node:http';
import { AwsClients } from '../aws/clients.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { boltLogger, createSlackApp } from '../slack/app.js';
import { runInvestigation } from '../slack/investigate.js';
import { InProcessJobRunner, type InvestigateJob } from '../slack/jobs.js';

export interface RunningBot {
  app: App;
  jobs: InProcessJobRunner;
  /** for HTTP mode: the bound port */
  port?: number;
  stop(): Promise<void>;
}

export type BotMode =
  | { kind: 'http'; botToken: string; signingSecret: string; port: number }
  | { kind: 'socket'; botToken: string; appToken: string };

export interface BotOptions {
  /** replaces the in-process runner's handler, e.g. to hand jobs to a queue as on Lambda */
  handleJob?: (job: InvestigateJob) => Promise<void>;
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

  let app: App | undefined;
  const jobs = new InProcessJobRunner(
    opts.handleJob ??
    ((job) =>
      runInvestigation(job, {
        client: app!.client,
        awsFor: (region) => new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts }),
        config,
        log: log.child({ job: job.playbook, channel: job.channel }),
      })),
    (err, job) => log.error({ err, playbook: job.playbook }, 'job failed'),
  );
  app = createSlackApp({ config, botToken: mode.botToken, receiver, jobs, log });
  const started = mode.kind === 'http' ? await app.start(mode.port) : await app.start();
  const port = mode.kind === 'http' ? ((started as Server).address() as { port: number }).port : undefined;
  return {
    app,
    jobs,
    ...(port !== undefined ? { port } : {}),
    async stop() {
      await app!.stop();
      await jobs.idle();
    },
  };
}
