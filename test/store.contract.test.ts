// One contract suite for both Store adapters: SQLite on a real temp file and DynamoDB against
// dynalite (in-process DynamoDB) on loopback. Time is injected (`now`), so nothing sleeps.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimThroughput } from '../src/bench/store-claims.js';
import { windowMax } from '../src/bench/stats.js';
import type { Clock } from '../src/store/common.js';
import { createDynamoStore, ensureTable } from '../src/store/dynamodb.js';
import { defaultDbPath, openStore } from '../src/store/index.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { AuditRecord, JournalEntry, Store } from '../src/store/types.js';

// dynalite ships no types.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (opts: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

const credentials = { accessKeyId: 'AKIDTESTTEST', secretAccessKey: 'test-secret' };
process.env.AWS_ACCESS_KEY_ID ??= credentials.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY ??= credentials.secretAccessKey;

let dynaliteServer: Server | undefined;
let endpoint = '';

beforeAll(async () => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  dynaliteServer = server;
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (dynaliteServer ? dynaliteServer.close(() => resolve()) : resolve()));
});

function testClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** A manual clock, in epoch ms. */
function manualClock(startIso = '2026-03-10T12:00:00.000Z'): { now: Clock; advance(ms: number): void } {
  let t = Date.parse(startIso);
  return { now: () => t, advance: (ms) => void (t += ms) };
}

