// The path of a click: verify the signed value → authorise → confirmation modal → (on
// submit) claim the nonce once → execute → audit → post → verify in the background.
// Listeners only validate and open the modal (inside the trigger_id's 3 s); the AWS write
// runs as a job, in this process or in the worker function on AWS.
import { randomUUID } from 'node:crypto';
import type { App, types, webApi } from '@slack/bolt';
import { z } from 'zod';
import type { AwsClients } from '../aws/clients.js';
import { AwsCallError } from '../aws/errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { remediations } from '../remediations/index.js';
import { mentionList, Responders } from '../remediations/responders.js';
import type { ActionPayload, ActionSigner, VerifyFailure } from '../remediations/signed-value.js';
import type { Params, RemediationAction } from '../remediations/types.js';
import type { AuditRecord, Store } from '../store/types.js';
import type { JobRunner, RemediateJob } from './jobs.js';
import { errorText } from './render.js';
import {
  alreadyRunText,
  approvalBlocks,
  CHOICE_ACTION,
  CHOICE_BLOCK,
  CONFIRM_CALLBACK,
  confirmModal,
  failedBlocks,
  ranText,
  stateBlock,
  verifiedText,
  withButtonState,
  type ButtonState,
} from './render-remediation.js';

type Block = types.KnownBlock;

export interface RemediationDeps {
  config: Config;
  store: Store;
  signer: ActionSigner;
  responders: Responders;
  log: Logger;
}

const refusal: Record<VerifyFailure, string> = {
  malformed: 'This button is damaged; run the command again.',
  'too-long': 'This button is damaged; run the command again.',
  'bad-signature': 'This button was not made by this whybot (bad signature). Nothing was run.',
  expired: 'This button has expired; run the command again for a fresh one.',
};

const PrivateMetadataSchema = z.object({ v: z.string().max(2000), c: z.string().max(32), m: z.string().max(32).optional() });

const messageKey = (channel: string, ts: string) => `message:${channel}:${ts}`;

function audit(store: Store, r: Omit<AuditRecord, 'id' | 'at'> & { at?: string }): Promise<void> {
  return store.appendAudit({ id: randomUUID(), at: r.at ?? new Date().toISOString(), ...r });
}

/** Checks a value and the actor; returns the action and params, or the refusal already told. */
async function admit(
  deps: RemediationDeps,
  value: string | undefined,
  actor: string,
  refuse: (text: string) => Promise<unknown>,
): Promise<{ payload: ActionPayload; action: RemediationAction } | undefined> {
  const checked = deps.signer.verify(value);
  if (!checked.ok) {
    await audit(deps.store, { actor, action: 'unknown', params: {}, outcome: 'refused', result: `button value ${checked.why}` });
    await refuse(errorText(refusal[checked.why]));
    return undefined;
  }
  const { payload } = checked;
  const action = remediations[payload.a];
  if (!action || !action.params.safeParse(payload.p).success) {
    await audit(deps.store, { actor, action: payload.a, params: payload.p, nonce: payload.n, outcome: 'refused', result: 'unknown action or bad params' });
    await refuse(errorText('whybot does not know this action; run the command again.'));
    return undefined;
  }
  const auth = await deps.responders.authorise(actor, action.id);
  if (!auth.ok) {
    await audit(deps.store, { actor, action: action.id, params: payload.p, nonce: payload.n, outcome: 'refused', result: 'not a responder' });
    await refuse(`:no_entry: Only responders can run this; responders are ${mentionList(auth.responders)}.`);
    return undefined;
  }
  return { payload, action };
}

