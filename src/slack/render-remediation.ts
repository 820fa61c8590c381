// Block Kit for the remediation path: the confirmation modal, the button's state in its
// message, and the thread replies. Presentation only.
import type { types } from '@slack/bolt';
import type { Choice, Plan } from '../remediations/types.js';
import type { Claim } from '../store/types.js';
import { code, esc } from '../render/mrkdwn.js';

type Block = types.KnownBlock;
type View = types.ModalView;

export const CONFIRM_CALLBACK = 'remediate-confirm';
export const CHOICE_BLOCK = 'choice';
export const CHOICE_ACTION = 'value';

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } });

export function confirmModal(opts: {
  label: string;
  plan: Plan;
  choice?: Choice;
  privateMetadata: string;
  dangerous: boolean;
  requestedBy?: string;
}): View {
  const { plan, choice } = opts;
  const note = opts.requestedBy
    ? `\nRequested by <@${esc(opts.requestedBy)}>; your confirmation approves and runs it.`
    : opts.dangerous
      ? '\nMarked dangerous: confirming asks another responder to approve it; nothing runs yet.'
      : '';
  const blocks: Block[] = [
    section(`*${esc(opts.label)}*${note}`),
    section(`*Resource*\n${esc(plan.resource)}`),
    section(`*API call*\n\`\`\`${esc(plan.apiCall)}\`\`\``),
    section(`*What happens*\n${esc(plan.effect)}`),
    section(`*How whybot checks it worked*\n${esc(plan.verification)}`),
    section(`*Undo*\n${esc(plan.undo)}`),
  ];
  if (choice)
    blocks.push({
      type: 'input',
      block_id: CHOICE_BLOCK,
      label: { type: 'plain_text', text: choice.label.slice(0, 2000) },
      element: {
        type: 'static_select',
        action_id: CHOICE_ACTION,
        options: choice.options.map((o) => ({ text: { type: 'plain_text', text: o.label }, value: o.value })),
        initial_option: (() => {
          const o = choice.options.find((x) => x.value === choice.initial) ?? choice.options[0]!;
          return { text: { type: 'plain_text', text: o.label }, value: o.value };
        })(),
      },
    });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Runs once, as whybot’s AWS role; recorded in the audit log with your name.' }] });
  return {
    type: 'modal',
    callback_id: CONFIRM_CALLBACK,
    private_metadata: opts.privateMetadata,
    title: { type: 'plain_text', text: 'Confirm' },
    submit: { type: 'plain_text', text: 'Run it' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`;

export function alreadyRunText(existing: Claim): string {
  const state = existing.state === 'running' ? 'still running' : existing.state === 'done' ? 'done' : 'failed';
  return `:information_source: Already run by ${who(existing.actor)} at ${hhmm(existing.claimedAt)} (${state}). Nothing was run again.`;
}

export type ButtonState = 'running' | 'done' | 'failed';
const stateIcon: Record<ButtonState, string> = { running: ':hourglass_flowing_sand:', done: ':white_check_mark:', failed: ':x:' };

export function stateBlock(nonce: string, state: ButtonState, text: string): Block {
  return { type: 'context', block_id: `state:${nonce}`, elements: [{ type: 'mrkdwn', text: `${stateIcon[state]} ${text}`.slice(0, 3000) }] };
}

/**
 * The message with this button replaced by its state (and later states replacing that),
 * so a finished action is no longer clickable.
 */
export function withButtonState(blocks: Block[], value: string, nonce: string, state: Block): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.type === 'context' && b.block_id === `state:${nonce}`) {
      out.push(state);
      continue;
    }
    if (b.type === 'actions') {
      const kept = b.elements.filter((e) => !(e.type === 'button' && e.value === value));
      if (kept.length !== b.elements.length) {
        if (kept.length > 0) out.push({ ...b, elements: kept });
        out.push(state);
        continue;
      }
    }
    out.push(b);
  }
  return out;
}

/** A Slack user as a mention; anything else (e.g. "whybot policy") as plain text. */
export function who(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : esc(actor);
}

export function ranText(actor: string, done: string): string {
  return `${who(actor)} ${esc(done)}.`;
}

export function failedBlocks(opts: { actor: string; doing: string; reason: string; iamAction?: string; retryValue?: string; actionId: string }): Block[] {
  const blocks: Block[] = [
    section(
      `:x: ${who(opts.actor)} ${esc(opts.doing)} failed: ${esc(opts.reason)}${opts.iamAction ? `\nwhybot’s role needs ${code(opts.iamAction)}.` : ''}`,
    ),
  ];
  if (opts.retryValue)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: `remediate:${opts.actionId}`, text: { type: 'plain_text', text: 'Retry' }, value: opts.retryValue }],
    });
  return blocks;
}

export function verifiedText(ok: boolean, label: string, detail: string): string {
  return `${ok ? ':white_check_mark:' : ':x:'} ${esc(label)}: ${ok ? 'verified' : 'not verified'}, ${esc(detail)}`;
}

export function approvalBlocks(opts: { requester: string; label: string; actionId: string; value?: string }): Block[] {
  const blocks: Block[] = [
    section(`:warning: <@${esc(opts.requester)}> asks to run *${esc(opts.label)}*. It is marked dangerous: another responder must approve it (and will see the plan first).`),
  ];
  if (opts.value)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: `remediate:${opts.actionId}:approve`, style: 'danger', text: { type: 'plain_text', text: 'Review and approve' }, value: opts.value }],
    });
  return blocks;
}
