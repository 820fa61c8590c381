// `whybot audit` reads every record, page by page: past 10,000 the newest used to vanish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { allAudit } from '../src/entry/audit.js';
import { openSqliteStore } from '../src/store/sqlite.js';

it('yields every record since the date, oldest first, including many at one instant', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'whybot-audit-'));
  const store = openSqliteStore(path.join(dir, 'whybot.sqlite'));
  try {
    const t0 = Date.parse('2026-11-01T00:00:00.000Z');
    const n = 12_345;
    for (let i = 0; i < n; i++) {
      // five records share each millisecond, so pages end in the middle of an instant
      const at = new Date(t0 + Math.floor(i / 5)).toISOString();
      await store.appendAudit({ id: `r${String(i).padStart(6, '0')}`, at, actor: 'U1', action: 'ecs-redeploy', params: {}, outcome: 'ran' });
    }
    const seen: string[] = [];
    for await (const r of allAudit(store, new Date(t0))) seen.push(r.id);
    expect(seen).toHaveLength(n);
    expect(new Set(seen).size).toBe(n);
    expect(seen.at(-1)).toBe(`r${String(n - 1).padStart(6, '0')}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
