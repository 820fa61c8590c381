// AWS's LookupEvents quota (2/s per account × Region) holds across whybot processes, not per
// process: 4 real Node processes sharing one SQLite store, each sending LookupEvents through
// the real SDK client and whybot's limiter at once, in two Regions, against the AWS double
// (which enforces the quota). Judged from the double's own request log: ≤ 2 per Region in
// every 1-second window, 0 throttles. No assertion on how long anything took.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupsAcrossProcesses } from '../src/bench/lookups-procs.js';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { loadScenario } from '../src/sandbox/scenario.js';

const CHILD = path.resolve('src/bench/lookups-child.ts');
let aws: AwsDouble;
let region: string;
let dir: string;

beforeAll(async () => {
  const scenario = await loadScenario('incident-003');
  region = scenario.region;
  aws = await startAwsDouble({ scenario });
  dir = mkdtempSync(path.join(tmpdir(), 'whybot-limits-'));
});
afterAll(async () => {
  await aws?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('LookupEvents across processes sharing a store', () => {
  it('4 processes × 4 calls in each of 2 Regions: ≤ 2 per account × Region in every 1-second window, 0 throttles', { timeout: 90_000 }, async () => {
    const other = region === 'us-east-1' ? 'eu-west-1' : 'us-east-1';
    const run = await lookupsAcrossProcesses({
      aws,
      script: CHILD,
      execArgv: ['--import', 'tsx'],
      dbPath: path.join(dir, 'shared.sqlite'),
      processes: 4,
      calls: 4,
      regions: [region, other],
    });
    expect(run.childErrors).toEqual([]);
    expect(run.throttles).toBe(0);
    // every call reached the double, in the Region it was made in
    expect(run.count).toEqual({ [region]: 16, [other]: 16 });
    // the quota's bound, from the double's arrival times: never 3 calls of a Region within 1 s
    expect(run.maxPerSec).toEqual({ [region]: 2, [other]: 2 });
    expect(run.minGap2Ms).toBeGreaterThanOrEqual(1000);
    // and the Regions are separate buckets: together the double saw more than 2 in some second
    const all = run.calls.map((c) => c.at).sort((a, b) => a - b);
    expect(all.some((t, i) => i >= 2 && t - all[i - 2]! < 1000)).toBe(true);
  });
});