interface Backend {
  name: string;
  /** Fresh, empty storage for one test. */
  fresh(): Promise<void>;
  /** A new store instance on the current storage (a second call = a second "process"). */
  open(now?: Clock): Store;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  let dir = '';
  let opened: Store[] = [];
  return {
    name: 'sqlite',
    async fresh() {
      dir = await mkdtemp(join(tmpdir(), 'whybot-store-'));
    },
    open(now) {
      const s = openSqliteStore(join(dir, 'data', 'whybot.sqlite'), { now });
      opened.push(s);
      return s;
    },
    async cleanup() {
      for (const s of opened) await s.close();
      opened = [];
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

let tableCounter = 0;
function dynamoBackend(): Backend {
  let table = '';
  let opened: Store[] = [];
  return {
    name: 'dynamodb',
    async fresh() {
      table = `whybot-test-${process.pid}-${++tableCounter}`;
      const client = testClient();
      try {
        await ensureTable(client, table);
      } finally {
        client.destroy();
      }
    },
    open(now) {
      const s = createDynamoStore({ table, client: testClient(), now, destroyClientOnClose: true });
      opened.push(s);
      return s;
    },
    async cleanup() {
      for (const s of opened) await s.close();
      opened = [];
    },
  };
}

function audit(id: string, at: string, extra: Partial<AuditRecord> = {}): AuditRecord {
  return { id, at, actor: 'U123', action: 'rotate-secret', params: {}, outcome: 'ran', ...extra };
}

describe.each([sqliteBackend(), dynamoBackend()])('Store contract: $name', (backend) => {
  beforeEach(() => backend.fresh());
  afterEach(() => backend.cleanup());

  describe('claimOnce', () => {
    it('first caller wins; a later caller loses and sees the winner', async () => {
      const clock = manualClock();
      const store = backend.open(clock.now);

      const first = await store.claimOnce({ nonce: 'n1', actor: 'U_ALICE', action: 'restart-service', ttlSeconds: 900 });
      expect(first).toEqual({
        won: true,
        claim: {
          nonce: 'n1',
          actor: 'U_ALICE',
          action: 'restart-service',
          claimedAt: '2026-03-10T12:00:00.000Z',
          state: 'running',
        },
      });

      clock.advance(5_000);
      const second = await store.claimOnce({ nonce: 'n1', actor: 'U_BOB', action: 'restart-service', ttlSeconds: 900 });
      expect(second).toEqual({
        won: false,
        existing: {
          nonce: 'n1',
          actor: 'U_ALICE',
          action: 'restart-service',
          claimedAt: '2026-03-10T12:00:00.000Z',
          state: 'running',
        },
      });

      // Another nonce is independent.
      const other = await store.claimOnce({ nonce: 'n2', actor: 'U_BOB', action: 'restart-service', ttlSeconds: 900 });
      expect(other.won).toBe(true);
    });

    it('finishClaim records the outcome for getClaim and for later losers', async () => {
      const store = backend.open(manualClock().now);
      expect(await store.getClaim('n1')).toBeUndefined();

      await store.claimOnce({ nonce: 'n1', actor: 'whybot policy', action: 'rotate-key', ttlSeconds: 900 });
      expect(await store.getClaim('n1')).toMatchObject({ actor: 'whybot policy', state: 'running' });
      expect(await store.getClaim('n1')).not.toHaveProperty('detail');

      await store.finishClaim('n1', 'failed', 'AccessDenied: kms:CreateKey');
      expect(await store.getClaim('n1')).toEqual({
        nonce: 'n1',
        actor: 'whybot policy',
        action: 'rotate-key',
        claimedAt: '2026-03-10T12:00:00.000Z',
        state: 'failed',
        detail: 'AccessDenied: kms:CreateKey',
      });

      const loser = await store.claimOnce({ nonce: 'n1', actor: 'U_BOB', action: 'rotate-key', ttlSeconds: 900 });
      expect(loser).toMatchObject({ won: false, existing: { actor: 'whybot policy', state: 'failed', detail: 'AccessDenied: kms:CreateKey' } });

      // Finishing again without detail replaces state and drops the old detail.
      await store.finishClaim('n1', 'done');
      const done = await store.getClaim('n1');
      expect(done?.state).toBe('done');
      expect(done).not.toHaveProperty('detail');
    });

    it('finishClaim of an unknown nonce rejects', async () => {
      const store = backend.open();
      await expect(store.finishClaim('never-claimed', 'done')).rejects.toThrow(/no claim/);
      expect(await store.getClaim('never-claimed')).toBeUndefined();
    });

    it('rejects invalid input', async () => {
      const store = backend.open();
      await expect(store.claimOnce({ nonce: '', actor: 'U1', action: 'a', ttlSeconds: 60 })).rejects.toThrow();
      await expect(store.claimOnce({ nonce: 'n', actor: 'U1', action: 'a', ttlSeconds: 0 })).rejects.toThrow(RangeError);
      await expect(store.claimOnce({ nonce: 'n', actor: 'U1', action: 'a', ttlSeconds: Number.NaN })).rejects.toThrow(RangeError);
      expect(await store.getClaim('n')).toBeUndefined();
    });

    it('100 concurrent claims of one nonce: exactly one winner, every loser sees it', async () => {
      const store = backend.open();
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.claimOnce({ nonce: 'hot', actor: `U${i}`, action: 'scale-up', ttlSeconds: 900 })),
      );
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      if (!winner.won) throw new Error('unreachable');
      for (const r of results) if (!r.won) expect(r.existing).toEqual(winner.claim);
      expect(await store.getClaim('hot')).toEqual(winner.claim);
    });

    it('two store instances on the same storage ("two processes"): still exactly one winner', async () => {
      const a = backend.open();
      const b = backend.open();
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          (i % 2 === 0 ? a : b).claimOnce({ nonce: 'shared', actor: `U${i}`, action: 'scale-up', ttlSeconds: 900 }),
        ),
      );
      expect(results.filter((r) => r.won)).toHaveLength(1);
      const fromA = await a.getClaim('shared');
      expect(fromA).toBeDefined();
      expect(await b.getClaim('shared')).toEqual(fromA);

      await a.finishClaim('shared', 'done', 'ok');
      expect(await b.getClaim('shared')).toMatchObject({ state: 'done', detail: 'ok' });
    });
  });

