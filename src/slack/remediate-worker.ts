// The worker half of a remediation: runs a confirmed action exactly once per nonce (claimed
// in the store), audits it, tells the thread, and verifies it in the background.
import type { types, webApi } from '@slack/bolt';
import type { AwsClients } from '../aws/clients.js';
import { AwsCallError } from '../aws/errors.js';
import { remediations } from '../remediations/index.js';
import type { Params } from '../remediations/types.js';
import type { RemediateJob } from './jobs.js';
import { admit, audit, messageKey, type RemediationDeps } from './remediate.js';
import { errorText } from './render.js';
import { alreadyRunText, approvalBlocks, failedBlocks, ranText, stateBlock, verifiedText, withButtonState, type ButtonState } from './render-remediation.js';

type Block = types.KnownBlock;

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
  const { payload } = admitted;
  const action = remediations[admitted.action.id];
  if (!action) {
    await refuse(errorText('This whybot cannot run that action.'));
    return;
  }

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
