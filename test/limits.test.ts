// Rate limits keyed by what AWS limits, the shared schedule's arithmetic, and shared reads.
// Controlled clocks throughout: timing itself belongs to the bench.
import { describe, expect, it, vi } from 'vitest';
import { KNOWN_QUOTAS, operationName, quotaFor, quotaKey, serviceName, withinLimits } from '../src/aws/limits.js';
import { intervalOf, MemoryRateGate, reserveSlot, takeNow, takeSlot, takeToken, useRateGate, type RateGate, type Take } from '../src/platform/rate-gate.js';
import { storeRateGate } from '../src/store/rate-gate.js';
import { SharedReads, isReadOperation } from '../src/aws/shared-reads.js';

describe('quotas are keyed by the names AWS counts', () => {
  it('finds LookupEvents from the SDK command name, not the class name', () => {
    // the SDK's context says "LookupEventsCommand"; the quota must still apply
    const q = quotaFor(serviceName('CloudTrailClient'), operationName('LookupEventsCommand'));
    expect(q).toMatchObject({ service: 'CloudTrail', operation: 'LookupEvents', per: 'account-region' });
    expect(q!.perSecond).toBeLessThanOrEqual(2);
    expect(quotaFor('CloudTrail', 'GetTrailStatus')).toBeUndefined();
  });

  it('counts LookupEvents per account × Region and Route 53 per account over every Region', () => {
    const ct = quotaFor('CloudTrail', 'LookupEvents')!;
    expect(quotaKey(ct, { account: 'prod', region: 'eu-west-1' })).not.toBe(quotaKey(ct, { account: 'prod', region: 'us-east-1' }));
    expect(quotaKey(ct, { account: 'prod', region: 'eu-west-1' })).not.toBe(quotaKey(ct, { account: 'dev', region: 'eu-west-1' }));
    const r53 = quotaFor(serviceName('Route53Client'), operationName('ListHostedZonesByNameCommand'))!;
    expect(r53.perSecond).toBeLessThanOrEqual(5);
    expect(quotaFor('Route53', 'GetHostedZone')).toBe(r53);
    expect(quotaKey(r53, { account: 'prod', region: 'eu-west-1' })).toBe(quotaKey(r53, { account: 'prod', region: 'us-east-1' }));
    expect(KNOWN_QUOTAS.every((q) => q.burst >= 1 && q.perSecond > 0)).toBe(true);
  });
});

describe('the shared schedule (GCRA with reservation)', () => {
  it('never lets more than burst + rate × window through, however calls arrive', () => {
    const spec = { perSecond: 2, burst: 3 };
    let tat: number | undefined;
    const goes: number[] = [];
    // 40 calls arriving in clumps over 3 s
    for (let i = 0; i < 40; i++) {
      const now = Math.floor(i / 10) * 1000;
      const r = reserveSlot(tat, now, spec);
      expect(r.goAt).toBeGreaterThanOrEqual(now);
      tat = r.tat;
      goes.push(r.goAt);
    }
    for (const start of goes) {
      for (const w of [1, 500, 1000, 5000]) {
        const inWindow = goes.filter((g) => g >= start && g < start + w).length;
        expect(inWindow).toBeLessThanOrEqual(spec.burst + Math.ceil((w * spec.perSecond) / 1000));
      }
    }
    // and it is not slower than the rate: the 40th call goes at (40 - burst) / rate s
    expect(goes.at(-1)).toBe(((40 - spec.burst) / spec.perSecond) * 1000);
  });

  it('calls whose slots came due during a stall still leave one interval apart under an AWS quota', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      // the slots were reserved at 0 (0, 500, 1,000 ms) but the callers only get to wait at
      // 1,000 ms (a stalled loop, a slow store): all three are due at once
      const gate = new MemoryRateGate(() => 0);
      const late = () => Date.now() + 1_000;
      const spec = { perSecond: 2, burst: 1 };
      const gone: number[] = [];
      const calls = [0, 1, 2].map(() => takeSlot('stall-test', spec, gate, late).then(() => gone.push(late())));
      await vi.advanceTimersByTimeAsync(2_000);
      await Promise.all(calls);
      expect(gone).toHaveLength(3);
      expect(gone[1]! - gone[0]!).toBeGreaterThanOrEqual(500);
      expect(gone[2]! - gone[1]!).toBeGreaterThanOrEqual(500);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a memory gate keeps one schedule per key', async () => {
    let now = 0;
    const gate = new MemoryRateGate(() => now);
    const spec = { perSecond: 1, burst: 1 };
    expect(await gate.reserve('a', spec)).toBe(0);
    expect(await gate.reserve('a', spec)).toBe(1000);
    expect(await gate.reserve('b', spec)).toBe(0);
    now = 5000;
    expect(await gate.reserve('a', spec)).toBe(5000);
  });
});

