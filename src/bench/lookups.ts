// (3) CloudTrail LookupEvents per second per account × Region under 20 concurrent
// investigations whose reads are NOT shared (direct dbDown.run, one AwsClients each, no
// shareReads, one attempt per call), so what is measured is whybot's limiter against the
// double's enforced 2/s. Baseline in the same run: the same 20 LookupEvents sent at once by
// plain SDK clients without whybot's middleware (what AWS would see with no limiter).
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../aws/clients.js';
import { dbDown } from '../playbooks/db-down/index.js';
import { lookupStats, type World } from './world.js';

export interface LookupRun {
  investigations: number;
  /** whybot: busiest 1 s of LookupEvents per account × Region */
  maxPerSec: number;
  /** whybot: busiest 5 s, per second */
  maxPerSecOver5s: number;
  lookups: number;
  throttles: number;
  /** investigations whose rotation-history check was not ok */
  historyNotOk: number;
  wrongVerdicts: number;
  wallMs: number;
  /** baseline: unpaced SDK clients */
  raw: { maxPerSec: number; lookups: number; throttles: number };
}

async function rawBurst(world: World, n: number) {
  world.aws.reset();
  const clients = Array.from({ length: n }, () => new CloudTrailClient({ region: world.scenario.region, maxAttempts: 1 }));
  try {
    await Promise.all(
      clients.map((c) =>
        c.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'secretsmanager.amazonaws.com' }], MaxResults: 50 })).catch(() => undefined),
      ),
    );
  } finally {
    for (const c of clients) c.destroy();
  }
  const s = lookupStats(world.aws.calls, world.scenario.accountId);
  return { maxPerSec: s.maxPerSec, lookups: s.count, throttles: s.throttles };
}

export async function lookupRun(world: World, investigations = 20): Promise<LookupRun> {
  const region = world.scenario.region;
  const raw = await rawBurst(world, investigations);
  await new Promise((r) => setTimeout(r, 1100)); // let whybot's own limiter and the double refill
  world.aws.setLatency(0);
  world.aws.reset();
  const sets = Array.from({ length: investigations }, () => new AwsClients({ region, maxAttempts: 1 }));
  const t0 = performance.now();
  try {
    const results = await Promise.all(sets.map((clients) => dbDown.run(clients, { target: 'prod-db', region, hours: 24 }, { timeoutMs: 60_000 })));
    const wallMs = performance.now() - t0;
    const s = lookupStats(world.aws.calls, world.scenario.accountId);
    return {
      investigations,
      maxPerSec: s.maxPerSec,
      maxPerSecOver5s: s.maxPerSecOver5s,
      lookups: s.count,
      throttles: s.throttles,
      historyNotOk: results.filter((r) => r.checks.find((c) => c.id === 'rotation-history')?.status !== 'ok').length,
      wrongVerdicts: results.filter((r) => r.findings[0]?.id !== 'stale-credentials').length,
      wallMs,
      raw,
    };
  } finally {
    for (const s of sets) s.destroy();
  }
}
