// npm run bench [-- --quick] [-- --only ack,verdict,...] [-- --runs N]
//
// Measures, never asserts. Loopback only: the AWS and Slack doubles run in this process; the
// bot runs as `npm start` does (node dist/entry/start.js, a child process). Every figure is
// given with a baseline measured in the same run and as min / median / max over the runs
// (each run's ratio is that run's figure over that run's baseline):
//   ack      ack p50/p99 at 1, 20, 100 concurrent signed /why-db-down while the investigations
//            run, vs a bare node:http child; peak RSS (VmHWM) of both at each level
//   verdict  time to verdict from the CLI and from Slack vs the critical path × latency
//   accounts the CLI's verdict when prod-db must first be found among 50 accounts × 4 Regions
//            (--quick: 10 × 4), 100 ms per AWS call, vs the same command in one account and
//            Region; AssumeRole calls, throttles, the search's concurrency and duration
//   lookups  LookupEvents/s per account × Region under 20 concurrent unshared investigations
//            vs unpaced SDK calls, throttles; and through the bot (shared reads)
//   procs    LookupEvents from 4 processes sharing one SQLite store, 2 Regions: calls/s
//            achieved per account × Region vs AWS's 2/s ceiling, busiest second and throttles
//            vs the same 4 processes each pacing alone
//   alerts   1,000 rotation events over 10 Lambda-handler processes sharing one DynamoDB
//   modal    click-to-modal vs the bare server's answer
//   claims   claim-once throughput, contended vs distinct nonces, SQLite and DynamoDB
//   cli      `whybot --help` and a usage error vs `node -e 0`
//   bundles  (only when named) Lambda bundles, src/bench/bundles.ts's own report
// The table goes to stdout; everything, per run, to bench-results.json.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ACCOUNT_REGIONS, ACCOUNTS_LATENCY_MS, accountsRun, startAccountsWorld, type AccountsRun } from './accounts.js';
import { ACK_LEVELS, ackPlan, ackRuns, type AckRun } from './ack.js';
import { alertRun, startAlertsWorld, ALERT_CHANNEL, PROCESSES, ROTATIONS, SECRETS, type AlertRun } from './alerts.js';
import { ROOT } from './children.js';
import { claimRun, cliStartRun, modalRun, type ClaimRun, type CliStartRun, type ModalRun } from './extras.js';
import { lookupRun, type LookupRun } from './lookups.js';
import { LOOKUP_CEILING_PER_SEC, procsBenchRun, type ProcsBenchRun } from './lookups-procs.js';
import { pairedRow, renderRows, type Row } from './report.js';
import { fmtMs, fmtNum, fmtSpread, spread } from './stats.js';
import { criticalPathMs, VERDICT_LATENCIES, verdictRun, type VerdictRun } from './verdict.js';
import { startWorld } from './world.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'AKIDBENCH';
process.env.AWS_SECRET_ACCESS_KEY = 'bench';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;

export const SECTIONS = ['cli', 'verdict', 'accounts', 'lookups', 'procs', 'ack', 'alerts', 'modal', 'claims', 'bundles'] as const;
type Section = (typeof SECTIONS)[number];
const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter((s) => s !== 'bundles');

export interface BenchOptions {
  quick: boolean;
  runs: number;
  only: Section[];
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true }, runs: { type: 'string' } },
    strict: true,
  });
  const only = (values.only ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  const runs = values.runs !== undefined ? Number(values.runs) : values.quick ? 2 : 5;
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs takes a whole number from 1 to 50');
  return { quick: values.quick === true, runs, only: only.length ? (only as Section[]) : [...DEFAULT_SECTIONS] };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const failures: string[] = [];

/** One run of one figure; a failure is reported and leaves that run out instead of ending the bench. */
async function attempt<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    const line = `${what}: ${err instanceof Error ? err.message : String(err)}`.replace(/\s+/g, ' ').slice(0, 300);
    failures.push(line);
    log(`  FAILED ${line}`);
    return undefined;
  }
}
const byRun = <T, K>(runs: readonly T[], f: (r: T) => K): K[] => runs.map(f);

