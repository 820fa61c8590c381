// One alert message per channel and minute, shared by every alert instance: rotations append
// to one list in the store (a real SQLite file, opened twice as two processes would), one
// instance posts, the last to append renders everything.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publishInWindow, windowOf, type RotationEntry } from '../src/alerts/alert-window.js';
import { windowMessage } from '../src/alerts/render-window.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite.js';

let dir = '';
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function entry(i: number, extra: Partial<RotationEntry> = {}): RotationEntry {
  return {
    dedupeKey: `k${i}`, secretId: `arn:aws:secretsmanager:eu-west-1:1:secret:app-${i}`, name: `app-${i}`, time: '2026-12-01T11:09:30.000Z',
    region: 'eu-west-1', atRisk: [], healthy: [], unchecked: [], ...extra,
  };
}

function twoProcesses() {
  dir = mkdtempSync(path.join(tmpdir(), 'whybot-window-'));
  const file = path.join(dir, 'store.sqlite');
  stores.push(openSqliteStore(file), openSqliteStore(file));
  return stores;
}

describe('alert windows', () => {
  it('20 rotations at once from two processes: one post, and the message ends with all 20', async () => {
    const [a, b] = twoProcesses();
    const posts: RotationEntry[][] = [];
    const updates: { ts: string; entries: RotationEntry[] }[] = [];
    const io = (store: SqliteStore) => ({
      store,
      renderEveryMs: 50,
      post: async (entries: RotationEntry[]) => {
        posts.push(entries);
        await new Promise((r) => setTimeout(r, 20)); // Slack takes a moment
        return '1700000000.000100';
      },
      update: async (ts: string, entries: RotationEntry[]) => void updates.push({ ts, entries }),
    });
    const w = windowOf('C0ALERTS', '2026-12-01T11:09:30.000Z');
    const tss = await Promise.all(Array.from({ length: 20 }, (_, i) => publishInWindow(w, entry(i), io(i % 2 ? a! : b!))));
    expect(new Set(tss)).toEqual(new Set(['1700000000.000100']));
    expect(posts).toHaveLength(1);
    const last = updates.at(-1)!;
    expect(last.entries.map((e) => e.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `app-${i}`).sort());
    expect(updates.length).toBeLessThanOrEqual(3);
  });

  it('when the instance that opened the window cannot post, another one posts every rotation instead', async () => {
    const [a] = twoProcesses();
    const posts: RotationEntry[][] = [];
    let failFirst = true;
    const io = {
      store: a!,
      renderEveryMs: 50,
      posterPatienceMs: 200,
      post: async (entries: RotationEntry[]) => {
        if (failFirst) {
          failFirst = false;
          throw new Error('Slack: internal_error');
        }
        posts.push(entries);
        return '1700000000.000200';
      },
      update: async () => undefined,
    };
    const w = windowOf('C0ALERTS', '2026-12-01T11:09:30.000Z');
    const results = await Promise.allSettled([0, 1, 2].map((i) => publishInWindow(w, entry(i), io)));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1); // the opener, whose alert claim is marked failed
    expect(posts).toHaveLength(1);
    expect(posts[0]!.map((e) => e.name).sort()).toEqual(['app-0', 'app-1', 'app-2']);
  });

  it('a later minute is another message', () => {
    expect(windowOf('C1', '2026-12-01T11:09:59.000Z')).toEqual(windowOf('C1', '2026-12-01T11:09:00.000Z'));
    expect(windowOf('C1', '2026-12-01T11:10:00.000Z')).not.toEqual(windowOf('C1', '2026-12-01T11:09:59.000Z'));
    expect(windowOf('C2', '2026-12-01T11:09:00.000Z')).not.toEqual(windowOf('C1', '2026-12-01T11:09:00.000Z'));
  });
});

describe('the window message', () => {
  const risky = (i: number) =>
    entry(i, { atRisk: [{ cluster: 'prod', service: `svc-${i}`, stale: 2, tasks: 3, auto: false }] });

  it('one secret rotated twice in the minute is one section that says so', () => {
    const m = windowMessage([entry(1, { time: '2026-12-01T11:09:10.000Z' }), entry(1, { dedupeKey: 'again', time: '2026-12-01T11:09:40.000Z' })]);
    const text = JSON.stringify(m.blocks);
    expect(text).toMatch(/app-1.*2 rotations this minute/);
    expect(m.blocks).toHaveLength(1);
  });

  it('at-risk secrets first with their buttons, unique action ids, the rest named; within Block Kit limits', () => {
    const entries = [...Array.from({ length: 30 }, (_, i) => entry(i)), ...Array.from({ length: 15 }, (_, i) => risky(100 + i))];
    const m = windowMessage(entries, (a, p) => `${a}:${p.service ?? p.services}`);
    const sections = m.blocks.filter((b) => b.type === 'section');
    expect(JSON.stringify(sections[1])).toMatch(/app-100/); // after the header, the at-risk ones
    const ids = m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => (e as { action_id: string }).action_id) : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    const all = JSON.stringify(m.blocks);
    for (let i = 0; i < 30; i++) expect(all).toContain(`app-${i}\``);
    expect(all).toMatch(/and 35 more secrets rotated/);
    expect(m.text).toBe('45 secrets rotated: 15 with services still holding the old value');
  });
});