describe('the shared token bucket (takeToken: taken at the moment a call leaves)', () => {
  it('takeNow is a token bucket: burst at once, then one per interval; a refusal takes nothing', () => {
    const spec = { perSecond: 2, burst: 2 };
    let tat: number | undefined;
    const take = (now: number) => {
      const r = takeNow(tat, now, spec);
      if (r.ok) tat = r.tat;
      return r.ok ? 'ok' : r.retryAt;
    };
    expect([take(0), take(0), take(0), take(100), take(500), take(500)]).toEqual(['ok', 'ok', 500, 500, 'ok', 1000]);
    expect(take(10_000)).toBe('ok');
    expect(take(10_000)).toBe('ok');
  });

  it('one store request per process at a time: callers of a process queue in it, FIFO, and leave one interval apart', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const inner = new MemoryRateGate(() => Date.now());
      let asked = 0;
      let inFlight = 0;
      let maxInFlight = 0;
      const gate: RateGate = {
        reserve: (k, s) => inner.reserve(k, s),
        async tryTake(k, s) {
          asked++;
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await Promise.resolve();
          inFlight--;
          return inner.tryTake(k, s);
        },
      };
      const spec = { perSecond: 2, burst: 1 };
      const gone: [number, number][] = [];
      const calls = Array.from({ length: 5 }, (_, i) => takeToken('k', spec, gate).then(() => gone.push([i, Date.now()])));
      await vi.advanceTimersByTimeAsync(3_000);
      await Promise.all(calls);
      expect(gone).toEqual([[0, 0], [1, 500], [2, 1000], [3, 1500], [4, 2000]]);
      expect(maxInFlight).toBe(1);
      // the in-process limiter waited for each token: the store was asked once per call
      expect(asked).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a refused caller waits for the time the gate named (another process took the token)', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const answers: Take[] = [{ ok: false, retryAt: 300 }, { ok: false, retryAt: 800 }, { ok: true, tat: 1300 }];
      const askedAt: number[] = [];
      const gate: RateGate = {
        reserve: async () => 0,
        async tryTake() {
          askedAt.push(Date.now());
          return answers.shift()!;
        },
      };
      let goneAt: number | undefined;
      const p = takeToken('k', { perSecond: 2, burst: 1 }, gate).then(() => (goneAt = Date.now()));
      await vi.advanceTimersByTimeAsync(2_000);
      await p;
      expect(askedAt[0]).toBe(0);
      expect(askedAt[1]).toBeGreaterThanOrEqual(300);
      expect(askedAt[2]).toBeGreaterThanOrEqual(800);
      expect(goneAt).toBe(askedAt[2]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a grant that arrives late (slow store) is not used: the call would leave bunched with the next', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const inner = new MemoryRateGate(() => Date.now());
      let slow = 1;
      const gate: RateGate = {
        reserve: async () => 0,
        async tryTake(k, s) {
          const r = await inner.tryTake(k, s);
          if (slow-- > 0) await new Promise((resolve) => setTimeout(resolve, 200));
          return r;
        },
      };
      let goneAt: number | undefined;
      const p = takeToken('k', { perSecond: 2, burst: 1 }, gate).then(() => (goneAt = Date.now()));
      await vi.advanceTimersByTimeAsync(2_000);
      await p;
      // granted at 0 but received at 200: dropped; the next token is at 500
      expect(goneAt).toBeGreaterThanOrEqual(500);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a store that is always slow costs its first call three tokens, not every call: later grants are used as they come', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const inner = new MemoryRateGate(() => Date.now());
      let taken = 0;
      const gate: RateGate = {
        reserve: async () => 0,
        async tryTake(k, s) {
          const r = await inner.tryTake(k, s);
          if (r.ok) taken++;
          await new Promise((resolve) => setTimeout(resolve, 100)); // every answer 100 ms late
          return r;
        },
      };
      const spec = { perSecond: 2, burst: 1 };
      const calls = Promise.all(Array.from({ length: 5 }, () => takeToken('slow', spec, gate)));
      await vi.advanceTimersByTimeAsync(20_000);
      await calls;
      // 3 dropped for the first call, then one token per call (a per-call count would take 4 each: 20)
      expect(taken).toBe(3 + 5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failing or silent store degrades to the local limiter, says so once, and is asked again later', async () => {
    let now = 0;
    let mode: 'fail' | 'hang' | 'ok' = 'fail';
    let asked = 0;
    const store = {
      reserveRate: async () => now,
      async tryTakeRate(): Promise<Take> {
        asked++;
        if (mode === 'fail') throw new Error('SQLITE_FULL: database or disk is full');
        if (mode === 'hang') return new Promise<Take>(() => {});
        return { ok: true, tat: now + 500 };
      },
    };
    const events: string[] = [];
    const gate = storeRateGate(
      store,
      { onFallback: (err) => events.push(`fallback: ${String(err)}`), onRecovered: () => events.push('recovered') },
      { timeoutMs: 20, degradedMs: 10_000, now: () => now },
    );
    const spec = { perSecond: 2, burst: 1 };
    // the store fails: the local bucket answers (one token, then a refusal: still paced)
    expect((await gate.tryTake('k', spec)).ok).toBe(true);
    expect(await gate.tryTake('k', spec)).toEqual({ ok: false, retryAt: 500 });
    expect(asked).toBe(1); // not asked again while degraded
    now = 10_001;
    mode = 'hang';
    // silent store: the timeout ends the wait, and the local limiter answers
    expect((await gate.tryTake('k', spec)).ok).toBe(true);
    expect(asked).toBe(2);
    now = 20_002;
    mode = 'ok';
    expect(await gate.tryTake('k', spec)).toEqual({ ok: true, tat: 20_502 });
    expect(events).toEqual([
      'fallback: Error: SQLITE_FULL: database or disk is full',
      'fallback: Error: tryTakeRate(k): no answer from the store within 20 ms',
      'recovered',
    ]);
  });
});

describe('shared reads', () => {
  const deferred = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };

  it('concurrent identical reads make one call; each caller gets its own copy', async () => {
    const reads = new SharedReads(30_000, () => 0);
    let calls = 0;
    const d = deferred();
    const call = () => {
      calls++;
      return d.promise;
    };
    const p = Array.from({ length: 100 }, () => reads.read('prod', 'eu|RDS|DescribeDBClusters', { DBClusterIdentifier: 'prod-db' }, call));
    d.resolve({ DBClusters: [{ id: 'prod-db' }] });
    const results = (await Promise.all(p)) as { DBClusters: { id: string }[] }[];
    expect(calls).toBe(1);
    expect(results.every((r) => r.DBClusters[0]!.id === 'prod-db')).toBe(true);
    results[0]!.DBClusters.push({ id: 'mutated' });
    expect(results[1]!.DBClusters).toHaveLength(1);
    expect(reads.stats).toEqual({ calls: 100, shared: 99 });
  });

  it('different parameters, accounts or operations are different calls', async () => {
    const reads = new SharedReads(30_000, () => 0);
    let calls = 0;
    const call = async () => ++calls;
    await reads.read('prod', 'eu|RDS|DescribeDBClusters', { DBClusterIdentifier: 'a' }, call);
    await reads.read('prod', 'eu|RDS|DescribeDBClusters', { DBClusterIdentifier: 'b' }, call);
    await reads.read('dev', 'eu|RDS|DescribeDBClusters', { DBClusterIdentifier: 'a' }, call);
    await reads.read('prod', 'us|RDS|DescribeDBClusters', { DBClusterIdentifier: 'a' }, call);
    expect(calls).toBe(4);
  });

  it('look-back windows ending "now" match within the window; a settled result is kept 30 s', async () => {
    let now = 1_000_000;
    const reads = new SharedReads(30_000, () => now);
    let calls = 0;
    const call = async () => ++calls;
    const q = (t: number) => ({ StartTime: new Date(t - 3_600_000), EndTime: new Date(t), LookupAttributes: [{ AttributeKey: 'EventSource' }] });
    await reads.read('prod', 'eu|CloudTrail|LookupEvents', q(now), call);
    now += 20_000;
    expect(await reads.read('prod', 'eu|CloudTrail|LookupEvents', q(now), call)).toBe(1);
    now += 11_000; // 31 s after the first call
    expect(await reads.read('prod', 'eu|CloudTrail|LookupEvents', q(now), call)).toBe(2);
    expect(calls).toBe(2);
  });

  /** A first read still in flight (settled by the test) and a second caller waiting on it. */
  function twoCallers(second: (n: number) => unknown) {
    const reads = new SharedReads(30_000, () => 0);
    let calls = 0;
    const d = deferred();
    const first = reads.read('prod', 'x', {}, () => {
      calls++;
      return d.promise;
    });
    return { reads, d, first, second: reads.read('prod', 'x', {}, async () => second(++calls)), next: () => ++calls };
  }

  it('a failure is shared by those waiting for it but not kept for later callers', async () => {
    const { reads, d, first, second, next } = twoCallers((n) => n);
    d.reject(new Error('ThrottlingException'));
    await expect(first).rejects.toThrow('Throttling');
    await expect(second).rejects.toThrow('Throttling');
    expect(await reads.read('prod', 'x', {}, async () => next())).toBe(2);
  });

  it('a shared call cut by its first caller\'s timeout is made again for a caller still waiting', async () => {
    const { d, first, second } = twoCallers((n) => `own call ${n}`);
    d.reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    await expect(first).rejects.toThrow('aborted');
    expect(await second).toBe('own call 2');
  });

  it('a write in the account drops what was kept, so a read after a remediation sees it', async () => {
    const reads = new SharedReads(30_000, () => 0);
    let calls = 0;
    const call = async () => ++calls;
    await reads.read('prod', 'eu|ECS|DescribeServices', { services: ['api'] }, call);
    await reads.read('dev', 'eu|ECS|DescribeServices', { services: ['api'] }, call);
    reads.invalidate('prod');
    expect(await reads.read('prod', 'eu|ECS|DescribeServices', { services: ['api'] }, call)).toBe(3);
    expect(await reads.read('dev', 'eu|ECS|DescribeServices', { services: ['api'] }, call)).toBe(2);
  });

  it('a write in one thread drops what every other thread of the process shares', async () => {
    const { Worker } = await import('node:worker_threads');
    const reads = new SharedReads(30_000, () => 0).shareWithThreads();
    let calls = 0;
    await reads.read('prod', 'eu|ECS|DescribeServices', {}, async () => ++calls);
    // another thread (the one that ran the remediation) announces a write in the account
    const other = new Worker(
      `const { BroadcastChannel } = require('node:worker_threads');
       const c = new BroadcastChannel('whybot-shared-reads'); c.postMessage('prod'); c.close();`,
      { eval: true },
    );
    await new Promise((resolve) => other.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await reads.read('prod', 'eu|ECS|DescribeServices', {}, async () => ++calls)).toBe(2);
  });

  it('knows reads from writes by the operation name', () => {
    for (const op of ['DescribeSecret', 'ListTasks', 'GetKeyPolicy', 'LookupEvents', 'FilterLogEvents', 'SimulatePrincipalPolicy', 'BatchGetBuilds', 'BatchGetProjects'])
      expect(isReadOperation(op)).toBe(true);
    for (const op of ['UpdateService', 'RotateSecret', 'PutKeyPolicy', 'ChangeResourceRecordSets', 'ReleaseAddress', 'Invoke', 'StartBuild', 'UpdateProject'])
      expect(isReadOperation(op)).toBe(false);
  });
});