  describe('audit', () => {
    it('filters by since, orders oldest first, spans UTC days, applies limit', async () => {
      const store = backend.open(manualClock('2026-03-10T12:00:00.000Z').now);
      // Appended out of order, across 2026-03-08 .. 2026-03-10 (UTC).
      const records = [
        audit('e', '2026-03-10T00:00:01.000Z'),
        audit('a', '2026-03-08T10:00:00.000Z'),
        audit('c', '2026-03-09T23:59:59.999Z'),
        audit('b', '2026-03-09T00:00:00.000Z'),
        // 01:30 at +02:00 is 2026-03-09T23:30Z: sorted and filtered by UTC instant, returned unchanged.
        audit('offset', '2026-03-10T01:30:00.000+02:00'),
        audit('f', '2026-03-10T11:00:00.000Z'),
      ];
      for (const r of records) await store.appendAudit(r);

      const ids = async (since: string, limit?: number) =>
        (await store.queryAudit({ since: new Date(since), limit })).map((r) => r.id);

      expect(await ids('2026-01-01T00:00:00.000Z')).toEqual(['a', 'b', 'offset', 'c', 'e', 'f']);
      // since is inclusive
      expect(await ids('2026-03-09T00:00:00.000Z')).toEqual(['b', 'offset', 'c', 'e', 'f']);
      expect(await ids('2026-03-09T00:00:00.001Z')).toEqual(['offset', 'c', 'e', 'f']);
      expect(await ids('2026-03-09T23:45:00.000Z')).toEqual(['c', 'e', 'f']);
      // limit takes the oldest, also across a day boundary
      expect(await ids('2026-03-09T12:00:00.000Z', 2)).toEqual(['offset', 'c']);
      expect(await ids('2026-03-09T12:00:00.000Z', 3)).toEqual(['offset', 'c', 'e']);
      expect(await ids('2026-01-01T00:00:00.000Z', 0)).toEqual([]);
      expect(await ids('2026-03-10T11:00:00.001Z')).toEqual([]);

      const offset = (await store.queryAudit({ since: new Date('2026-03-09T23:30:00.000Z'), limit: 1 }))[0];
      expect(offset?.at).toBe('2026-03-10T01:30:00.000+02:00');
    });

    it('round-trips params and optional fields; omits absent optional fields', async () => {
      const store = backend.open();
      const full: AuditRecord = {
        id: 'full',
        at: '2026-03-10T09:00:00.000Z',
        actor: 'U_ALICE',
        action: 'rotate-secret',
        params: { secretId: 'prod/db', versionStages: 2, force: false, dryRun: true, ratio: 0.5 },
        outcome: 'verified',
        nonce: 'n-1',
        startedAt: '2026-03-10T08:59:58.000Z',
        finishedAt: '2026-03-10T09:00:00.000Z',
        result: 'rotated; new version AWSCURRENT',
        awsRequestId: 'req-123',
        channel: 'C123',
        threadTs: '1741597200.000100',
      };
      const minimal: AuditRecord = {
        id: 'minimal',
        at: '2026-03-10T09:00:01.000Z',
        actor: 'U_MALLORY',
        action: 'restart-service',
        params: {},
        outcome: 'refused',
      };
      await store.appendAudit(full);
      await store.appendAudit(minimal);

      const got = await store.queryAudit({ since: new Date('2026-03-10T00:00:00.000Z') });
      expect(got).toEqual([full, minimal]);
      const gotMinimal = got[1]!;
      for (const k of ['nonce', 'startedAt', 'finishedAt', 'result', 'awsRequestId', 'channel', 'threadTs'])
        expect(Object.keys(gotMinimal)).not.toContain(k);
      expect(typeof got[0]?.params.versionStages).toBe('number');
      expect(got[0]?.params.force).toBe(false);
    });

    it('appending the same record twice keeps one copy; invalid records are rejected', async () => {
      const store = backend.open();
      const r = audit('dup', '2026-03-10T09:00:00.000Z', { outcome: 'duplicate' });
      await store.appendAudit(r);
      await store.appendAudit(r);
      expect(await store.queryAudit({ since: new Date(0) })).toEqual([r]);

      await expect(store.appendAudit({ ...r, id: 'bad', outcome: 'exploded' as never })).rejects.toThrow();
      await expect(store.appendAudit({ ...r, id: 'bad', at: 'yesterday' })).rejects.toThrow();
      expect(await store.queryAudit({ since: new Date(0) })).toHaveLength(1);
    });

    it('is shared between store instances and never expires', async () => {
      const clock = manualClock();
      const a = backend.open(clock.now);
      const b = backend.open(clock.now);
      await a.appendAudit(audit('x', '2026-03-10T11:00:00.000Z'));
      clock.advance(400 * 24 * 3600 * 1000);
      expect((await b.queryAudit({ since: new Date('2026-03-10T00:00:00.000Z') })).map((r) => r.id)).toEqual(['x']);
    });
  });

