// The reconciler and a verification scheduled to resume (src/engine/execute-once.ts
// VerifyScheduler): its owner is no process, so only `verifyResumeAt` keeps the reconciler from
// taking it over at once and verifying it a second time beside its scheduled delivery. A lost
// delivery is still taken over, once it is long overdue. Clock injected: no waiting.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scheduledOwner } from '../src/engine/execute-once.js';
import { reconcileOnce, SCHEDULED_VERIFY_GRACE_MS } from '../src/entry/reconciler.js';
import { createLogger } from '../src/logger.js';
import type { Job } from '../src/slack/jobs.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { testDbPath } from './helpers/harness.js';

let store: Store | undefined;
let dbPath = '';
afterEach(async () => {
  await store?.close();
  if (dbPath) rmSync(path.dirname(dbPath), { recursive: true, force: true });
});

async function scheduledWrite(resumeAt: number) {
  dbPath = testDbPath();
  store = openStore({ dbPath });
  const at = new Date(resumeAt - 60_000).toISOString();
  await store.journalPut({
    id: 'write:n1', kind: 'write', body: {}, state: 'open', stage: 'verifying', owner: scheduledOwner(1), createdAt: at, updatedAt: at,
    facts: { verifyAttempt: '1', verifyResumeAt: new Date(resumeAt).toISOString(), verifyDeadline: new Date(resumeAt + 600_000).toISOString() },
  });
  return store;
}

async function round(s: Store, now: number): Promise<Job[]> {
  const admitted: Job[] = [];
  await reconcileOnce({ store: s, owner: 'boot-next', admit: (job) => (admitted.push(job), { state: 'started' }), log: createLogger('silent'), quietMs: 1_000, now: () => now });
  return admitted;
}

describe('reconciler: a scheduled verification', () => {
  it('is left to its delivery while it is due or only a little late', async () => {
    const resumeAt = Date.now();
    const s = await scheduledWrite(resumeAt);
    expect(await round(s, resumeAt - 1_000)).toEqual([]);
    expect(await round(s, resumeAt + SCHEDULED_VERIFY_GRACE_MS - 1_000)).toEqual([]);
    expect(await s.journalGet('write:n1')).toMatchObject({ state: 'open', owner: 'verify-scheduled:1' });
  });

  it('is taken over once its delivery is long overdue (lost), by one reconciler, and a late delivery then finds another owner', async () => {
    const resumeAt = Date.now() - SCHEDULED_VERIFY_GRACE_MS - 1_000;
    const s = await scheduledWrite(resumeAt);
    expect(await round(s, Date.now())).toEqual([{ kind: 'reconcile', journalId: 'write:n1' }]);
    expect(await s.journalGet('write:n1')).toMatchObject({ owner: 'boot-next', facts: { takenOverFrom: 'verify-scheduled:1' } });
    // the claim a delivery of attempt 1 would take is the reconciler's now
    expect((await s.claimOnce({ nonce: `takeover:write:n1:${scheduledOwner(1)}`, actor: 'boot-sqs', action: 'reconcile', ttlSeconds: 60 })).won).toBe(false);
  });
});
