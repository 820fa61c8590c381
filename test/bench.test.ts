// The bench's arithmetic on fixed data (no timing here: the bench measures, tests do not).
import { describe, expect, it } from 'vitest';
import { ACCOUNT_REGIONS, accountAlias, startAccountsWorld } from '../src/bench/accounts.js';
import { pairedRow, renderRows } from '../src/bench/report.js';
import { fmtMs, fmtRatio, fmtSpread, maxInFlight, maxOf, median, percentile, ratio, spread, table, windowMax, windowMaxBy } from '../src/bench/stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  it('p50 and p99 of 1..100 are 50 and 99; p100 is the max; p0 the min', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
  });
  it('p99 of 20 samples is the largest; of one sample, that sample; of none, NaN', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 99)).toBe(20);
    expect(percentile(twenty, 50)).toBe(10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
  it('does not reorder its input', () => {
    const v = [3, 1, 2];
    percentile(v, 50);
    expect(v).toEqual([3, 1, 2]);
  });
});

describe('median and spread over runs', () => {
  it('odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it('min / median / max, runs without the figure (NaN) left out', () => {
    expect(spread([12, 10, Number.NaN, 30, 11])).toEqual({ min: 10, median: 11.5, max: 30, n: 4 });
    expect(spread([Number.NaN]).n).toBe(0);
  });
});

describe('window max (busiest 1 s of a call log)', () => {
  it('counts calls in any half-open window [t, t + 1000)', () => {
    // 2/s exactly: 0, 500, 1000, 1500 → never more than 2 in a window
    expect(windowMax([0, 500, 1000, 1500])).toBe(2);
    // a call 1 ms early puts three in one window
    expect(windowMax([0, 500, 999, 1500])).toBe(3);
    // unsorted input, a burst of 4 within 10 ms
    expect(windowMax([5000, 1, 3, 2, 4])).toBe(4);
    expect(windowMax([])).toBe(0);
    expect(windowMax([42])).toBe(1);
  });
  it('other window lengths: the sustained rate over 5 s', () => {
    const twoPerSec = Array.from({ length: 20 }, (_, i) => i * 500);
    expect(windowMax(twoPerSec, 5000) / 5).toBe(2);
  });
  it('per key (channel, account × Region), and the largest of them', () => {
    const calls = [
      { ch: 'C1', at: 0 },
      { ch: 'C1', at: 100 },
      { ch: 'C2', at: 50 },
      { ch: 'C1', at: 1200 },
      { ch: 'C2', at: 2000 },
    ];
    const per = windowMaxBy(calls, (c) => c.ch, (c) => c.at);
    expect(per).toEqual({ C1: 2, C2: 1 });
    expect(maxOf(per)).toBe(2);
    expect(maxOf({})).toBe(0);
  });
});

describe('max in flight (calls open at once at the double)', () => {
  it('counts overlapping [start, end) intervals; touching ones do not overlap', () => {
    expect(maxInFlight([])).toBe(0);
    expect(maxInFlight([{ start: 0, end: 100 }])).toBe(1);
    // 8 lanes of 100 ms rounds, back to back: 8 at once, never 9
    const lanes = Array.from({ length: 8 }, (_, lane) => Array.from({ length: 3 }, (_, round) => ({ start: round * 100 + lane, end: (round + 1) * 100 + lane })));
    expect(maxInFlight(lanes.flat())).toBe(8);
    expect(maxInFlight([{ start: 0, end: 100 }, { start: 100, end: 200 }])).toBe(1);
    expect(maxInFlight([{ start: 0, end: 100 }, { start: 99, end: 200 }, { start: 50, end: 60 }])).toBe(2);
    expect(maxInFlight([{ start: 0, end: 100 }, { start: 99, end: 200 }, { start: 50, end: 120 }])).toBe(3);
  });
  it('skips calls still in progress (no end)', () => {
    expect(maxInFlight([{ start: 0, end: undefined }, { start: 1, end: 5 }])).toBe(1);
  });
});