  describe('cache', () => {
    it('returns what was set, JSON round-tripped; misses are undefined', async () => {
      const store = backend.open(manualClock().now);
      expect(await store.cacheGet('k')).toBeUndefined();
      const value = { findings: [{ id: 'f1', score: 0.9, ok: true, note: null }], n: 3 };
      await store.cacheSet('k', value, 60);
      expect(await store.cacheGet('k')).toEqual(value);
      await store.cacheSet('k', 'replaced', 60);
      expect(await store.cacheGet('k')).toBe('replaced');
      await store.cacheSet('zero', 0, 60);
      expect(await store.cacheGet('zero')).toBe(0);
      await store.cacheSet('null', null, 60);
      expect(await store.cacheGet('null')).toBeNull();
      await store.cacheSet('k', undefined, 60); // not representable: deletes
      expect(await store.cacheGet('k')).toBeUndefined();
    });

    it('expires after ttlSeconds (injected clock)', async () => {
      const clock = manualClock();
      const store = backend.open(clock.now);
      const other = backend.open(clock.now);
      await store.cacheSet('k', { v: 1 }, 1);
      clock.advance(999);
      expect(await store.cacheGet('k')).toEqual({ v: 1 });
      expect(await other.cacheGet('k')).toEqual({ v: 1 });
      clock.advance(1);
      expect(await store.cacheGet('k')).toBeUndefined();
      expect(await other.cacheGet('k')).toBeUndefined();
      // set again after expiry
      await store.cacheSet('k', { v: 2 }, 30);
      clock.advance(29_000);
      expect(await other.cacheGet('k')).toEqual({ v: 2 });
      await expect(store.cacheSet('k', 1, -5)).rejects.toThrow(RangeError);
    });
  });

