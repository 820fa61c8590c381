// The path of a click: verify the signed value → authorise → confirmation modal → (on
// submit) claim the nonce once → execute → audit → post → verify in the background.
// Listeners only validate and open the modal (inside the trigger_id's 3 s); the AWS write
// runs as a job, in this process or in the worker function on AWS.
import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import * as z from 'zod';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { actionMetas } from '../remediations/metas.js';
import { mentionList, Responders } from '../remediations/responders.js';
import type { ActionPayload, ActionSigner, VerifyFailure } from '../remediations/signed-value.js';
import type { ActionMeta } from '../remediations/types.js';
import { audit } from '../store/audit.js';
import type { Store } from '../store/types.js';
import type { JobRunner } from './jobs.js';
import { admissionText, errorText } from './render.js';
import { alreadyRunText, CHOICE_ACTION, CHOICE_BLOCK, CONFIRM_CALLBACK, confirmModal } from './render-remediation.js';


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

export const messageKey = (channel: string, ts: string) => `message:${channel}:${ts}`;

/** Checks a value and the actor; returns the action and params, or the refusal already told. */
export async function admit(
  deps: RemediationDeps,
  value: string | undefined,
  actor: string,
  refuse: (text: string) => Promise<unknown>,
): Promise<{ payload: ActionPayload; action: ActionMeta } | undefined> {
  const checked = deps.signer.verify(value);
  if (!checked.ok) {
    await audit(deps.store, { actor, action: 'unknown', params: {}, outcome: 'refused', result: `button value ${checked.why}` });
    await refuse(errorText(refusal[checked.why]));
    return undefined;
  }
  const { payload } = checked;
  const action = actionMetas[payload.a];
  if (!action || !action.params.safeParse(payload.p).success) {
    await audit(deps.store, { actor, action: payload.a, params: payload.p, nonce: payload.n, outcome: 'refused', result: 'unknown action or bad params', ...(payload.ac ? { account: payload.ac } : {}) });
    await refuse(errorText('whybot does not know this action; run the command again.'));
    return undefined;
  }
  const auth = await deps.responders.authorise(actor, action.id);
  if (!auth.ok) {
    await audit(deps.store, { actor, action: action.id, params: payload.p, nonce: payload.n, outcome: 'refused', result: 'not a responder', ...(payload.ac ? { account: payload.ac } : {}) });
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
    try {
      const admitted = await admit(deps, action.value, body.user.id, refuse);
      if (!admitted) return;
      const { payload, action: remediation } = admitted;
      const channel = body.channel?.id ?? payload.c;
      // A button signed for one channel's thread does not run from another (a forwarded or copied message).
      if (channel !== payload.c) {
        await audit(store, { actor: body.user.id, action: remediation.id, params: payload.p, nonce: payload.n, outcome: 'refused', result: `button for ${payload.c} clicked in ${channel}`, ...(payload.ac ? { account: payload.ac } : {}) });
        await refuse(errorText('This button belongs to another channel’s thread; run the command here for buttons of your own.'));
        return;
      }
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
    } catch (err) {
      // Slack, the store or a user-group lookup failed: the person who clicked hears it.
      log.error({ err: String(err) }, 'a button click could not be handled');
      await refuse(errorText(`whybot could not open this action’s confirmation (${whyFailed(err)}). Nothing was run; click again in a moment.`)).catch(() => undefined);
    }
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
    // The confirmation is authorised and journaled before Slack is answered, so an ack means
    // "recorded"; what goes wrong before that is shown in the modal itself.
    const recorded = (async () => {
      const admitted = await admit(deps, meta.data.v, actor, refuse);
      if (!admitted) return undefined;
      return jobs.dispatch({
        kind: 'remediate',
        value: meta.data.v,
        actor,
        channel: meta.data.c,
        ...(meta.data.m ? { messageTs: meta.data.m } : {}),
        ...(choice ? { choice } : {}),
      });
    })();
    const inTime = await Promise.race([recorded.then((a) => ({ a }), (err: unknown) => ({ err })), sleep(ACK_BUDGET_MS, undefined, { ref: false }).then(() => 'late' as const)]);
    if (inTime !== 'late' && 'err' in inTime) {
      log.error({ err: String(inTime.err) }, 'a confirmation could not be recorded');
      await ack({ response_action: 'errors', errors: { [CHOICE_BLOCK]: `whybot could not record this (${whyFailed(inTime.err)}). Nothing was run; try again.` } });
      return;
    }
    await ack();
    // Late (a slow user-group lookup): Slack has its answer; the outcome follows in an ephemeral.
    const admission = inTime === 'late' ? await recorded.catch((err: unknown) => ({ state: 'refused' as const, reason: whyFailed(err) })) : inTime.a;
    const reply = admission ? admissionText(admission) : undefined;
    if (reply) await refuse(reply).catch((err: unknown) => log.warn({ err: String(err) }, 'could not tell the actor where the action stands'));
  });
}

/** What Slack's 3 s leave for authorising and journaling a confirmation before the ack. */
const ACK_BUDGET_MS = 2_000;

function whyFailed(err: unknown): string {
  const slack = (err as { data?: { error?: string } }).data?.error;
  if (slack) return `Slack answered ${slack}`;
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.slice(0, 200);
}