function ackRows(runs: AckRun[]): Row[] {
  const rows: Row[] = [];
  for (const level of ACK_LEVELS) {
    const at = runs.filter((r) => r.level === level);
    if (!at.length) continue;
    const plan = ackPlan(level);
    const how = level === 1 ? `${plan.perBurst} one at a time` : `${level} at once`;
    rows.push(pairedRow('ack', `ack p50, ${how}`, 'ms', byRun(at, (r) => r.bot.p50), { label: 'bare node:http', values: byRun(at, (r) => r.bare.p50) }));
    rows.push(
      pairedRow('ack', `ack p99, ${how}`, 'ms', byRun(at, (r) => r.bot.p99), { label: 'bare node:http', values: byRun(at, (r) => r.bare.p99) },
        level === 100 ? { text: '< 30 ms', met: (m) => m < 30 } : { text: '< 3 s (Slack)', met: (m) => m < 3000 }),
    );
    if (plan.waitForVerdicts) rows.push(pairedRow('rss', `peak RSS (VmHWM), ${how}, until every verdict`, 'MB', byRun(at, (r) => r.bot.peakRss), { label: 'bare node:http', values: byRun(at, (r) => r.bare.peakRss) }));
  }
  return rows;
}

function ackBotRows(runs: AckRun[]): Row[] {
  const rows: Row[] = [];
  for (const level of ACK_LEVELS) {
    const at = runs.filter((r) => r.level === level);
    if (!at.length) continue;
    const plan = ackPlan(level);
    const n = plan.perBurst * plan.bursts;
    rows.push(pairedRow('bot', `@${level}: acks "queued as #N"`, 'count', byRun(at, (r) => r.bot.admissions.queued)));
    rows.push(pairedRow('bot', `@${level}: acks refused (busy)`, 'count', byRun(at, (r) => r.bot.admissions.refused), undefined, { text: '0', met: (m) => m === 0 }));
    if (!plan.waitForVerdicts) continue;
    rows.push(pairedRow('bot', `@${level}: first command → every verdict in Slack`, 'ms', byRun(at, (r) => r.bot.allVerdictsMs)));
    rows.push(pairedRow('bot', `@${level}: correct verdicts (of ${n})`, 'count', byRun(at, (r) => r.bot.correctVerdicts), undefined, { text: `= ${n}`, met: (m) => m === n }));
    rows.push(
      pairedRow('bot', `@${level}: LookupEvents at AWS (shared reads)`, 'count', byRun(at, (r) => r.bot.lookups.count), undefined, {
        text: `≪ ${n}`,
        met: (m) => m <= Math.max(2, n / 10),
      }),
    );
    rows.push(pairedRow('bot', `@${level}: LookupEvents max/s per acct×Region`, 'per-s', byRun(at, (r) => r.bot.lookups.maxPerSec), undefined, { text: '≤ 2', met: (m) => m <= 2 }));
    rows.push(pairedRow('bot', `@${level}: AWS throttles (any API)`, 'count', byRun(at, (r) => r.bot.lookups.allThrottles), undefined, { text: '0', met: (m) => m === 0 }));
    rows.push(pairedRow('bot', `@${level}: Slack msgs max/s per channel`, 'per-s', byRun(at, (r) => r.bot.slack.maxPerSecPerChannel)));
    rows.push(pairedRow('bot', `@${level}: Slack 429s`, 'count', byRun(at, (r) => r.bot.slackRateLimited), undefined, { text: '0', met: (m) => m === 0 }));
  }
  return rows;
}

