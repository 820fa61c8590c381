// The `alerts` function: target of the EventBridge rule on Secrets Manager rotation events.
// Validates each event, records it once (EventBridge delivers at least once), and posts the
// alert: who is at risk after a rotation, or why a rotation failed.
import type { WebClient } from '@slack/web-api';
import * as z from 'zod';
import { postDigest } from '../alerts/digest.js';
import { accountAliasOf, parseRotationEvent } from '../alerts/events.js';
import { accountOfFunctionArn, knowOwnAccount, ownAccount } from '../aws/own-account.js';
import { handleRotationEvent } from '../alerts/handle.js';
import { alertDeps } from '../alerts/wiring.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { slackClient } from '../slack/client.js';
import { slackWriteReporter } from '../slack/write-report.js';
import { slackResultPoster } from '../slack/alert-result.js';
import { startHeartbeat } from '../engine/liveness.js';
import { schedulingSqsClient } from '../aws/sqs.js';
import type { VerifyScheduler } from '../engine/execute-once.js';
import { coldStart, type Runtime } from './runtime.js';
import { sqsVerifyScheduler } from './verify-queue.js';

const KEEP_SECONDS = 30 * 86_400;
const DigestTrigger = z.object({ whybot: z.literal('digest') });

interface Alerts {
  rt: Runtime;
  client: WebClient;
  /** a policy redeploy's verification, handed to the worker's verify queue */
  verifyLater?: VerifyScheduler;
}

async function init(): Promise<Alerts> {
  const rt = await coldStart('alerts');
  const queue = rt.verifyQueue;
  const verifyLater = queue
    ? sqsVerifyScheduler(schedulingSqsClient(), queue.url, queue.budgetMs, rt.log.child({ component: 'verify-queue' }))
    : undefined;
  return { rt, client: slackClient(rt.config, rt.botToken), ...(verifyLater ? { verifyLater } : {}) };
}

let ready: Promise<Alerts> | undefined;

export async function handler(event: unknown, context?: { invokedFunctionArn?: string }): Promise<{ recorded: boolean; reason?: string; alert?: string }> {
  knowOwnAccount(accountOfFunctionArn(context?.invokedFunctionArn));
  ready ??= init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const { rt, client, verifyLater } = await ready;
  const { config } = rt;
  const signer = rt.actionSecret ? new ActionSigner(rt.actionSecret) : undefined;
  const deps = alertDeps(config, {
    client, store: rt.store, log: rt.log, owner: rt.bootId,
    reportWrite: slackWriteReporter({ client, store: rt.store, config }),
    postResult: slackResultPoster({ client, config, ...(signer ? { signer } : {}) }),
    ...(signer ? { signer } : {}),
    ...(verifyLater ? { verifyLater } : {}),
  });
  // The daily schedule (EventBridge Scheduler rule with input {"whybot":"digest"}).
  if (DigestTrigger.safeParse(event).success) {
    const region = process.env.AWS_REGION!;
    return { recorded: false, alert: await postDigest(region, deps) };
  }
  const parsed = parseRotationEvent(event);
  if (!parsed.ok) {
    rt.log.warn({ reason: parsed.reason }, 'skipped an event that is not a rotation event');
    return { recorded: false, reason: parsed.reason };
  }
  const e = parsed.event;
  // An organisation-wide bus policy lets in every member account's events; one whybot has no
  // role for would be looked into, and redeployed, with the hub's own credentials.
  const hub = ownAccount();
  if (hub && e.account !== hub && !accountAliasOf(e, config)) {
    rt.log.warn({ account: e.account, event: e.name, secret: e.secretId }, 'skipped a rotation event from an account not in WHYBOT_ACCOUNTS');
    return { recorded: false, reason: `account ${e.account} is not in WHYBOT_ACCOUNTS` };
  }
  // Claim-once makes concurrent duplicate deliveries record one event, across containers.
  const nonce = `rotation-event:${e.dedupeKey}`;
  const claim = await rt.store.claimOnce({ nonce, actor: 'eventbridge', action: 'rotation-event', ttlSeconds: KEEP_SECONDS });
  if (!claim.won) {
    // Lambda's retry of a delivery whose alert failed (serverless.yml: maximumRetryAttempts):
    // the alert is not attempted twice (it may be half posted), but failing again sends the
    // event to AlertsDLQ, alarmed, instead of it passing as a duplicate and being lost.
    if (claim.existing.state === 'failed')
      throw new Error(`the ${e.name} event for ${e.secretId} failed on an earlier delivery (${claim.existing.detail ?? 'no detail'}); not handled twice`);
    rt.log.info({ event: e.name, secret: e.secretId }, 'duplicate delivery');
    return { recorded: false, reason: 'duplicate' };
  }
  await rt.store.cacheSet(`rotation-event:${e.id}`, e, KEEP_SECONDS);
  await rt.store.finishClaim(nonce, 'done', e.name);
  rt.log.info({ event: e.name, secret: e.secretId, at: e.time }, 'rotation event recorded');
  // Alive while the alert (and any auto-redeploy it journals) runs, so nobody takes it over.
  const heartbeat = await startHeartbeat(rt.store, rt.bootId, config.jobs.heartbeatTtlSeconds, (err) => rt.log.warn({ err: String(err) }, 'heartbeat not written'));
  try {
    const alert = await handleRotationEvent(e, deps);
    return { recorded: true, alert };
  } catch (err) {
    await rt.store.finishClaim(nonce, 'failed', (err instanceof Error ? err.message : String(err)).slice(0, 300)).catch(() => undefined);
    throw err;
  } finally {
    await heartbeat.stop();
  }
}
