// (issue 16) Time to first answer when the target has to be found first: `whybot db-down
// prod-db --json` with WHYBOT_ACCOUNTS naming N accounts × 4 Regions, prod-db in exactly one
// of those places, against the same command with no WHYBOT_ACCOUNTS (whybot's own account, one
// Region: the single-account critical path), each run both, on one AWS double with the same
// latency injected into every call. The double serves every account (each reached through
// STS AssumeRole) and records which account and Region each call was answered in, when it
// arrived and when it was answered; from that log:
//  - AssumeRole calls (one per account: credentials are shared by every Region's clients);
//  - throttled calls, any API (the double's quotas are per account × Region or per account);
//  - the search's concurrency: the most RDS DescribeDBInstances in flight at once (one per
//    place searched) against places.ts's bound;
//  - the search's duration, first call → first call of the investigation, against its floor
//    ⌈places ÷ bound⌉ × latency (each place is one round of RDS lists once its role is assumed);
//  - LookupEvents in the busiest 1 s per account × Region.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEARCH_CONCURRENCY } from '../playbooks/places.js';
import { startAwsDouble, type AwsCall, type AwsDouble } from '../sandbox/aws/server.js';
import { loadScenario, type Scenario } from '../sandbox/scenario.js';
import { cliPath, runNode } from './children.js';
import { maxInFlight, maxOf, windowMaxBy } from './stats.js';
import { isThrottle, SCENARIO } from './world.js';

/** Each configured account's Regions: the scenario's first, then three empty ones. */
export const ACCOUNT_REGIONS = ['ap-northeast-1', 'us-east-1', 'eu-west-1', 'us-west-2'] as const;
export const ACCOUNTS_LATENCY_MS = 100;
const TARGET = 'prod-db';
const SEARCH_OPS = new Set(['AssumeRole', 'DescribeDBClusters', 'DescribeDBInstances']);

export const accountId = (i: number): string => String(200_000_000_000 + i);
export const accountAlias = (i: number): string => `acct-${String(i).padStart(2, '0')}`;

export interface AccountsWorld {
  aws: AwsDouble;
  home: Scenario;
  accounts: number;
  /** where prod-db is: the alias of the one account holding it (in the scenario's Region) */
  target: { alias: string; accountId: string; region: string };
  /** WHYBOT_ACCOUNTS, inline JSON */
  accountsJson: string;
  /** a fresh directory (HOME and stores of the CLI); removed by close() */
  dir: string;
  dbPath(name: string): string;
  close(): Promise<void>;
}

/** The other accounts hold the scenario with their DBs renamed: the search lists something, never the target. */
function withoutTarget(s: Scenario, i: number): Scenario {
  const rename = (id: string) => id.replace(TARGET, `orders-db-${i}`);
  return {
    ...s,
    rds: {
      ...s.rds,
      clusters: s.rds.clusters.map((c) => ({ ...c, id: rename(c.id), ...(c.endpoint ? { endpoint: rename(c.endpoint) } : {}) })),
      instances: s.rds.instances.map((d) => ({ ...d, id: rename(d.id), ...(d.clusterId ? { clusterId: rename(d.clusterId) } : {}) })),
      events: s.rds.events.map((e) => ({ ...e, sourceId: rename(e.sourceId) })),
    },
  };
}