function verdictRows(runs: VerdictRun[]): Row[] {
  const rows: Row[] = [];
  for (const latency of VERDICT_LATENCIES) {
    const at = runs.filter((r) => r.latencyMs === latency);
    if (!at.length) continue;
    const cp = { label: `critical path ${criticalPathMs(latency) / latency}×${latency} ms`, values: byRun(at, (r) => r.criticalPathMs) };
    rows.push(pairedRow('verdict', `CLI db-down, ${latency} ms/call`, 'ms', byRun(at, (r) => (r.cli.ok ? r.cli.wallMs : Number.NaN)), cp));
    rows.push(pairedRow('verdict', `Slack db-down, ${latency} ms/call`, 'ms', byRun(at, (r) => (r.slack.ok ? r.slack.verdictMs : Number.NaN)), cp));
  }
  return rows;
}

function accountsRows(runs: AccountsRun[]): Row[] {
  if (!runs.length) return [];
  const { accounts, places, latencyMs, concurrencyBound } = runs[0]!;
  const where = `${accounts} accounts × ${ACCOUNT_REGIONS.length} Regions`;
  return [
    pairedRow('accounts', `CLI db-down, found in 1 of ${places} places, ${latencyMs} ms/call`, 'ms', byRun(runs, (r) => (r.many.ok ? r.many.wallMs : Number.NaN)), {
      label: 'no WHYBOT_ACCOUNTS (1 account, 1 Region)',
      values: byRun(runs, (r) => (r.single.ok ? r.single.wallMs : Number.NaN)),
    }),
    pairedRow('accounts', `search, first call → investigation starts`, 'ms', byRun(runs, (r) => r.many.searchMs), {
      label: `⌈${places} ÷ ${concurrencyBound}⌉ × ${latencyMs} ms`,
      values: byRun(runs, (r) => r.many.searchFloorMs),
    }),
    pairedRow('accounts', `RDS lists in flight at most (one per place)`, 'count', byRun(runs, (r) => r.many.searchInFlightMax), undefined, {
      text: `≤ ${concurrencyBound} (SEARCH_CONCURRENCY)`,
      met: (m) => m <= concurrencyBound,
    }),
    pairedRow('accounts', `STS AssumeRole calls, ${where}`, 'count', byRun(runs, (r) => r.many.assumeRoles), undefined, { text: `= ${accounts} (1 per account)`, met: (m) => m === accounts }),
    pairedRow('accounts', `AWS throttles (any API)`, 'count', byRun(runs, (r) => r.many.throttles), undefined, { text: '0', met: (m) => m === 0 }),
    pairedRow('accounts', `LookupEvents max in any 1 s per acct×Region`, 'per-s', byRun(runs, (r) => r.many.lookupsMaxPerSec), undefined, { text: '≤ 2', met: (m) => m <= 2 }),
    pairedRow('accounts', `AWS calls`, 'count', byRun(runs, (r) => r.many.awsCalls), { label: 'no WHYBOT_ACCOUNTS', values: byRun(runs, (r) => r.single.awsCalls) }),
  ];
}

function lookupRows(runs: LookupRun[]): Row[] {
  const n = runs[0]?.investigations ?? 20;
  return [
    pairedRow('lookups', `LookupEvents max/s per acct×Region, ${n} investigations`, 'per-s', byRun(runs, (r) => r.maxPerSec), {
      label: 'unpaced SDK, same calls',
      values: byRun(runs, (r) => r.raw.maxPerSec),
    }, { text: '≤ 2', met: (m) => m <= 2 }),
    pairedRow('lookups', `LookupEvents max/s over any 5 s (sustained)`, 'per-s', byRun(runs, (r) => r.maxPerSecOver5s), undefined, { text: '≤ 2', met: (m) => m <= 2 }),
    pairedRow('lookups', `LookupEvents throttled, ${n} investigations`, 'count', byRun(runs, (r) => r.throttles), {
      label: 'unpaced SDK, same calls',
      values: byRun(runs, (r) => r.raw.throttles),
    }, { text: '0', met: (m) => m === 0 }),
    pairedRow('lookups', `rotation history not read (of ${n})`, 'count', byRun(runs, (r) => r.historyNotOk), undefined, { text: '0', met: (m) => m === 0 }),
    pairedRow('lookups', `LookupEvents sent (whybot)`, 'count', byRun(runs, (r) => r.lookups)),
    pairedRow('lookups', `${n} investigations, wall`, 'ms', byRun(runs, (r) => r.wallMs), {
      label: `${n} LookupEvents at 2/s`,
      values: byRun(runs, (r) => (r.lookups / 2) * 1000),
    }),
  ];
}

