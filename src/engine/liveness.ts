// Which whybot processes are alive: each has a boot id and keeps a short-lived heartbeat in
// the store. Work journaled by a process whose heartbeat has lapsed was left behind by a crash
// (SIGKILL, OOM, a lost container) and is for a live process to reconcile.
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/types.js';

export const DEFAULT_HEARTBEAT_TTL_SECONDS = 10;

const heartbeatKey = (owner: string) => `heartbeat:${owner}`;

export const newBootId = (): string => `boot-${randomUUID()}`;

export async function isAlive(store: Pick<Store, 'cacheGet'>, owner: string): Promise<boolean> {
  return (await store.cacheGet(heartbeatKey(owner))) !== undefined;
}

/**
 * Beats (three times per TTL) until stopped; the first beat is written before this returns.
 * stop() also removes the heartbeat, so a successor takes over at once.
 */
export async function startHeartbeat(
  store: Pick<Store, 'cacheSet'>,
  owner: string,
  ttlSeconds: number,
  onError: (err: unknown) => void,
): Promise<{ stop(): Promise<void> }> {
  const beat = () => store.cacheSet(heartbeatKey(owner), { at: new Date().toISOString() }, ttlSeconds);
  await beat();
  const timer = setInterval(() => void beat().catch(onError), (ttlSeconds * 1000) / 3);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await store.cacheSet(heartbeatKey(owner), undefined, ttlSeconds).catch(onError);
    },
  };
}
