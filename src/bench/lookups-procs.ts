// LookupEvents from N whybot processes sharing one SQLite store (lookups-child.ts), against
// the AWS double in this process: what the double saw, per account × Region, from its own
// request log (arrival times on its clock). Used by the bench ("lookups" section) and by
// test/limits.e2e.test.ts. `sharedGate: false` is the baseline: each process paces on its own.
import { fork, type ChildProcess } from 'node:child_process';
import type { AwsCall, AwsDouble } from '../sandbox/aws/server.js';
import { stopChild, track } from './children.js';
import { windowMaxBy } from './stats.js';
import { isThrottle } from './world.js';

/** What AWS allows for LookupEvents, per account × Region. */
export const LOOKUP_CEILING_PER_SEC = 2;

export interface ProcsOptions {
  aws: AwsDouble;
  /** the child module: dist/bench/lookups-child.js, or src/…/lookups-child.ts with execArgv ['--import', 'tsx'] */
  script: string;
  execArgv?: string[];
  dbPath: string;
  processes: number;
  /** LookupEvents per process and Region, all sent at once */
  calls: number;
  regions: string[];
  sharedGate?: boolean;
  timeoutMs?: number;
}

export interface ProcsRun {
  processes: number;
  lookups: number;
  /** per Region (one account): LookupEvents the double saw */
  count: Record<string, number>;
  /** per Region: the busiest 1 s window */
  maxPerSec: Record<string, number>;
  /** per Region: calls after the first over the time from first to last, per second */
  achievedPerSec: Record<string, number>;
  /** the closest two calls of one Region with one between them came, ms (≥ 1000 = never 3 in 1 s) */
  minGap2Ms: number;
  throttles: number;
  /** calls that failed in the children (a throttle, with one attempt, fails the call) */
  childErrors: string[];
  calls: AwsCall[];
}

function until<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child ${child.pid}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (m: { type?: string }) => {
      if (m.type === type) {
        clearTimeout(timer);
        resolve(m as T);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child ${child.pid} exited (${code}) before "${type}"`));
    });
  });
}

export async function lookupsAcrossProcesses(o: ProcsOptions): Promise<ProcsRun> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: o.aws.url,
    AWS_REGION: o.regions[0],
    REGIONS: o.regions.join(','),
    AWS_ACCESS_KEY_ID: 'AKIDLIMITS',
    AWS_SECRET_ACCESS_KEY: 'limits',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    WHYBOT_DB_PATH: o.dbPath,
    WHYBOT_LOG_LEVEL: 'warn',
    ...(o.sharedGate === false ? { LOCAL_GATE: '1' } : {}),
  };
  const children = Array.from({ length: o.processes }, () =>
    track(fork(o.script, [], { env, execArgv: o.execArgv ?? [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })),
  );
  try {
    await Promise.all(children.map((c) => until(c, 'ready', timeoutMs)));
    o.aws.reset();
    const done = children.map((c) => until<{ ok: number; errors: string[] }>(c, 'done', timeoutMs));
    for (const c of children) c.send({ type: 'go', calls: o.calls });
    const results = await Promise.all(done);
    const calls = o.aws.calls.filter((c) => c.operation === 'LookupEvents');
    const region = (c: AwsCall) => c.region ?? '?';
    const count: Record<string, number> = {};
    const achievedPerSec: Record<string, number> = {};
    let minGap2Ms = Number.POSITIVE_INFINITY;
    for (const r of o.regions) {
      const at = calls.filter((c) => region(c) === r).map((c) => c.at).sort((a, b) => a - b);
      count[r] = at.length;
      achievedPerSec[r] = at.length > 1 ? ((at.length - 1) * 1000) / (at.at(-1)! - at[0]!) : Number.NaN;
      for (let i = 2; i < at.length; i++) minGap2Ms = Math.min(minGap2Ms, at[i]! - at[i - 2]!);
    }
    return {
      processes: o.processes,
      lookups: calls.length,
      count,
      maxPerSec: windowMaxBy(calls, region, (c) => c.at),
      achievedPerSec,
      minGap2Ms,
      throttles: calls.filter(isThrottle).length,
      childErrors: results.flatMap((r) => r.errors),
      calls,
    };
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
  }
}

/** One bench run: 4 processes sharing a store, and the baseline of the same 4 pacing alone. */
export interface ProcsBenchRun {
  processes: number;
  regions: string[];
  /** shared store: LookupEvents/s achieved per account × Region (mean over the Regions) */
  achievedPerSec: number;
  /** shared store: the busiest 1 s of any account × Region */
  maxPerSec: number;
  throttles: number;
  lookups: number;
  minGap2Ms: number;
  /** baseline: each process with only its own limiter (what N workers did before) */
  alone: { maxPerSec: number; throttles: number; lookups: number };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const maxValue = (r: Record<string, number>) => Math.max(0, ...Object.values(r));

export async function procsBenchRun(o: Omit<ProcsOptions, 'sharedGate' | 'dbPath'> & { dbPath: (name: string) => string }): Promise<ProcsBenchRun> {
  const shared = await lookupsAcrossProcesses({ ...o, dbPath: o.dbPath('procs-shared'), sharedGate: true });
  await new Promise((r) => setTimeout(r, 1100)); // the double's buckets refill
  const alone = await lookupsAcrossProcesses({ ...o, dbPath: o.dbPath('procs-alone'), sharedGate: false });
  return {
    processes: o.processes,
    regions: o.regions,
    achievedPerSec: mean(Object.values(shared.achievedPerSec)),
    maxPerSec: maxValue(shared.maxPerSec),
    throttles: shared.throttles,
    lookups: shared.lookups,
    minGap2Ms: shared.minGap2Ms,
    alone: { maxPerSec: maxValue(alone.maxPerSec), throttles: alone.throttles, lookups: alone.lookups },
  };
}