function procsRows(runs: ProcsBenchRun[]): Row[] {
  const n = runs[0]?.processes ?? 4;
  return [
    pairedRow('procs', `LookupEvents/s achieved per acct×Region, ${n} processes`, 'per-s', byRun(runs, (r) => r.achievedPerSec), {
      label: "AWS's ceiling",
      values: byRun(runs, () => LOOKUP_CEILING_PER_SEC),
    }, { text: '≤ 2', met: (m) => m <= LOOKUP_CEILING_PER_SEC }),
    pairedRow('procs', `LookupEvents max in any 1 s per acct×Region, ${n} processes`, 'per-s', byRun(runs, (r) => r.maxPerSec), {
      label: `${n} processes pacing alone`,
      values: byRun(runs, (r) => r.alone.maxPerSec),
    }, { text: '≤ 2', met: (m) => m <= LOOKUP_CEILING_PER_SEC }),
    pairedRow('procs', `LookupEvents throttled, ${n} processes`, 'count', byRun(runs, (r) => r.throttles), {
      label: `${n} processes pacing alone`,
      values: byRun(runs, (r) => r.alone.throttles),
    }, { text: '0', met: (m) => m === 0 }),
    pairedRow('procs', `closest 3 calls of one acct×Region span`, 'ms', byRun(runs, (r) => r.minGap2Ms), undefined, { text: '≥ 1 s', met: (m) => m >= 1000 }),
    pairedRow('procs', `LookupEvents sent (shared store)`, 'count', byRun(runs, (r) => r.lookups)),
  ];
}

function alertRows(runs: AlertRun[]): Row[] {
  const events = runs[0]?.events ?? SECRETS * ROTATIONS;
  return [
    pairedRow('alerts', `Slack msgs max/s in ${ALERT_CHANNEL} (posts+updates)`, 'per-s', byRun(runs, (r) => r.maxPerSecPerChannel), {
      label: "Slack's 1/s per channel",
      values: byRun(runs, () => 1),
    }, { text: '≤ 1 sustained', met: (m) => m <= 1 }),
    pairedRow('alerts', `first delivery → last of ${events} reflected`, 'ms', byRun(runs, (r) => r.lastReflectedMs), {
      label: `${events} non-rotation events`,
      values: byRun(runs, (r) => r.baselineMs),
    }),
    pairedRow('alerts', `events reflected per second`, 'per-s', byRun(runs, (r) => r.reflectedPerSec), {
      label: 'non-rotation events/s',
      values: byRun(runs, (r) => r.baselinePerSec),
    }),
    pairedRow('alerts', `all ${events} at that rate (projected when capped)`, 'ms', byRun(runs, (r) => (Number.isNaN(r.lastReflectedMs) ? (r.events / r.reflectedPerSec) * 1000 : r.lastReflectedMs)), {
      label: `${events} non-rotation events`,
      values: byRun(runs, (r) => r.baselineMs),
    }),
    pairedRow('alerts', `events reflected before the cap`, 'count', byRun(runs, (r) => r.reflected), undefined, { text: `= ${events}`, met: (m) => m === events }),
    pairedRow('alerts', `posts`, 'count', byRun(runs, (r) => r.posts)),
    pairedRow('alerts', `updates`, 'count', byRun(runs, (r) => r.updates)),
    pairedRow('alerts', `Slack 429s`, 'count', byRun(runs, (r) => r.slackRateLimited), undefined, { text: '0', met: (m) => m === 0 }),
    pairedRow('alerts', `handler errors`, 'count', byRun(runs, (r) => r.errors), undefined, { text: '0', met: (m) => m === 0 }),
  ];
}

