// AWS's LookupEvents quota (2/s per account × Region) holds across whybot processes, not per
// process: 4 real Node processes sharing one SQLite store, each sending LookupEvents through
// the real SDK client and whybot's limiter at once, in two Regions, against the AWS double
// (which enforces the quota). Judged from the double's own request log: ≤ 2 per Region in
// every 1-second window, 0 throttles. No assertion on how long anything took.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
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
  process.env.AWS_ENDPOINT_URL = aws.url; // this process's own clients (the children get it too)
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

describe('a throttle that still happens', () => {
  it('is retried by the SDK (standard retry, backoff) behind whybot\'s limiter, and the call succeeds', async () => {
    // another tool in the account empties the bucket (the double's burst is 2)
    aws.reset();
    const other = new CloudTrailClient({ region, maxAttempts: 1 });
    const clients = new AwsClients({ region });
    try {
      await Promise.all([0, 1].map(() => other.send(new LookupEventsCommand({})).catch(() => undefined)));
      const ct = clients.client('cloudtrail', (config) => new CloudTrailClient(config));
      // standard, not adaptive: adaptive's client-side limiter held retries past a check's timeout
      expect(await ct.config.retryStrategy()).toMatchObject({ mode: 'standard' });
      const out = await ct.send(new LookupEventsCommand({ MaxResults: 50 }));
      expect(out.$metadata.attempts).toBeGreaterThan(1);
      const lookups = aws.calls.filter((c) => c.operation === 'LookupEvents');
      expect(lookups.map((c) => c.error ?? 'ok')).toEqual(['ok', 'ok', 'ThrottlingException', ...Array(lookups.length - 3).fill(expect.anything())]);
      expect(lookups.at(-1)?.error).toBeUndefined();
    } finally {
      other.destroy();
      clients.destroy();
    }
  });
});
