// The path of a click: verify the signed value → authorise → confirmation modal → (on
// submit) claim the nonce once → execute → audit → post → verify in the background.
// Listeners only validate and open the modal (inside the trigger_id's 3 s); the AWS write
// runs as a job, in this process or in the worker function on AWS.
import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import * as z from 'zod';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { remediationSpecs } from '../remediations/specs.js';
import { mentionList, Responders } from '../remediations/responders.js';
import type { ActionPayload, ActionSigner, VerifyFailure } from '../remediations/signed-value.js';
import type { RemediationSpec } from '../remediations/types.js';
import type { AuditRecord, Store } from '../store/types.js';
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

export function audit(store: Store, r: Omit<AuditRecord, 'id' | 'at'> & { at?: string }): Promise<void> {
  return store.appendAudit({ id: randomUUID(), at: r.at ?? new Date().toISOString(), ...r });
}

/** Checks a value and the actor; returns the action and params, or the refusal already told. */
export async function admit(
  deps: RemediationDeps,
  value: string | undefined,
  actor: string,
  refuse: (text: string) => Promise<unknown>,
): Promise<{ payload: ActionPayload; action: RemediationSpec } | undefined> {
  const checked = deps.signer.verify(value);
  if (!checked.ok) {
    await audit(deps.store, { actor, action: 'unknown', params: {}, outcome: 'refused', result: `button value ${checked.why}` });
    await refuse(errorText(refusal[checked.why]));
    return undefined;
  }
  const { payload } = checked;
  const action = remediationSpecs[payload.a];
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
    const admission = await jobs.dispatch({
      kind: 'remediate',
      value: meta.data.v,
      actor,
      channel: meta.data.c,
      ...(meta.data.m ? { messageTs: meta.data.m } : {}),
      ...(choice ? { choice } : {}),
    });
    const reply = admissionText(admission);
    if (reply) await refuse(reply).catch((err: unknown) => log.warn({ err: String(err) }, 'could not tell the actor where the action stands'));
  });
}