export function registerRemediation(app: App, deps: RemediationDeps, jobs: JobRunner): void {
  const { store, log } = deps;

  app.action(/^remediate:/, async ({ ack, body, action, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const refuse = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const admitted = await admit(deps, action.value, body.user.id, refuse);
    if (!admitted) return;
    const { payload, action: remediation } = admitted;
    if (remediation.dangerous && payload.r === body.user.id) {
      await refuse(errorText('You asked for this; another responder has to approve it.'));
      return;
    }
    const existing = await store.getClaim(payload.n);
    if (existing) {
      await refuse(alreadyRunText(existing));
      return;
    }
    const params = remediation.params.parse(payload.p);
    const channel = body.channel?.id ?? payload.c;
    const messageTs = body.message?.ts ?? body.container?.message_ts;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: confirmModal({
        label: remediation.label(params),
        plan: remediation.plan(params),
        ...(remediation.choice ? { choice: remediation.choice(params) } : {}),
        privateMetadata: JSON.stringify({ v: action.value, c: channel, ...(messageTs ? { m: messageTs } : {}) }),
        dangerous: remediation.dangerous,
        ...(payload.r ? { requestedBy: payload.r } : {}),
      }),
    });
    // After the modal: the message as it is now, so its button can show the action's state.
    if (messageTs && body.message?.blocks)
      await store.cacheSet(messageKey(channel, messageTs), body.message.blocks, deps.config.buttonTtlSeconds).catch((err: unknown) => {
        log.warn({ err: String(err) }, 'could not cache the message blocks');
      });
  });

  app.view(CONFIRM_CALLBACK, async ({ ack, body, view, client }) => {
    const meta = (() => {
      try {
        return PrivateMetadataSchema.safeParse(JSON.parse(view.private_metadata));
      } catch {
        return undefined;
      }
    })();
    if (!meta?.success) {
      await ack({ response_action: 'errors', errors: { [CHOICE_BLOCK]: 'This confirmation is damaged; close it and click the button again.' } });
      return;
    }
    const actor = body.user.id;
    const refuse = (text: string) => client.chat.postEphemeral({ channel: meta.data.c, user: actor, text });
    const choice = view.state.values[CHOICE_BLOCK]?.[CHOICE_ACTION]?.selected_option?.value ?? undefined;
    await ack();
    const admitted = await admit(deps, meta.data.v, actor, refuse);
    if (!admitted) return;
    await jobs.dispatch({
      kind: 'remediate',
      value: meta.data.v,
      actor,
      channel: meta.data.c,
      ...(meta.data.m ? { messageTs: meta.data.m } : {}),
      ...(choice ? { choice } : {}),
    });
  });
}

export interface RemediationWorkerDeps extends RemediationDeps {
  client: webApi.WebClient;
  awsFor: (region: string) => AwsClients;
}