export async function startAccountsWorld(accounts: number): Promise<AccountsWorld> {
  const home = await loadScenario(SCENARIO);
  if (home.region !== ACCOUNT_REGIONS[0]) throw new Error(`${SCENARIO} is in ${home.region}; ACCOUNT_REGIONS starts with ${ACCOUNT_REGIONS[0]}`);
  // past the middle, so the search neither starts nor ends with it
  const targetIndex = Math.max(1, Math.ceil((accounts * 2) / 3));
  const scenarios: Scenario[] = [];
  const config: Record<string, { roleArn: string; regions: string[] }> = {};
  for (let i = 1; i <= accounts; i++) {
    const clone = { ...structuredClone(home), accountId: accountId(i) };
    scenarios.push(i === targetIndex ? clone : withoutTarget(clone, i));
    config[accountAlias(i)] = { roleArn: `arn:aws:iam::${accountId(i)}:role/whybot-read`, regions: [...ACCOUNT_REGIONS] };
  }
  const aws = await startAwsDouble({ scenario: home, accounts: scenarios });
  const dir = mkdtempSync(path.join(tmpdir(), 'whybot-bench-accounts-'));
  let n = 0;
  return {
    aws,
    home,
    accounts,
    target: { alias: accountAlias(targetIndex), accountId: accountId(targetIndex), region: home.region },
    accountsJson: JSON.stringify(config),
    dir,
    dbPath: (name) => path.join(dir, `${name}-${n++}.sqlite`),
    async close() {
      await aws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AccountsCli {
  wallMs: number;
  ok: boolean;
  awsCalls: number;
  /** the account the answer says it investigated (absent: whybot's own) */
  account?: string;
  error?: string;
}

export interface AccountsRun {
  accounts: number;
  places: number;
  latencyMs: number;
  concurrencyBound: number;
  /** no WHYBOT_ACCOUNTS: whybot's own account, one Region */
  single: AccountsCli;
  many: AccountsCli & {
    assumeRoles: number;
    throttles: number;
    /** the APIs throttled, "service:Operation" → count */
    throttled: Record<string, number>;
    /** most DescribeDBInstances in flight at once during the search (one per place) */
    searchInFlightMax: number;
    /** first call → first call that is not a search call (the investigation's start), at the double */
    searchMs: number;
    /** ⌈places ÷ bound⌉ × latency */
    searchFloorMs: number;
    lookupsMaxPerSec: number;
  };
}

async function cli(world: AccountsWorld, latencyMs: number, accounts: boolean, tag: string): Promise<{ r: AccountsCli; calls: AwsCall[] }> {
  world.aws.reset();
  world.aws.setLatency(latencyMs);
  try {
    const run = await runNode(
      [await cliPath(), 'db-down', TARGET, '--json'],
      {
        PATH: process.env.PATH,
        HOME: world.dir,
        AWS_ENDPOINT_URL: world.aws.url,
        AWS_REGION: world.home.region,
        AWS_ACCESS_KEY_ID: 'AKIDBENCH',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_EC2_METADATA_DISABLED: 'true',
        WHYBOT_LOG_LEVEL: 'silent',
        ...(accounts ? { WHYBOT_ACCOUNTS: world.accountsJson } : {}),
      },
      120_000,
    );
    let ok = false;
    let account: string | undefined;
    try {
      const out = JSON.parse(run.stdout) as { findings?: { id?: string }[]; account?: string };
      account = out.account;
      ok = run.code === 0 && out.findings?.[0]?.id === 'stale-credentials' && account === (accounts ? world.target.alias : undefined);
    } catch {
      ok = false;
    }
    const error = ok ? undefined : `exit ${run.code}${account ? ` (answered for ${account})` : ''}: ${run.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`;
    const calls = [...world.aws.calls];
    return { r: { wallMs: run.wallMs, ok, awsCalls: calls.length, ...(account ? { account } : {}), ...(error ? { error } : {}) }, calls };
  } finally {
    world.aws.setLatency(0);
  }
}

export async function accountsRun(world: AccountsWorld, latencyMs: number, tag: string): Promise<AccountsRun> {
  const places = world.accounts * ACCOUNT_REGIONS.length;
  const { r: single } = await cli(world, latencyMs, false, `${tag}-single`);
  const { r: many, calls } = await cli(world, latencyMs, true, `${tag}-many`);
  const throttledCalls = calls.filter(isThrottle);
  const throttled: Record<string, number> = {};
  for (const c of throttledCalls) throttled[`${c.service}:${c.operation}`] = (throttled[`${c.service}:${c.operation}`] ?? 0) + 1;
  const first = calls.length ? Math.min(...calls.map((c) => c.at)) : Number.NaN;
  const investigation = calls.filter((c) => !SEARCH_OPS.has(c.operation)).map((c) => c.at);
  const searchEnd = investigation.length ? Math.min(...investigation) : Number.NaN;
  const searchCalls = calls.filter((c) => c.operation === 'DescribeDBInstances' && c.at < searchEnd);
  const lookups = calls.filter((c) => c.operation === 'LookupEvents');
  return {
    accounts: world.accounts,
    places,
    latencyMs,
    concurrencyBound: SEARCH_CONCURRENCY,
    single,
    many: {
      ...many,
      assumeRoles: calls.filter((c) => c.service === 'sts' && c.operation === 'AssumeRole').length,
      throttles: throttledCalls.length,
      throttled,
      searchInFlightMax: maxInFlight(searchCalls.map((c) => ({ start: c.at, end: c.doneAt }))),
      searchMs: searchEnd - first,
      searchFloorMs: Math.ceil(places / SEARCH_CONCURRENCY) * latencyMs,
      lookupsMaxPerSec: maxOf(windowMaxBy(lookups, (c) => `${c.account ?? '?'}×${c.region ?? '?'}`, (c) => c.at)),
    },
  };
}
