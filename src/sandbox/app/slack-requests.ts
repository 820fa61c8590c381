// What Slack sends the bot, built for the sandbox: v0-signed requests (HMAC-SHA256 of
// "v0:<timestamp>:<body>" with the signing secret), slash commands as form fields, and
// interactions (block_actions, view_submission, view_closed) as a form field `payload`.
import { createHmac, randomBytes } from 'node:crypto';

export const TEAM = { id: 'T0SANDBOX', domain: 'whybot-sandbox' };
export const APP_ID = 'A0WHYBOT';

export function signedHeaders(body: string, signingSecret: string, now = Date.now()): Record<string, string> {
  const ts = Math.floor(now / 1000);
  const sig = createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}

export const freshTriggerId = (): string => `${Date.now()}.${randomBytes(6).toString('hex')}`;

export interface Actor {
  id: string;
  name: string;
}

export function slashCommandBody(o: { command: string; text: string; channel: { id: string; name: string }; user: Actor; responseUrl: string; triggerId: string }): string {
  return new URLSearchParams({
    token: 'sandbox-verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: o.channel.id,
    channel_name: o.channel.name,
    user_id: o.user.id,
    user_name: o.user.name,
    command: o.command,
    text: o.text,
    api_app_id: APP_ID,
    response_url: o.responseUrl,
    trigger_id: o.triggerId,
  }).toString();
}

const interaction = (payload: unknown): string => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

const userOf = (u: Actor) => ({ id: u.id, username: u.name, name: u.name, team_id: TEAM.id });

export interface ClickedMessage {
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  ephemeral: boolean;
}

interface Element {
  type?: string;
  action_id?: string;
  value?: string;
  options?: Array<{ text: unknown; value: string }>;
}

/** The element of the message with this action_id, and the block that holds it. */
export function findElement(blocks: unknown[] | undefined, actionId: string): { blockId: string; element: Element } | undefined {
  for (const b of (blocks ?? []) as Array<{ type?: string; block_id?: string; elements?: Element[]; accessory?: Element }>) {
    const candidates = [...(b.type === 'actions' ? (b.elements ?? []) : []), ...(b.accessory ? [b.accessory] : [])];
    const element = candidates.find((e) => e.action_id === actionId);
    if (element) return { blockId: b.block_id ?? 'b', element };
  }
  return undefined;
}

export function blockActionsBody(o: {
  user: Actor;
  channel: { id: string; name: string };
  message: ClickedMessage;
  actionId: string;
  value: string;
  responseUrl: string;
  triggerId: string;
}): string {
  const found = findElement(o.message.blocks, o.actionId);
  const type = found?.element.type ?? 'button';
  const selected = found?.element.options?.find((x) => x.value === o.value);
  const action =
    type === 'static_select'
      ? { type, action_id: o.actionId, block_id: found?.blockId ?? 'b', selected_option: { text: selected?.text ?? { type: 'plain_text', text: o.value }, value: o.value }, action_ts: String(Date.now() / 1000) }
      : { type, action_id: o.actionId, block_id: found?.blockId ?? 'b', value: o.value, action_ts: String(Date.now() / 1000) };
  return interaction({
    type: 'block_actions',
    user: userOf(o.user),
    api_app_id: APP_ID,
    token: 'sandbox-verification-token',
    team: TEAM,
    container: {
      type: 'message',
      message_ts: o.message.ts,
      channel_id: o.channel.id,
      is_ephemeral: o.message.ephemeral,
      ...(o.message.threadTs ? { thread_ts: o.message.threadTs } : {}),
    },
    trigger_id: o.triggerId,
    channel: o.channel,
    // Slack does not include the message of an ephemeral
    ...(o.message.ephemeral
      ? {}
      : { message: { type: 'message', ts: o.message.ts, ...(o.message.threadTs ? { thread_ts: o.message.threadTs } : {}), text: o.message.text ?? '', blocks: o.message.blocks ?? [] } }),
    response_url: o.responseUrl,
    actions: [action],
  });
}

interface InputBlock {
  type?: string;
  block_id?: string;
  element?: Element & { initial_option?: { text: unknown; value: string }; initial_value?: string };
}

/**
 * The view's `state.values` for the chosen values: `values` is keyed by "block_id.action_id",
 * action_id or block_id; an input left out keeps its initial option or value.
 */
export function viewState(view: Record<string, unknown>, values: Record<string, string>): Record<string, Record<string, unknown>> {
  const state: Record<string, Record<string, unknown>> = {};
  for (const b of (view['blocks'] ?? []) as InputBlock[]) {
    if (b.type !== 'input' || !b.element?.action_id) continue;
    const blockId = b.block_id ?? 'b';
    const e = b.element;
    const actionId = e.action_id!;
    const chosen = values[`${blockId}.${actionId}`] ?? values[actionId] ?? values[blockId];
    let value: Record<string, unknown>;
    if (e.type === 'static_select' || e.type === 'radio_buttons') {
      const option = (chosen !== undefined ? e.options?.find((o) => o.value === chosen) : undefined) ?? e.initial_option;
      value = { type: e.type, selected_option: option ? { text: option.text, value: option.value } : null };
    } else value = { type: e.type ?? 'plain_text_input', value: chosen ?? e.initial_value ?? null };
    state[blockId] = { [actionId]: value };
  }
  return state;
}

export function viewBody(kind: 'view_submission' | 'view_closed', o: { user: Actor; viewId: string; view: Record<string, unknown>; hash: string; values?: Record<string, string>; triggerId: string }): string {
  return interaction({
    type: kind,
    team: TEAM,
    user: userOf(o.user),
    api_app_id: APP_ID,
    token: 'sandbox-verification-token',
    ...(kind === 'view_submission' ? { trigger_id: o.triggerId } : { is_cleared: false }),
    view: {
      id: o.viewId,
      team_id: TEAM.id,
      type: 'modal',
      callback_id: o.view['callback_id'] ?? '',
      private_metadata: o.view['private_metadata'] ?? '',
      title: o.view['title'],
      blocks: o.view['blocks'] ?? [],
      hash: o.hash,
      state: { values: viewState(o.view, o.values ?? {}) },
      app_id: APP_ID,
    },
  });
}
