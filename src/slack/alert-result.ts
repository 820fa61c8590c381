// How a playbook's answer is posted on an alert (alerts/rotation-failed-alert.ts): exactly as
// the slash command posts it (slack/investigate.ts) — the verdict on the thread's root (here
// under the alert's own lines), the findings, timeline and checks in its thread, remediation
// buttons signed for that thread when this deployment has an action secret.
import type { webApi } from '@slack/bolt';
import type { ResultPoster } from '../alerts/rotation-alert.js';
import type { Config } from '../config.js';
import { remediations } from '../remediations/index.js';
import type { ActionSigner } from '../remediations/signed-value.js';
import { threadMessages, verdictMessage, type ButtonFactory } from './render.js';

const slackError = (err: unknown): string | undefined => (err as { data?: { error?: string } }).data?.error;

export function slackResultPoster(d: { client: webApi.WebClient; config: Pick<Config, 'buttonTtlSeconds'>; signer?: ActionSigner }): ResultPoster {
  return async (root, alert, result) => {
    const verdict = verdictMessage(result);
    try {
      await d.client.chat.update({
        channel: root.channel,
        ts: root.ts,
        text: `${alert.text}: ${verdict.text}`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: alert.mrkdwn } }, ...verdict.blocks],
      });
    } catch (err) {
      // the root cannot be edited (deleted, too old): the verdict goes into the thread instead
      if (slackError(err) !== 'message_not_found' && slackError(err) !== 'cant_update_message') throw err;
      await d.client.chat.postMessage({ channel: root.channel, thread_ts: root.ts, ...verdict });
    }
    const signer = d.signer;
    const buttonFor: ButtonFactory | undefined = signer
      ? (ref) => (remediations[ref.id] ? signer.sign({ a: ref.id, p: ref.params, ...(result.account ? { ac: result.account } : {}), c: root.channel, t: root.ts, ttlSeconds: d.config.buttonTtlSeconds }) : undefined)
      : undefined;
    for (const message of threadMessages(result, buttonFor)) await d.client.chat.postMessage({ channel: root.channel, thread_ts: root.ts, ...message });
  };
}
