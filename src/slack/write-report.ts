// How a write's steps (src/engine/execute-once.ts) look in Slack: a reply in the thread the
// action belongs to, and the action's state in place of its button, when the button's
// message is known (its blocks are cached under messageKey by the listener that posted it).
import type { types, webApi } from '@slack/bolt';
import type { Config } from '../config.js';
import type { WriteInView, WriteReporter, WriteStep } from '../engine/execute-once.js';
import { esc } from '../render/mrkdwn.js';
import type { Claim, Store } from '../store/types.js';
import { messageKey } from './remediate.js';
import { alreadyRunText, failedBlocks, ranText, stateBlock, verifiedText, who, withButtonState, type ButtonState } from './render-remediation.js';

type Block = types.KnownBlock;

export interface WriteReportDeps {
  client: webApi.WebClient;
  store: Pick<Store, 'cacheGet' | 'cacheSet'>;
  config: Pick<Config, 'buttonTtlSeconds'>;
}

/** What whoever confirmed an action is told when its nonce was already claimed. */
export function alreadyClaimedText(existing: Claim | undefined): string {
  return existing ? alreadyRunText(existing) : ':information_source: This action is already being run. Nothing was run again.';
}

export function slackWriteReporter(deps: WriteReportDeps): WriteReporter {
  /** Shows the action's state in place of its button, when the button's message is known. */
  async function setState(w: WriteInView, state: ButtonState, text: string): Promise<void> {
    const b = w.intent.button;
    if (!b) return;
    const key = messageKey(b.channel, b.messageTs);
    const blocks = (await deps.store.cacheGet(key)) as Block[] | undefined;
    if (!Array.isArray(blocks)) return;
    const next = withButtonState(blocks, b.value, w.intent.nonce, stateBlock(w.intent.nonce, state, text));
    await deps.store.cacheSet(key, next, deps.config.buttonTtlSeconds);
    await deps.client.chat.update({ channel: b.channel, ts: b.messageTs, blocks: next, text: w.label }).catch(() => undefined);
  }
  const say = (w: WriteInView, body: { text: string; blocks?: Block[] }) =>
    deps.client.chat.postMessage({ channel: w.intent.thread.channel, thread_ts: w.intent.thread.ts, ...body });

  return async (w: WriteInView, step: WriteStep): Promise<void> => {
    const { actor } = w.intent;
    switch (step.kind) {
      case 'running':
        await setState(w, 'running', `${who(actor)} is ${esc(w.action.doing(w.params))}…`);
        return;
      case 'failed':
        await say(w, {
          text: `${w.label} failed`,
          blocks: failedBlocks({ actor, doing: w.action.doing(w.params), reason: step.reason, ...(step.iamAction ? { iamAction: step.iamAction } : {}), ...(step.retryValue ? { retryValue: step.retryValue } : {}), actionId: w.action.id }),
        });
        await setState(w, 'failed', `${esc(w.label)} failed (${who(actor)}): ${esc(step.reason)}`);
        return;
      case 'unknown':
        await say(w, { text: `:warning: ${esc(w.label)} (${who(actor)}) was interrupted: ${esc(step.reason)}. Check before running it again: ${esc(step.check)}` });
        await setState(w, 'failed', `${esc(w.label)}: interrupted, outcome unknown`);
        return;
      case 'ran':
        await say(w, { text: `${ranText(actor, step.done)}${esc(step.note)} Verifying…` });
        await setState(w, 'done', ranText(actor, step.done));
        return;
      case 'verified':
        await say(w, { text: verifiedText(step.ok, w.label, step.detail) });
        return;
      case 'interrupted':
        await say(w, {
          text: `${w.label} was interrupted`,
          blocks: failedBlocks({ actor, doing: w.action.doing(w.params), reason: step.reason, ...(step.retryValue ? { retryValue: step.retryValue } : {}), actionId: w.action.id }),
        });
        await setState(w, 'failed', `${esc(w.label)}: interrupted before anything changed`);
        return;
    }
  };
}
