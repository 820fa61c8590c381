// The worker half of a remediation: runs a confirmed action exactly once per nonce (claimed
// in the store), audits it, tells the thread, and verifies it in the background.
import type { types, webApi } from '@slack/bolt';
import type { AwsClients } from '../aws/clients.js';
import { AwsCallError } from '../aws/errors.js';
import { remediations } from '../remediations/index.js';
import type { Params, RemediationAction } from '../remediations/types.js';
import type { ActionSigner } from '../remediations/signed-value.js';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import { esc } from './mrkdwn.js';
import type { RemediateJob } from './jobs.js';
import { admit, audit, messageKey, type RemediationDeps } from './remediate.js';
import { errorText } from './render.js';
import { alreadyRunText, approvalBlocks, failedBlocks, ranText, stateBlock, verifiedText, who, withButtonState, type ButtonState } from './render-remediation.js';

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
  await executeOnce(
    {
      action,
      params,
      nonce: payload.n,
      claimTtlSeconds: Math.max(0, payload.e - Math.floor(Date.now() / 1000)) + 86_400,
      actor: job.actor,
      thread: { channel: payload.c, ts: payload.t },
      retry: { a: payload.a, p: payload.p },
      setState,
      refuse,
    },
    deps,
  );
}

export interface ExecutionRequest {
  action: RemediationAction;
  params: Params;
  /** claimed once in the store: the same nonce never runs twice */
  nonce: string;
  claimTtlSeconds: number;
  /** a Slack user id, or "whybot policy" for automatic actions */
  actor: string;
  thread: { channel: string; ts: string };
  /** what a Retry button re-signs (with a fresh nonce) after an AWS error */
  retry?: { a: string; p: Params };
  setState?: (state: ButtonState, text: string) => Promise<void>;
  refuse?: (text: string) => Promise<unknown>;
}

export interface ExecutionDeps {
  store: Store;
  client: webApi.WebClient;
  awsFor: (region: string) => AwsClients;
  config: Config;
  signer?: ActionSigner;
}

/** Claim → execute → audit → tell the thread → verify → audit → tell the thread. */
export async function executeOnce(req: ExecutionRequest, deps: ExecutionDeps): Promise<'ran' | 'failed' | 'duplicate'> {
  const { store, client, config } = deps;
  const { action, params, actor } = req;
  const nonce = req.nonce;
  const setState = req.setState ?? (async () => undefined);
  const channelThread = { channel: req.thread.channel, thread_ts: req.thread.ts };
  const auditBase = { actor, action: action.id, params, nonce, channel: req.thread.channel, threadTs: req.thread.ts };
  const claim = await store.claimOnce({ nonce, actor, action: action.id, ttlSeconds: req.claimTtlSeconds });
  if (!claim.won) {
    await audit(store, { ...auditBase, outcome: 'duplicate', result: `already claimed by ${claim.existing.actor}` });
    await req.refuse?.(alreadyRunText(claim.existing));
    return 'duplicate';
  }
  const label = action.label(params);
  await setState('running', `${who(actor)} is ${esc(action.doing(params))}…`);
  const aws = deps.awsFor(String(params.region ?? config.region ?? ''));
  const startedAt = new Date().toISOString();
  try {
    let result;
    try {
      result = await action.execute(aws, params);
    } catch (err) {
      const e = err instanceof AwsCallError ? err : undefined;
      const reason = e?.message ?? (err instanceof Error ? err.message : String(err));
      await store.finishClaim(nonce, 'failed', reason);
      await audit(store, { ...auditBase, outcome: 'failed', startedAt, finishedAt: new Date().toISOString(), result: reason, ...(e?.requestId ? { awsRequestId: e.requestId } : {}) });
      const retryValue = req.retry && deps.signer?.sign({ ...req.retry, c: req.thread.channel, t: req.thread.ts, ttlSeconds: config.buttonTtlSeconds });
      await client.chat.postMessage({
        ...channelThread,
        text: `${label} failed`,
        blocks: failedBlocks({ actor, doing: action.doing(params), reason, ...(e ? { iamAction: e.iamAction } : {}), ...(retryValue ? { retryValue } : {}), actionId: action.id }),
      });
      await setState('failed', `${esc(label)} failed (${who(actor)}): ${esc(reason)}`);
      return 'failed';
    }
    await store.finishClaim(nonce, 'done', result.done);
    await audit(store, { ...auditBase, outcome: 'ran', startedAt, finishedAt: new Date().toISOString(), result: result.done, ...(result.awsRequestId ? { awsRequestId: result.awsRequestId } : {}) });
    await client.chat.postMessage({ ...channelThread, text: ranText(actor, result.done) + ' Verifying…' });
    await setState('done', ranText(actor, result.done));

    const verdict = await action.verify(aws, params, result.facts ?? {}, { timeoutMs: config.verifyTimeoutMs, intervalMs: config.verifyIntervalMs });
    await audit(store, { ...auditBase, outcome: verdict.ok ? 'verified' : 'verify-failed', result: verdict.detail });
    await client.chat.postMessage({ ...channelThread, text: verifiedText(verdict.ok, label, verdict.detail) });
    return 'ran';
  } finally {
    aws.destroy();
  }
}
