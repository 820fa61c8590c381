// `whybot watch`: where EventBridge cannot reach (a laptop, the sandbox), poll CloudTrail
// for the same rotation events, at a low rate through the shared LookupEvents limiter, and
// resume from a cursor kept in the store. Overlapping windows are safe: every alert is
// claimed once, so a restart neither misses nor repeats one.
import type { AwsClients } from '../aws/clients.js';
import { lookupEvents } from '../aws/cloudtrail.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { parseRotationEvent, ROTATION_EVENT_NAMES, type RotationEvent } from './events.js';

/** CloudTrail shows events up to ~15 min late: each poll looks back that far before the cursor. */
const DELIVERY_LAG_MS = 15 * 60_000;
const CURSOR_TTL_SECONDS = 90 * 86_400;

export interface WatchDeps {
  aws: AwsClients;
  store: Store;
  region: string;
  log: Logger;
  onEvent: (e: RotationEvent) => Promise<unknown>;
  /** after each poll (e.g. the daily digest, which claims itself once per day) */
  afterPoll?: (now: Date) => Promise<unknown>;
  now?: () => Date;
}

const cursorKey = (scope: string) => `watch-cursor:${scope}`;

export async function pollOnce(deps: WatchDeps): Promise<{ seen: number; handled: number; since: Date; until: Date }> {
  const now = deps.now?.() ?? new Date();
  const cursor = await deps.store.cacheGet(cursorKey(deps.aws.scope));
  const last = typeof cursor === 'string' ? new Date(cursor) : new Date(now.getTime() - DELIVERY_LAG_MS);
  const since = new Date(last.getTime() - DELIVERY_LAG_MS);
  const { events } = await lookupEvents(deps.aws, {
    attribute: { key: 'EventSource', value: 'secretsmanager.amazonaws.com' },
    since,
    until: now,
    maxPages: 20,
  });
  const rotations = events
    .filter((e) => (ROTATION_EVENT_NAMES as readonly string[]).includes(e.name) && e.record)
    .sort((a, b) => a.time.getTime() - b.time.getTime());
  let handled = 0;
  for (const t of rotations) {
    const record = t.record!;
    const parsed = parseRotationEvent({
      id: t.id,
      source: 'aws.secretsmanager',
      'detail-type': 'AWS Service Event via CloudTrail',
      account: String(record.recipientAccountId ?? (record.userIdentity as { accountId?: string } | undefined)?.accountId ?? '000000000000'),
      region: String(record.awsRegion ?? deps.region),
      time: t.time.toISOString(),
      resources: [],
      detail: record,
    });
    if (!parsed.ok) {
      deps.log.warn({ id: t.id, reason: parsed.reason }, 'skipped a CloudTrail rotation record');
      continue;
    }
    await deps.onEvent(parsed.event); // a failure leaves the cursor where it was: retried next poll
    handled++;
  }
  await deps.store.cacheSet(cursorKey(deps.aws.scope), now.toISOString(), CURSOR_TTL_SECONDS);
  await deps.afterPoll?.(now);
  return { seen: rotations.length, handled, since, until: now };
}

/** Polls until stopped; errors are logged and the next poll retries the same window. */
export function startWatch(deps: WatchDeps, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = pollOnce(deps)
      .then((r) => deps.log.debug(r, 'watch poll'))
      .catch((err: unknown) => deps.log.error({ err: String(err) }, 'watch poll failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