describe('a throttle that happens all the same', () => {
  const scope = { account: '111122223333', region: 'ap-northeast-1' };
  const quota = quotaFor('CloudTrail', 'LookupEvents')!;
  const key = quotaKey(quota, scope);
  /** one LookupEvents that fails as `err`, then when the shared bucket has its next token */
  async function nextTokenAfter(err: Error): Promise<number> {
    const gate = new MemoryRateGate();
    useRateGate(gate);
    const before = Date.now();
    await expect(withinLimits(scope, 'CloudTrailClient', 'LookupEventsCommand', () => Promise.reject(err))).rejects.toBe(err);
    const next = await gate.tryTake(key, quota);
    if (next.ok) throw new Error('the call just made took the only token');
    return next.retryAt - before;
  }
  const named = (name: string) => Object.assign(new Error(name), { name });

  it('costs the shared bucket one more token, so every process sharing it backs off; another error costs nothing more', async () => {
    const interval = intervalOf(quota);
    const afterDenied = await nextTokenAfter(named('AccessDeniedException'));
    const afterThrottle = await nextTokenAfter(named('ThrottlingException'));
    expect(afterDenied).toBeLessThanOrEqual(interval + 5);
    expect(afterThrottle).toBeGreaterThan(2 * interval - 50);
    expect(afterThrottle).toBeLessThanOrEqual(2 * interval + 5);
  });
});
