// Slack's side of a button: the thread's remediation buttons, a signed click and a signed
// confirmation, as Slack sends them. Shared by the remediation and crash suites.
import type { SlackDouble, SlackMessage } from '../../src/sandbox/slack/server.js';
import { interactionBody } from './harness.js';

export interface ButtonRef {
  message: SlackMessage;
  rootTs: string;
  actionId: string;
  value: string;
}

/** Every remediation button in the thread of `rootTs` (and its root). */
export function buttonsIn(slack: SlackDouble, channel: string, rootTs: string): ButtonRef[] {
  const buttons: ButtonRef[] = [];
  for (const m of slack.thread(channel, rootTs))
    for (const b of (m.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
      if (b.type === 'actions')
        for (const e of b.elements ?? []) if (e.action_id.startsWith('remediate:')) buttons.push({ message: m, rootTs, actionId: e.action_id, value: e.value });
  return buttons;
}

export function clickBody(slack: SlackDouble, channel: string, button: ButtonRef, user: string, value = button.value, responseId = `click-${user}`) {
  return interactionBody({
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0WHYBOT',
    token: 'legacy',
    team: { id: 'T0001', domain: 'acme' },
    container: { type: 'message', message_ts: button.message.ts, channel_id: channel, is_ephemeral: false, thread_ts: button.rootTs },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    channel: { id: channel, name: 'oncall' },
    message: { type: 'message', ts: button.message.ts, thread_ts: button.rootTs, text: button.message.text, blocks: button.message.blocks },
    response_url: slack.responseUrl(responseId, { channel, user }),
    actions: [{ type: 'button', action_id: button.actionId, block_id: 'b', value, action_ts: '1' }],
  });
}

export function submitBody(user: string, privateMetadata: string, choice?: string) {
  return interactionBody({
    type: 'view_submission',
    team: { id: 'T0001', domain: 'acme' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0WHYBOT',
    token: 'legacy',
    trigger_id: `trigger-submit-${Math.random().toString(36).slice(2)}`,
    view: {
      id: 'V0CONFIRM',
      type: 'modal',
      callback_id: 'remediate-confirm',
      private_metadata: privateMetadata,
      hash: 'h',
      state: { values: choice ? { choice: { value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: choice }, value: choice } } } } : {} },
    },
  });
}
