// The `alerts` function: target of the EventBridge rule on Secrets Manager rotation events.
// Validates each event and records it once (EventBridge delivers at least once). Posting
// who is at risk comes with the rotation-alerts feature.
import { parseRotationEvent } from '../alerts/events.js';
import { coldStart, type Runtime } from './runtime.js';

const KEEP_SECONDS = 30 * 86_400;

let ready: Promise<Runtime> | undefined;

export async function handler(event: unknown): Promise<{ recorded: boolean; reason?: string }> {
  ready ??= coldStart('alerts').catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const rt = await ready;
  const parsed = parseRotationEvent(event);
  if (!parsed.ok) {
    rt.log.warn({ reason: parsed.reason }, 'skipped an event that is not a rotation event');
    return { recorded: false, reason: parsed.reason };
  }
  const e = parsed.event;
  // Claim-once makes concurrent duplicate deliveries record one event, across containers.
  const claim = await rt.store.claimOnce({ nonce: `rotation-event:${e.dedupeKey}`, actor: 'eventbridge', action: 'rotation-event', ttlSeconds: KEEP_SECONDS });
  if (!claim.won) {
    rt.log.info({ event: e.name, secret: e.secretId }, 'duplicate delivery');
    return { recorded: false, reason: 'duplicate' };
  }
  await rt.store.cacheSet(`rotation-event:${e.id}`, e, KEEP_SECONDS);
  await rt.store.finishClaim(`rotation-event:${e.dedupeKey}`, 'done', e.name);
  rt.log.info({ event: e.name, secret: e.secretId, at: e.time }, 'rotation event recorded');
  return { recorded: true };
}