/** Runs a confirmed action exactly once per nonce, then verifies it. */
export async function runRemediation(job: RemediateJob, deps: RemediationWorkerDeps): Promise<void> {
  const { store, client, config, log } = deps;
  const refuse = (text: string) => client.chat.postEphemeral({ channel: job.channel, user: job.actor, text }).catch(() => undefined);
  const admitted = await admit(deps, job.value, job.actor, refuse);
  if (!admitted) return;
  const { payload, action } = admitted;

  let params: Params;
  const choice = action.choice?.(action.params.parse(payload.p));
  if (job.choice !== undefined && choice && !choice.options.some((o) => o.value === job.choice)) {
    await refuse(errorText('That option is not one whybot offered.'));
    return;
  }
  try {
    params = action.params.parse({ ...payload.p, ...(choice && job.choice !== undefined ? { [choice.key]: job.choice } : {}) });
  } catch {
    await refuse(errorText('whybot does not accept these parameters.'));
    return;
  }

  if (action.dangerous && payload.r === undefined) {
    // Dangerous: this confirmation is a request; another responder's confirmation runs it.
    const approval = deps.signer.sign({ a: payload.a, p: payload.p, c: payload.c, t: payload.t, n: payload.n, r: job.actor, ttlSeconds: config.buttonTtlSeconds });
    await audit(store, { actor: job.actor, action: action.id, params, nonce: payload.n, outcome: 'approval-requested', channel: payload.c, threadTs: payload.t });
    await client.chat.postMessage({
      channel: payload.c,
      thread_ts: payload.t,
      text: `${action.label(params)} needs a second responder`,
      blocks: approvalBlocks({ requester: job.actor, label: action.label(params), actionId: action.id, ...(approval ? { value: approval } : {}) }),
    });
    return;
  }
  if (action.dangerous && payload.r === job.actor) {
    await audit(store, { actor: job.actor, action: action.id, params, nonce: payload.n, outcome: 'refused', result: 'requester cannot approve their own request' });
    await refuse(errorText('You asked for this; another responder has to approve it.'));
    return;
  }

  const claim = await store.claimOnce({
    nonce: payload.n,
    actor: job.actor,
    action: action.id,
    // kept beyond the button's own expiry, so an expired value can never find it gone
    ttlSeconds: Math.max(0, payload.e - Math.floor(Date.now() / 1000)) + 86_400,
  });
  if (!claim.won) {
    await audit(store, { actor: job.actor, action: action.id, params, nonce: payload.n, outcome: 'duplicate', result: `already claimed by ${claim.existing.actor}` });
    await refuse(alreadyRunText(claim.existing));
    return;
  }

  const thread = { channel: payload.c, thread_ts: payload.t };
  const label = action.label(params);
  const setState = async (state: ButtonState, text: string) => {
    if (!job.messageTs) return;
    const key = messageKey(job.channel, job.messageTs);
    const blocks = (await store.cacheGet(key)) as Block[] | undefined;
    if (!Array.isArray(blocks)) return;
    const next = withButtonState(blocks, job.value, payload.n, stateBlock(payload.n, state, text));
    await store.cacheSet(key, next, config.buttonTtlSeconds);
    await client.chat.update({ channel: job.channel, ts: job.messageTs, blocks: next, text: label }).catch((err: unknown) => {
      log.warn({ err: String(err) }, 'could not update the button state');
    });
  };

  await setState('running', `<@${job.actor}> is ${action.doing(params)}…`);
  const aws = deps.awsFor(String(params.region ?? config.region ?? ''));
  const startedAt = new Date().toISOString();
  try {
    let result;
    try {
      result = await action.execute(aws, params);
    } catch (err) {
      const e = err instanceof AwsCallError ? err : undefined;
      const reason = e?.message ?? (err instanceof Error ? err.message : String(err));
      await store.finishClaim(payload.n, 'failed', reason);
      await audit(store, {
        actor: job.actor, action: action.id, params, nonce: payload.n, outcome: 'failed', startedAt,
        finishedAt: new Date().toISOString(), result: reason, ...(e?.requestId ? { awsRequestId: e.requestId } : {}),
        channel: payload.c, threadTs: payload.t,
      });
      const retryValue = deps.signer.sign({ a: payload.a, p: payload.p, c: payload.c, t: payload.t, ttlSeconds: config.buttonTtlSeconds });
      await client.chat.postMessage({
        ...thread,
        text: `${label} failed`,
        blocks: failedBlocks({ actor: job.actor, doing: action.doing(params), reason, ...(e ? { iamAction: e.iamAction } : {}), ...(retryValue ? { retryValue } : {}), actionId: action.id }),
      });
      await setState('failed', `${label} failed (<@${job.actor}>): ${reason}`);
      return;
    }
    await store.finishClaim(payload.n, 'done', result.done);
    await audit(store, {
      actor: job.actor, action: action.id, params, nonce: payload.n, outcome: 'ran', startedAt,
      finishedAt: new Date().toISOString(), result: result.done, ...(result.awsRequestId ? { awsRequestId: result.awsRequestId } : {}),
      channel: payload.c, threadTs: payload.t,
    });
    await client.chat.postMessage({ ...thread, text: ranText(job.actor, result.done) + ' Verifying…' });
    await setState('done', `${ranText(job.actor, result.done)}`);

    const verdict = await action.verify(aws, params, result.facts ?? {}, { timeoutMs: config.verifyTimeoutMs, intervalMs: config.verifyIntervalMs });
    await audit(store, { actor: job.actor, action: action.id, params, nonce: payload.n, outcome: verdict.ok ? 'verified' : 'verify-failed', result: verdict.detail, channel: payload.c, threadTs: payload.t });
    await client.chat.postMessage({ ...thread, text: verifiedText(verdict.ok, label, verdict.detail) });
  } finally {
    aws.destroy();
  }
}
