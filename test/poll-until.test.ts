// pollUntil's budget: a process may poll for less than the whole verification, and then says
// "pending" (the rest is scheduled elsewhere) instead of failing; a resumed verification keeps
// its first deadline. Counted in checks, not in wall-clock time.
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../src/remediations/types.js';

function counter(results: Array<{ done: boolean; ok: boolean; detail: string }>) {
  let calls = 0;
  const check = async () => results[Math.min(calls++, results.length - 1)]!;
  return { check, calls: () => calls };
}
const rolling = { done: false, ok: false, detail: 'deployment IN_PROGRESS' };
const completed = { done: true, ok: true, detail: 'deployment COMPLETED' };

describe('pollUntil', () => {
  it('budget 0: looks once, and a verification not decided yet is pending with what was seen', async () => {
    const c = counter([rolling]);
    expect(await pollUntil(c.check, { timeoutMs: 60_000, intervalMs: 10, budgetMs: 0 })).toEqual({ ok: false, pending: true, detail: 'deployment IN_PROGRESS' });
    expect(c.calls()).toBe(1);
  });

  it('budget 0: a verification decided on that look is answered, not pending', async () => {
    const c = counter([completed]);
    expect(await pollUntil(c.check, { timeoutMs: 60_000, intervalMs: 10, budgetMs: 0 })).toEqual({ ok: true, detail: 'deployment COMPLETED' });
    expect(c.calls()).toBe(1);
  });

  it('within its budget it keeps polling, and answers once decided', async () => {
    const c = counter([rolling, rolling, completed]);
    expect(await pollUntil(c.check, { timeoutMs: 60_000, intervalMs: 1, budgetMs: 30_000 })).toEqual({ ok: true, detail: 'deployment COMPLETED' });
    expect(c.calls()).toBe(3);
  });

  it('resumed at or after its deadline: one more look, then "not confirmed within" the whole timeout (never pending)', async () => {
    const c = counter([rolling]);
    const r = await pollUntil(c.check, { timeoutMs: 900_000, intervalMs: 10, deadline: Date.now() - 1, budgetMs: 0 });
    expect(r).toEqual({ ok: false, detail: 'not confirmed within 900 s; last seen: deployment IN_PROGRESS' });
    expect(c.calls()).toBe(1);
    // and a look that finds it done at that point still counts
    const d = counter([completed]);
    expect(await pollUntil(d.check, { timeoutMs: 900_000, intervalMs: 10, deadline: Date.now() - 1 })).toEqual({ ok: true, detail: 'deployment COMPLETED' });
  });

  it('a budget longer than what is left of the deadline ends at the deadline, as a failure', async () => {
    const c = counter([rolling]);
    const r = await pollUntil(c.check, { timeoutMs: 1_000, intervalMs: 5_000, deadline: Date.now() + 1_000, budgetMs: 60_000 });
    expect(r).toEqual({ ok: false, detail: 'not confirmed within 1 s; last seen: deployment IN_PROGRESS' });
    expect(r.pending).toBeUndefined();
  });

  it('without a budget: as before, polls to the deadline and fails with the last state', async () => {
    const c = counter([rolling]);
    const r = await pollUntil(c.check, { timeoutMs: 1_000, intervalMs: 5_000 });
    expect(r).toEqual({ ok: false, detail: 'not confirmed within 1 s; last seen: deployment IN_PROGRESS' });
    expect(c.calls()).toBe(1);
  });
});