  describe('reserveRate (shared rate limits)', () => {
    it('lets a burst through, then spaces calls at the rate; keys are independent', async () => {
      const clock = manualClock();
      const t0 = clock.now();
      const store = backend.open(clock.now);
      const spec = { perSecond: 2, burst: 2 };
      const slots = [];
      for (let i = 0; i < 5; i++) slots.push((await store.reserveRate('cloudtrail|LookupEvents', spec)) - t0);
      expect(slots).toEqual([0, 0, 500, 1000, 1500]);
      expect(await store.reserveRate('other', spec)).toBe(t0);
      // idle long enough and the burst is available again
      clock.advance(10_000);
      expect(await store.reserveRate('cloudtrail|LookupEvents', spec)).toBe(t0 + 10_000);
      expect(await store.reserveRate('cloudtrail|LookupEvents', spec)).toBe(t0 + 10_000);
      expect(await store.reserveRate('cloudtrail|LookupEvents', spec)).toBe(t0 + 10_500);
    });

    it('is one schedule for every process sharing the store, however they race', async () => {
      const clock = manualClock();
      const t0 = clock.now();
      const processes = [backend.open(clock.now), backend.open(clock.now), backend.open(clock.now)];
      const spec = { perSecond: 1, burst: 1 };
      const slots = await Promise.all(
        Array.from({ length: 12 }, (_, i) => processes[i % processes.length]!.reserveRate('slack|C1', spec)),
      );
      // every slot distinct and exactly one interval apart: no two processes got the same one
      expect(slots.map((s) => s - t0).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i * 1000));
    });
  });

  describe('tryTakeRate (a token bucket every process takes from at the moment of its call)', () => {
    it('takes while the bucket holds a token, refuses with the time of the next one, refills at the rate', async () => {
      const clock = manualClock();
      const t0 = clock.now();
      const store = backend.open(clock.now);
      const spec = { perSecond: 2, burst: 2 };
      expect((await store.tryTakeRate('aws|111@eu-west-1|CloudTrail:LookupEvents', spec)).ok).toBe(true);
      expect((await store.tryTakeRate('aws|111@eu-west-1|CloudTrail:LookupEvents', spec)).ok).toBe(true);
      expect(await store.tryTakeRate('aws|111@eu-west-1|CloudTrail:LookupEvents', spec)).toEqual({ ok: false, retryAt: t0 + 500 });
      // a refusal takes nothing: still refused a moment later, for the same time
      clock.advance(100);
      expect(await store.tryTakeRate('aws|111@eu-west-1|CloudTrail:LookupEvents', spec)).toEqual({ ok: false, retryAt: t0 + 500 });
      // other keys (another Region, another account) are other buckets
      expect((await store.tryTakeRate('aws|111@us-east-1|CloudTrail:LookupEvents', spec)).ok).toBe(true);
      expect((await store.tryTakeRate('aws|222@eu-west-1|CloudTrail:LookupEvents', spec)).ok).toBe(true);
      clock.advance(400);
      expect((await store.tryTakeRate('aws|111@eu-west-1|CloudTrail:LookupEvents', spec)).ok).toBe(true);
      expect((await store.tryTakeRate('aws|111@eu-west-1|CloudTrail:LookupEvents', spec)).ok).toBe(false);
    });

    it('racing processes at one instant: exactly one token goes, the others are told when', async () => {
      const clock = manualClock();
      const t0 = clock.now();
      const processes = Array.from({ length: 4 }, () => backend.open(clock.now));
      const spec = { perSecond: 1.9, burst: 1 };
      const takes = await Promise.all(Array.from({ length: 12 }, (_, i) => processes[i % 4]!.tryTakeRate('aws|111@eu-west-1|CloudTrail:LookupEvents', spec)));
      expect(takes.filter((t) => t.ok)).toHaveLength(1);
      for (const t of takes) if (!t.ok) expect(t.retryAt).toBeCloseTo(t0 + 1000 / 1.9, 6);
    });

    it('4 processes claiming as fast as they can on the real clock never exceed the rate in any 1-second window', { timeout: 20_000 }, async () => {
      // the real clock: each "process" is its own store instance on the same storage, looping
      // tryTakeRate with no pacing of its own (the store alone must hold the bound)
      const processes = Array.from({ length: 4 }, () => backend.open());
      const spec = { perSecond: 2 * 0.95, burst: 1 };
      const key = 'aws|111@eu-west-1|CloudTrail:LookupEvents';
      const grants: number[] = [];
      const until = Date.now() + 3_000;
      await Promise.all(
        processes.map(async (store) => {
          while (Date.now() < until) {
            const r = await store.tryTakeRate(key, spec);
            if (r.ok) grants.push(r.tat - 1000 / spec.perSecond);
            else await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(50, r.retryAt - Date.now()))));
          }
        }),
      );
      // the grant times (the store's clock when it took the token): ≥ 5 over 3 s, ≤ 2 in any 1 s
      expect(grants.length).toBeGreaterThanOrEqual(5);
      expect(windowMax(grants, 1000)).toBeLessThanOrEqual(2);
      const sorted = [...grants].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1000 / spec.perSecond - 1e-6);
    });
  });

  describe('appendToList', () => {
    it('appends atomically from every process, in one order all of them see', async () => {
      const clock = manualClock();
      const processes = [backend.open(clock.now), backend.open(clock.now), backend.open(clock.now)];
      const lists = await Promise.all(
        Array.from({ length: 30 }, (_, i) => processes[i % 3]!.appendToList('alerts|C1|11:09', { secret: `s${i}` }, 3600)),
      );
      const final = await processes[1]!.readList('alerts|C1|11:09');
      expect(final).toHaveLength(30);
      expect(new Set(final.map((v) => (v as { secret: string }).secret)).size).toBe(30);
      // each append saw a prefix of the final order, and exactly one append saw each length
      for (const l of lists) expect(l).toEqual(final.slice(0, l.length));
      expect(lists.map((l) => l.length).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(await processes[0]!.readList('other')).toEqual([]);
    });

    it('expires from the first append, then starts again', async () => {
      const clock = manualClock();
      const store = backend.open(clock.now);
      await store.appendToList('k', 1, 60);
      clock.advance(30_000);
      expect(await store.appendToList('k', 2, 60)).toEqual([1, 2]);
      clock.advance(30_000);
      expect(await store.readList('k')).toEqual([]);
      expect(await store.appendToList('k', 3, 60)).toEqual([3]);
      await expect(store.appendToList('k', undefined, 60)).rejects.toThrow(TypeError);
    });
  });

  describe('journal', () => {
    const entry = (id: string, createdAt: string): JournalEntry => ({
      id, kind: 'job', body: { kind: 'investigate', target: 'prod-db' }, state: 'open', stage: 'queued', facts: {}, owner: 'boot-1', createdAt, updatedAt: createdAt,
    });

    it('keeps open entries, oldest first, until they are done; facts merge', async () => {
      const clock = manualClock();
      const store = backend.open(clock.now);
      await store.journalPut(entry('b', '2026-03-10T12:00:02.000Z'));
      await store.journalPut(entry('a', '2026-03-10T12:00:01.000Z'));
      await store.journalUpdate('a', { stage: 'running', facts: { rootTs: '1.0001' } });
      const a = await store.journalUpdate('a', { facts: { channel: 'C1' } });
      expect(a).toMatchObject({ stage: 'running', facts: { rootTs: '1.0001', channel: 'C1' } });
      expect((await store.journalOpen()).map((e) => e.id)).toEqual(['a', 'b']);
      await store.journalUpdate('a', { state: 'done', stage: 'finished' });
      expect((await store.journalOpen()).map((e) => e.id)).toEqual(['b']);
      expect(await store.journalGet('a')).toMatchObject({ state: 'done', stage: 'finished', body: { target: 'prod-db' } });
      await expect(store.journalUpdate('nope', { stage: 'x' })).rejects.toThrow(/no journal entry/);
    });

    it('creates an entry once, however many processes try', async () => {
      const [p1, p2] = [backend.open(), backend.open()];
      const made = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? p1 : p2).journalCreate(entry('write:n1', '2026-03-10T12:00:00.000Z'))));
      expect(made.filter(Boolean)).toHaveLength(1);
      await p1.journalUpdate('write:n1', { state: 'done', stage: 'verified' });
      expect(await p2.journalCreate(entry('write:n1', '2026-03-10T12:00:05.000Z'))).toBe(false);
      expect(await p2.journalGet('write:n1')).toMatchObject({ state: 'done', stage: 'verified' });
    });

    it('concurrent updates from two processes lose no fact', async () => {
      const [p1, p2] = [backend.open(), backend.open()];
      await p1.journalPut(entry('w', '2026-03-10T12:00:00.000Z'));
      await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? p1 : p2).journalUpdate('w', { facts: { [`f${i}`]: String(i) } })));
      const w = await p2.journalGet('w');
      expect(Object.keys(w!.facts).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `f${i}`).sort());
    });
  });

  it('claimThroughput (bench): all distinct nonces win, exactly one wins under contention', async () => {
    const r = await claimThroughput(backend.open(), 40, 8);
    expect(r.wins).toBe(40);
    expect(r.contentionWins).toBe(1);
    expect(r.claimsPerSec).toBeGreaterThan(0);
  });
});