describe('ratios and formatting', () => {
  it('ratio is NaN without a usable baseline', () => {
    expect(ratio(30, 10)).toBe(3);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
  it('fmtRatio: three significant digits, grouped when large, a dash when missing', () => {
    expect(fmtRatio(3.21456)).toBe('×3.21');
    expect(fmtRatio(0.05234)).toBe('×0.0523');
    expect(fmtRatio(1)).toBe('×1.00');
    expect(fmtRatio(1234.4)).toBe('×1,234');
    expect(fmtRatio(Number.NaN)).toBe('–');
    expect(fmtRatio(Number.POSITIVE_INFINITY)).toBe('–');
  });
  it('fmtMs picks a precision by magnitude', () => {
    expect(fmtMs(0.844)).toBe('0.84 ms');
    expect(fmtMs(12.34)).toBe('12.3 ms');
    expect(fmtMs(412.4)).toBe('412 ms');
    expect(fmtMs(3412)).toBe('3.41 s');
    expect(fmtMs(Number.NaN)).toBe('–');
  });
  it('fmtSpread', () => {
    expect(fmtSpread({ min: 1, median: 2, max: 3, n: 3 }, fmtMs)).toBe('1.00 ms / 2.00 ms / 3.00 ms');
    expect(fmtSpread({ min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 })).toBe('–');
  });
});

describe('rows: ratios are taken run by run, then spread', () => {
  it('each run’s figure over the same run’s baseline', () => {
    // run 1: 20 vs 10 (×2); run 2: 30 vs 10 (×3); run 3: 12 vs 4 (×3)
    const row = pairedRow('ack', 'ack p99', 'ms', [20, 30, 12], { label: 'bare', values: [10, 10, 4] }, { text: '< 30 ms', met: (m) => m < 30 });
    expect(row.value).toEqual({ min: 12, median: 20, max: 30, n: 3 });
    expect(row.baseline!.value).toEqual({ min: 4, median: 10, max: 10, n: 3 });
    // not median(value) / median(baseline) = 2: the median of the per-run ratios
    expect(row.ratio).toEqual({ min: 2, median: 3, max: 3, n: 3 });
    expect(row.met).toBe(true);
  });
  it('renders an aligned table with the goal marked', () => {
    const row = pairedRow('x', 'p99', 'ms', [40], { label: 'bare', values: [4] }, { text: '< 30 ms', met: (m) => m < 30 });
    const lines = renderRows([row]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('×10.0');
    expect(lines[2]).toContain('< 30 ms ✘');
    expect(table([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\n---  --\nccc  d');
  });
});

describe('the accounts section’s world', () => {
  it('every account is configured in 4 Regions; prod-db is in exactly one account × Region', async () => {
    const world = await startAccountsWorld(4);
    try {
      const config = JSON.parse(world.accountsJson) as Record<string, { roleArn: string; regions: string[] }>;
      expect(Object.keys(config)).toEqual([1, 2, 3, 4].map(accountAlias));
      for (const a of Object.values(config)) {
        expect(a.regions).toEqual([...ACCOUNT_REGIONS]);
        expect(a.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\/whybot-read$/);
      }
      const holding = Object.values(config).flatMap((a) => {
        const id = /::(\d{12}):/.exec(a.roleArn)![1]!;
        return a.regions.filter((r) => world.aws.worldOf(id, r).rds.clusters.some((c) => c.id === 'prod-db')).map((r) => `${id} ${r}`);
      });
      expect(holding).toEqual([`${world.target.accountId} ${world.target.region}`]);
      // the others list a DB of their own, not the target
      expect(world.aws.worldOf(/::(\d{12}):/.exec(config[accountAlias(1)]!.roleArn)![1]!).rds.clusters.map((c) => c.id)).toEqual(['orders-db-1']);
    } finally {
      await world.close();
    }
  });
});
