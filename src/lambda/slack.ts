// The `slack` function: HTTP API POST /slack/events. Verifies Slack's signature, acks,
// opens confirmation modals (trigger_id is valid 3 s), and hands every investigation and
// remediation to the worker. It never runs a playbook or an AWS write itself.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { AwsLambdaReceiver } from '@slack/bolt';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { boltLogger, createSlackApp } from '../slack/app.js';
import { cachedBotIdentity } from '../slack/identity.js';
import { guardLambdaHandler } from './guard.js';
import { LambdaJobRunner } from './handoff.js';
import { coldStart } from './runtime.js';

type LambdaHandler = ReturnType<AwsLambdaReceiver['toHandler']>;

async function init(): Promise<LambdaHandler> {
  const rt = await coldStart('slack');
  if (!rt.workerFunction) throw new Error('WHYBOT_WORKER_FUNCTION is not set');
  const receiver = new AwsLambdaReceiver({ signingSecret: rt.signingSecret, logger: boltLogger(rt.log.child({ component: 'receiver' })) });
  const lambda = new LambdaClient({ region: rt.config.region ?? process.env.AWS_REGION! });
  let app: ReturnType<typeof createSlackApp> | undefined;
  const jobs = new LambdaJobRunner(
    lambda,
    rt.workerFunction,
    (job, reason) => rt.log.error({ job: job.kind, reason }, 'handoff to the worker failed'),
    { store: rt.store, owner: rt.bootId },
    (err) => rt.log.warn({ err: String(err) }, 'job not journaled; handed over all the same'),
  );
  const signer = rt.actionSecret ? new ActionSigner(rt.actionSecret) : undefined;
  const identity = await cachedBotIdentity(rt.store, rt.botToken, rt.config).catch((err: unknown) => {
    rt.log.warn({ err: String(err) }, 'auth.test failed; Bolt will try again itself');
    return undefined;
  });
  app = createSlackApp({
    config: rt.config,
    botToken: rt.botToken,
    ...(identity ? { identity } : {}),
    receiver,
    jobs,
    log: rt.log,
    ...(signer
      ? {
          remediation: {
            config: rt.config,
            store: rt.store,
            signer,
            log: rt.log.child({ component: 'remediation' }),
            responders: new Responders(rt.config.responders, async (usergroup) => (await app!.client.usergroups.users.list({ usergroup })).users ?? [], rt.store),
          },
        }
      : {}),
  });
  return receiver.toHandler();
}

let ready: Promise<LambdaHandler> | undefined;

const boltHandler: LambdaHandler = async (event, context) => {
  ready ??= init().catch((err: unknown) => {
    ready = undefined; // the next invocation tries again
    throw err;
  });
  return (await ready)(event, context);
};

/** Size, timestamp, replay and payload shape are checked before Bolt sees the event. */
export const handler: LambdaHandler = guardLambdaHandler(boltHandler);