function modalRows(runs: ModalRun[]): Row[] {
  return [
    pairedRow('modal', 'click → views.open p50', 'ms', byRun(runs, (r) => r.p50), { label: 'bare node:http answer', values: byRun(runs, (r) => r.bareP50) }),
    pairedRow('modal', 'click → views.open p99', 'ms', byRun(runs, (r) => r.p99), { label: 'bare node:http answer', values: byRun(runs, (r) => r.bareP99) }, { text: '< 3 s (trigger_id)', met: (m) => m < 3000 }),
  ];
}

function claimRows(runs: ClaimRun[]): Row[] {
  return [
    pairedRow('claims', 'SQLite claims/s, one nonce contended', 'per-s', byRun(runs, (r) => r.sqlite.contended), { label: 'distinct nonces', values: byRun(runs, (r) => r.sqlite.distinct) }),
    pairedRow('claims', 'DynamoDB (dynalite) claims/s, contended', 'per-s', byRun(runs, (r) => r.dynamo.contended), { label: 'distinct nonces', values: byRun(runs, (r) => r.dynamo.distinct) }),
  ];
}

function cliRows(runs: CliStartRun[]): Row[] {
  const base = { label: 'node -e 0', values: byRun(runs, (r) => r.nodeMs) };
  return [
    pairedRow('cli', 'whybot --help', 'ms', byRun(runs, (r) => r.helpMs), base, { text: '≤ ×1.5 node -e 0', met: (_m, r) => r <= 1.5 }),
    pairedRow('cli', 'whybot <unknown playbook> (usage error)', 'ms', byRun(runs, (r) => r.usageErrorMs), base),
  ];
}

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  const started = Date.now();
  log(`whybot bench: ${opts.runs} run(s) per figure${opts.quick ? ' (--quick)' : ''}; sections ${opts.only.join(', ')}`);
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  const has = (s: Section) => opts.only.includes(s);

  const world = await startWorld();
  let worldOpen = true;
  const closeWorld = async () => {
    if (worldOpen) await world.close();
    worldOpen = false;
  };
  process.env.AWS_ENDPOINT_URL = world.aws.url;
  process.env.AWS_REGION = world.scenario.region;
  try {
    if (has('cli')) {
      const runs: CliStartRun[] = [];
      for (let i = 0; i < Math.max(opts.runs, 5); i++) {
        const r = await attempt(`cli run ${i + 1}`, () => cliStartRun(world));
        if (r) runs.push(r);
      }
      results.cli = runs;
      rows.push(...cliRows(runs));
      log(`  cli: --help ${fmtSpread(spread(runs.map((x) => x.helpMs)), fmtMs)} vs node -e 0 ${fmtSpread(spread(runs.map((x) => x.nodeMs)), fmtMs)}`);
    }
    if (has('verdict')) {
      const runs: VerdictRun[] = [];
      for (let i = 0; i < opts.runs; i++)
        for (const latency of VERDICT_LATENCIES) {
          const r = await attempt(`verdict run ${i + 1} at ${latency} ms`, () => verdictRun(world, latency, `${i}L${latency}`));
          if (!r) continue;
          runs.push(r);
          log(`  verdict run ${i + 1}/${opts.runs} at ${latency} ms: CLI ${fmtMs(r.cli.wallMs)}${r.cli.ok ? '' : ` (FAILED: ${r.cli.error ?? 'wrong verdict'})`}, Slack ${fmtMs(r.slack.verdictMs)}${r.slack.ok ? '' : ' (WRONG)'}; critical path ${fmtMs(r.criticalPathMs)}; AWS calls CLI ${r.cli.awsCalls}, Slack ${r.slack.awsCalls}`);
        }
      results.verdict = runs;
      rows.push(...verdictRows(runs));
    }
    if (has('accounts')) {
      const n = opts.quick ? 10 : 50;
      const aw = await startAccountsWorld(n);
      try {
        const runs: AccountsRun[] = [];
        for (let i = 0; i < opts.runs; i++) {
          const r = await attempt(`accounts run ${i + 1}`, () => accountsRun(aw, ACCOUNTS_LATENCY_MS, String(i)));
          if (!r) continue;
          runs.push(r);
          const fail = (c: AccountsRun['single']) => (c.ok ? '' : ` (FAILED: ${c.error ?? 'wrong verdict'})`);
          log(`  accounts run ${i + 1}/${opts.runs}: ${r.places} places ${fmtMs(r.many.wallMs)}${fail(r.many)} (search ${fmtMs(r.many.searchMs)}, ${r.many.searchInFlightMax} in flight, ${r.many.assumeRoles} AssumeRole, ${r.many.throttles} throttled${r.many.throttles ? ` ${JSON.stringify(r.many.throttled)}` : ''}, ${r.many.awsCalls} calls) vs 1 place ${fmtMs(r.single.wallMs)}${fail(r.single)}`);
        }
        results.accounts = { accounts: n, regions: ACCOUNT_REGIONS, target: aw.target, runs };
        rows.push(...accountsRows(runs));
      } finally {
        await aw.close();
      }
    }
    if (has('lookups')) {
      const runs: LookupRun[] = [];
      for (let i = 0; i < opts.runs; i++) {
        const r = await attempt(`lookups run ${i + 1}`, () => lookupRun(world, 20));
        await new Promise((res) => setTimeout(res, 1100));
        if (!r) continue;
        runs.push(r);
        log(`  lookups run ${i + 1}/${opts.runs}: ${r.lookups} LookupEvents, max ${r.maxPerSec}/s, ${r.throttles} throttled (unpaced: max ${r.raw.maxPerSec}/s, ${r.raw.throttles} throttled)`);
      }
      results.lookups = runs;
      rows.push(...lookupRows(runs));
    }
    if (has('procs')) {
      const runs: ProcsBenchRun[] = [];
      const regions = [world.scenario.region, world.scenario.region === 'us-east-1' ? 'eu-west-1' : 'us-east-1'];
      for (let i = 0; i < opts.runs; i++) {
        const r = await attempt(`procs run ${i + 1}`, () =>
          procsBenchRun({ aws: world.aws, script: path.join(ROOT, 'dist', 'bench', 'lookups-child.js'), dbPath: world.dbPath, processes: 4, calls: opts.quick ? 3 : 5, regions }),
        );
        await new Promise((res) => setTimeout(res, 1100));
        if (!r) continue;
        runs.push(r);
        log(`  procs run ${i + 1}/${opts.runs}: ${r.lookups} LookupEvents from ${r.processes} processes, ${fmtNum(r.achievedPerSec, 2)}/s per acct×Region, max ${r.maxPerSec} in 1 s, ${r.throttles} throttled (alone: max ${r.alone.maxPerSec} in 1 s, ${r.alone.throttles} throttled)`);
      }
      results.procs = runs;
      rows.push(...procsRows(runs));
    }
    let ackResults: AckRun[] = [];
    if (has('ack')) {
      ackResults = await ackRuns(world, opts.runs, ACK_LEVELS, { verdictTimeoutMs: opts.quick ? 60_000 : 120_000, attempt }, log);
      results.ack = ackResults;
      rows.push(...ackRows(ackResults));
    }
    if (has('modal')) {
      const runs: ModalRun[] = [];
      for (let i = 0; i < opts.runs; i++) {
        const r = await attempt(`modal run ${i + 1}`, () => modalRun(world, opts.quick ? 20 : 40, String(i)));
        if (r) runs.push(r);
      }
      results.modal = runs;
      rows.push(...modalRows(runs));
    }
    if (has('claims')) {
      const runs: ClaimRun[] = [];
      for (let i = 0; i < opts.runs; i++) {
        const r = await attempt(`claims run ${i + 1}`, () => claimRun());
        if (r) runs.push(r);
      }
      results.claims = runs;
      rows.push(...claimRows(runs));
    }
    await closeWorld();
    if (has('alerts')) {
      const aw = await startAlertsWorld();
      try {
        const runs: AlertRun[] = [];
        const capMs = 15_000;
        for (let i = 0; i < opts.runs; i++) {
          const r = await attempt(`alerts run ${i + 1}`, () => alertRun(aw, i, capMs));
          if (!r) continue;
          runs.push(r);
          log(`  alerts run ${i + 1}/${opts.runs}: ${r.reflected}/${r.events} reflected${Number.isNaN(r.lastReflectedMs) ? ` at the ${capMs / 1000} s cap` : ` in ${fmtMs(r.lastReflectedMs)}`}, ${r.posts} posts + ${r.updates} updates, max ${r.maxPerSecPerChannel}/s in ${ALERT_CHANNEL}, ${r.slackRateLimited} 429s; outcomes ${JSON.stringify(r.outcomes)}`);
        }
        results.alerts = { secrets: SECRETS, rotationsPerSecret: ROTATIONS, processes: PROCESSES, capMs, runs };
        rows.push(...alertRows(runs));
      } finally {
        await aw.close();
      }
    }

    const sections = [...new Set(rows.map((r) => r.section))];
    const titles: Record<string, string> = {
      cli: 'CLI start',
      verdict: 'time to verdict (incident 003) vs the critical path',
      accounts: 'time to verdict when the target must be found across accounts × Regions (WHYBOT_ACCOUNTS) vs one account (RDS and STS have no quota in the AWS double)',
      lookups: 'CloudTrail LookupEvents under 20 concurrent investigations (reads not shared; one attempt per call)',
      procs: 'CloudTrail LookupEvents from 4 processes sharing one SQLite store, 2 Regions (one attempt per call)',
      ack: 'ack latency of signed /why-db-down through `npm start` (investigations running) vs bare node:http',
      rss: 'peak RSS of the child',
      bot: 'what those investigations cost through the bot (shared reads)',
      modal: 'click-to-modal (remediation button → views.open), one at a time',
      claims: 'claim-once throughput (concurrency 16)',
      alerts: `rotation alerts: ${SECRETS * ROTATIONS} RotationSucceeded (${SECRETS} secrets × ${ROTATIONS} rotations) over ${PROCESSES} Lambda-handler processes, one DynamoDB`,
    };
    const out: string[] = [`whybot bench: ${os.cpus().length} CPUs, node ${process.version}, ${opts.runs} run(s) per figure; min / median / max; ratio = figure ÷ baseline of the same run`];
    const botRows = ackBotRows(ackResults);
    for (const s of [...sections.filter((x) => x !== 'bot'), ...(botRows.length ? ['bot'] : [])]) {
      out.push('', `${titles[s] ?? s}:`, renderRows(s === 'bot' ? botRows : rows.filter((r) => r.section === s)));
    }
    if (!has('bundles')) out.push('', 'Lambda bundles: not measured by default (packaging takes minutes); `npm run bench -- --only bundles` runs src/bench/bundles.ts.');
    if (failures.length) out.push('', `${failures.length} run(s) failed and are left out:`, ...failures.map((f) => `  ${f}`));
    out.push('', `total bench time ${fmtNum((Date.now() - started) / 1000, 0)} s`);
    process.stdout.write(out.join('\n') + '\n');
    results.rows = [...rows, ...botRows];
    results.failures = failures;

    if (has('bundles')) {
      const { measureBundles } = await import('./bundles.js');
      process.stdout.write('\nLambda bundles (src/bench/bundles.ts):\n');
      results.bundles = await measureBundles({ runs: Math.max(5, opts.runs), log: (l) => process.stdout.write(`${l}\n`) });
    }
  } finally {
    await closeWorld().catch(() => undefined);
  }
  const file = path.join(ROOT, 'bench-results.json');
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version, platform: process.platform }, options: opts, results }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n',
  );
  log(`results written to ${path.relative(process.cwd(), file) || file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench failed:', err);
    process.exit(1);
  },
);