describe('SQLite adapter specifics', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'whybot-sqlite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates missing parent directories, the schema (user_version) and WAL mode', async () => {
    const path = join(dir, 'a', 'b', 'c', 'whybot.sqlite');
    const store = openSqliteStore(path);
    await store.close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
      expect(tables.map((t) => t.name)).toEqual(['audit', 'cache', 'claims', 'journal', 'list_items', 'rate']);
    } finally {
      db.close();
    }
  });

  it('persists claims, audit and cache across close and reopen', async () => {
    const path = join(dir, 'whybot.sqlite');
    const clock = manualClock();
    const first = openSqliteStore(path, { now: clock.now });
    await first.claimOnce({ nonce: 'n1', actor: 'U1', action: 'a', ttlSeconds: 900 });
    await first.finishClaim('n1', 'done', 'ok');
    await first.appendAudit(audit('r1', '2026-03-10T11:00:00.000Z'));
    await first.cacheSet('k', [1, 2, 3], 600);
    await first.close();
    await first.close(); // idempotent

    const second = openSqliteStore(path, { now: clock.now });
    try {
      expect(await second.getClaim('n1')).toMatchObject({ actor: 'U1', state: 'done', detail: 'ok' });
      expect((await second.claimOnce({ nonce: 'n1', actor: 'U2', action: 'a', ttlSeconds: 900 })).won).toBe(false);
      expect((await second.queryAudit({ since: new Date(0) })).map((r) => r.id)).toEqual(['r1']);
      expect(await second.cacheGet('k')).toEqual([1, 2, 3]);
    } finally {
      await second.close();
    }
  });

  it('sweeps claims and cache entries past their TTL on open; audit stays', async () => {
    const path = join(dir, 'whybot.sqlite');
    const clock = manualClock();
    const s1 = openSqliteStore(path, { now: clock.now });
    await s1.claimOnce({ nonce: 'old', actor: 'U1', action: 'a', ttlSeconds: 60 });
    await s1.claimOnce({ nonce: 'young', actor: 'U1', action: 'a', ttlSeconds: 3600 });
    await s1.cacheSet('k', 1, 60);
    await s1.appendAudit(audit('r1', '2026-03-10T11:00:00.000Z'));
    await s1.close();

    clock.advance(61_000);
    const s2 = openSqliteStore(path, { now: clock.now });
    try {
      expect(await s2.getClaim('old')).toBeUndefined();
      expect(await s2.getClaim('young')).toBeDefined();
      expect(s2.sweepExpired()).toEqual({ claims: 0, cache: 0 });
      expect(await s2.queryAudit({ since: new Date(0) })).toHaveLength(1);
    } finally {
      await s2.close();
    }
  });

  it('refuses a database written by a newer schema version', async () => {
    const path = join(dir, 'whybot.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openSqliteStore(path)).toThrow(/newer/);
  });
});

