// The worker half of a remediation: runs a confirmed action exactly once per nonce (claimed
// in the store), audits it, tells the thread, and verifies it in the background.
import { remediations } from '../remediations/index.js';
import type { Params } from '../remediations/types.js';
import type { webApi } from '@slack/bolt';
import { executeOnce, type ExecutionDeps } from '../engine/execute-once.js';
import { audit } from '../store/audit.js';
import type { RemediateJob } from './jobs.js';
import { admit, type RemediationDeps } from './remediate.js';
import { errorText } from './render.js';
import { approvalBlocks, who } from './render-remediation.js';
import { alreadyClaimedText } from './write-report.js';

export type RemediationWorkerDeps = RemediationDeps & ExecutionDeps & { client: webApi.WebClient };

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

  if (payload.ac !== undefined && !Object.hasOwn(config.accounts ?? {}, payload.ac)) {
    await refuse(errorText(`This whybot has no account ${payload.ac} (WHYBOT_ACCOUNTS) to run that in.`));
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
    // One request per button, however often it is confirmed.
    const asked = await store.claimOnce({ nonce: `approval:${payload.n}`, actor: job.actor, action: action.id, ttlSeconds: config.buttonTtlSeconds });
    if (!asked.won) {
      await refuse(`:information_source: ${who(asked.existing.actor)} already asked for a second responder’s approval; it is in the thread.`);
      return;
    }
    const approval = deps.signer.sign({ a: payload.a, p: payload.p, ...(payload.ac ? { ac: payload.ac } : {}), c: payload.c, t: payload.t, n: payload.n, r: job.actor, ttlSeconds: config.buttonTtlSeconds });
    await audit(store, { actor: job.actor, action: action.id, params, nonce: payload.n, outcome: 'approval-requested', channel: payload.c, threadTs: payload.t, ...(payload.ac ? { account: payload.ac } : {}) });
    await client.chat.postMessage({
      channel: payload.c,
      thread_ts: payload.t,
      text: `${action.label(params)} needs a second responder`,
      blocks: approvalBlocks({ requester: job.actor, label: action.label(params), actionId: action.id, ...(approval ? { value: approval } : {}) }),
    });
    return;
  }
  if (action.dangerous && payload.r === job.actor) {
    await audit(store, { actor: job.actor, action: action.id, params, nonce: payload.n, outcome: 'refused', result: 'requester cannot approve their own request', ...(payload.ac ? { account: payload.ac } : {}) });
    await refuse(errorText('You asked for this; another responder has to approve it.'));
    return;
  }

  await executeOnce(
    {
      action,
      params,
      nonce: payload.n,
      claimTtlSeconds: Math.max(0, payload.e - Math.floor(Date.now() / 1000)) + 86_400,
      actor: job.actor,
      thread: { channel: payload.c, ts: payload.t },
      ...(payload.ac ? { account: payload.ac } : {}),
      retry: { a: payload.a, p: payload.p, ...(payload.ac ? { ac: payload.ac } : {}) },
      ...(job.messageTs ? { button: { channel: job.channel, messageTs: job.messageTs, value: job.value } } : {}),
      ...(job.journalId ? { jobId: job.journalId } : {}),
      refuse: (existing) => refuse(alreadyClaimedText(existing)),
    },
    deps,
  );
}
