// Rotations that happen within the same minute become one alert message per channel, posted
// once and then updated, instead of one post each: a burst (a scheduled rotation of fifty
// secrets, an at-least-once delivery storm, several rotations of one secret) must neither
// flood the channel nor wait minutes behind Slack's ~1 message/s.
//
// Every alert instance appends its rotation to the window's list in the store (atomic, shared
// by every process). The first to append posts the message. Then, for each second in which
// rotations arrive, one instance (whichever claims that second) re-renders the whole list just
// after the second ends, so everything appended during it is in. The message ends with every
// rotation; a burst costs one post and at most one update per second; and no instance waits
// longer than about a second (a Lambda invocation is billed for its waits).
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import type { Store } from '../store/types.js';

export const WINDOW_MS = 60_000;
/** one render per this long per window, at most */
export const RENDER_EVERY_MS = 1_000;
/** how long a rotation waits for the window's first post (Slack's own retries take ~4 s) */
export const POSTER_PATIENCE_MS = 10_000;
/** after its second ends, the renderer waits this much more for appends still landing */
const GRACE_MS = 200;
const KEEP_SECONDS = 86_400;

export const RotationEntrySchema = z.object({
  dedupeKey: z.string(),
  secretId: z.string(),
  name: z.string(),
  /** the rotation's time (ISO) */
  time: z.string(),
  region: z.string(),
  db: z.string().optional(),
  atRisk: z.array(z.object({ cluster: z.string(), service: z.string(), stale: z.number(), tasks: z.number(), auto: z.boolean() })),
  healthy: z.array(z.object({ service: z.string(), tasks: z.number() })),
  unchecked: z.array(z.string()),
});
export type RotationEntry = z.infer<typeof RotationEntrySchema>;

export interface AlertWindow {
  channel: string;
  /** epoch ms of the window's start */
  start: number;
}

export const windowOf = (channel: string, time: string): AlertWindow => ({
  channel,
  start: Math.floor(Date.parse(time) / WINDOW_MS) * WINDOW_MS,
});

const listKey = (w: AlertWindow) => `alert-window:${w.channel}:${w.start}`;
const tsKey = (w: AlertWindow) => `alert-window-ts:${w.channel}:${w.start}`;
const renderKey = (w: AlertWindow, slot: number) => `alert-window-render:${w.channel}:${w.start}:${slot}`;

function parseEntries(raw: unknown[]): RotationEntry[] {
  return raw.flatMap((r) => {
    const p = RotationEntrySchema.safeParse(r);
    return p.success ? [p.data] : [];
  });
}

export interface WindowIo {
  store: Pick<Store, 'appendToList' | 'readList' | 'cacheGet' | 'cacheSet' | 'claimOnce'>;
  /** posts the window's first message; returns its ts */
  post(entries: RotationEntry[]): Promise<string>;
  /** replaces the message with every entry so far */
  update(ts: string, entries: RotationEntry[]): Promise<void>;
  now?: () => number;
  /** render slot length (tests shorten it) */
  renderEveryMs?: number;
  /** how long the others wait for the window's first post before one posts instead */
  posterPatienceMs?: number;
}

/**
 * Adds a rotation to its window's message. Returns the message's ts (for thread replies),
 * or undefined if the message could not be found in time (the poster failed).
 */
export async function publishInWindow(w: AlertWindow, entry: RotationEntry, io: WindowIo): Promise<string | undefined> {
  const now = io.now ?? Date.now;
  const every = io.renderEveryMs ?? RENDER_EVERY_MS;
  const mine = await io.store.appendToList(listKey(w), entry, KEEP_SECONDS);
  let ts: string | undefined;
  if (mine.length === 1) {
    ts = await io.post(parseEntries(mine));
    await io.store.cacheSet(tsKey(w), ts, KEEP_SECONDS);
  } else {
    ts = (await waitForTs(w, io, now, io.posterPatienceMs ?? POSTER_PATIENCE_MS)) ?? (await postInstead(w, io, now));
    if (ts === undefined) return undefined;
  }
  // The slot this append falls in: its renderer (the first to claim it) runs after it ends.
  const slot = Math.floor(now() / every);
  const claim = await io.store.claimOnce({ nonce: renderKey(w, slot), actor: 'whybot', action: 'alert-render', ttlSeconds: 3_600 });
  if (!claim.won) return ts;
  await sleep(Math.max(0, (slot + 1) * every - now()) + GRACE_MS);
  await io.update(ts, parseEntries(await io.store.readList(listKey(w))));
  return ts;
}

/**
 * The instance that opened the window did not post (Slack failed it, its Lambda timed out):
 * one of the others (whoever claims it) posts the whole list instead, so no rotation of that
 * minute goes unannounced.
 */
async function postInstead(w: AlertWindow, io: WindowIo, now: () => number): Promise<string | undefined> {
  const claim = await io.store.claimOnce({ nonce: `alert-window-post:${w.channel}:${w.start}`, actor: 'whybot', action: 'alert-post', ttlSeconds: KEEP_SECONDS });
  if (!claim.won) return waitForTs(w, io, now, io.posterPatienceMs ?? POSTER_PATIENCE_MS);
  const ts = await io.post(parseEntries(await io.store.readList(listKey(w))));
  await io.store.cacheSet(tsKey(w), ts, KEEP_SECONDS);
  return ts;
}

async function waitForTs(w: AlertWindow, io: WindowIo, now: () => number, patienceMs: number): Promise<string | undefined> {
  const deadline = now() + patienceMs;
  for (let wait = 50; now() < deadline; wait = Math.min(wait * 2, 1_000)) {
    const ts = await io.store.cacheGet(tsKey(w));
    if (typeof ts === 'string') return ts;
    await sleep(wait);
  }
  return undefined;
}