describe('openStore / defaultDbPath', () => {
  it('defaultDbPath follows XDG_DATA_HOME, else the platform convention', () => {
    expect(defaultDbPath({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/whybot/whybot.sqlite');
    expect(defaultDbPath({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.local/share/whybot/whybot.sqlite');
    expect(defaultDbPath({}, 'linux', '/home/u')).toBe('/home/u/.local/share/whybot/whybot.sqlite');
    expect(defaultDbPath({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/whybot/whybot.sqlite');
    expect(defaultDbPath().endsWith(join('whybot', 'whybot.sqlite'))).toBe(true);
  });

  it('opens SQLite at dbPath when no table is configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'whybot-open-'));
    try {
      const store = openStore({ dbPath: join(dir, 'x', 'db.sqlite') });
      expect((await store.claimOnce({ nonce: 'n', actor: 'U', action: 'a', ttlSeconds: 60 })).won).toBe(true);
      await store.close();
      expect(existsSync(join(dir, 'x', 'db.sqlite'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens DynamoDB when a table is configured, endpoint from AWS_ENDPOINT_URL_DYNAMODB', async () => {
    const table = `whybot-open-${process.pid}`;
    const setup = testClient();
    await ensureTable(setup, table);
    setup.destroy();
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    try {
      const store = openStore({ table, region: 'eu-west-1', dbPath: '/nonexistent/ignored.sqlite' });
      expect((await store.claimOnce({ nonce: 'n', actor: 'U', action: 'a', ttlSeconds: 60 })).won).toBe(true);
      expect(await store.getClaim('n')).toMatchObject({ actor: 'U' });
      await store.close();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
    }
  });
});
