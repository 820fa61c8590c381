// (1) Ack latency of signed /why-db-down through the real bot (`node dist/entry/start.js`, a
// child process) at 1, 20 and 100 concurrent commands while the investigations really run,
// against a bare node:http child answering 200 at the same concurrency, same load generator.
// (4) Peak RSS (VmHWM) of both children. Also what the investigations cost once through the
// bot: LookupEvents at the double (shared reads), Slack messages per channel, time to verdicts.
import { startBareChild, startBotChild, peakRss, type ServerChild } from './children.js';
import { LoadGenerator, slashCommandBody, BOT_TOKEN, SIGNING_SECRET } from './slack-requests.js';
import { percentile } from './stats.js';
import { lookupStats, slackMessageStats, until, verdictTimes, type World } from './world.js';

export const ACK_LEVELS = [1, 20, 100] as const;
export type AckLevel = (typeof ACK_LEVELS)[number];

/** How many commands one run sends at each level, and how. */
export function ackPlan(level: number): { bursts: number; mode: 'burst' | 'sequential'; perBurst: number; waitForVerdicts: boolean } {
  // Only the largest level waits for every verdict (and so measures the peak RSS of the whole
  // burst): the smaller ones are stopped once acked, to keep the bench within its time.
  if (level === 1) return { bursts: 1, mode: 'sequential', perBurst: 20, waitForVerdicts: false };
  return { bursts: 1, mode: 'burst', perBurst: level, waitForVerdicts: level >= 100 };
}

export interface AckSide {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  non200: number;
  /** VmHWM of the child at the end of the run, bytes */
  peakRss: number;
}

export interface BotAckRun extends AckSide {
  admissions: { started: number; queued: number; joined: number; refused: number };
  /** investigations whose root got its verdict before the wait ended (or, at levels that do not wait, by the last ack) */
  verdicts: number;
  correctVerdicts: number;
  /** first command sent → last verdict, ms (NaN if some never came) */
  allVerdictsMs: number;
  lookups: ReturnType<typeof lookupStats>;
  slack: Omit<ReturnType<typeof slackMessageStats>, 'perChannel'>;
  slackRateLimited: number;
}

export interface AckRun {
  level: number;
  bare: AckSide;
  bot: BotAckRun;
}

function sideFrom(latencies: number[], statuses: number[], rss: number): AckSide {
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    samples: latencies.length,
    non200: statuses.filter((s) => s !== 200).length,
    peakRss: rss,
  };
}

function admissionOf(text: string): keyof BotAckRun['admissions'] {
  if (/queued as #/.test(text)) return 'queued';
  if (/asked the same/.test(text)) return 'joined';
  if (/busy/.test(text)) return 'refused';
  return 'started';
}

const VERDICT = /^CRITICAL: Likely cause: secret rds!cluster-/;

async function measureBare(level: number, gen: LoadGenerator, run: number): Promise<AckSide> {
  const bare = await startBareChild();
  try {
    const plan = ackPlan(level);
    const body = (i: number) => slashCommandBody('/why-db-down', 'prod-db', 'http://127.0.0.1:9/unused', `C${run}W${i}`, `U${run}W${i}`);
    await gen.send({ url: bare.url, bodies: [0, 1, 2, 3, 4].map(body), mode: 'sequential' }); // warm-up
    const latencies: number[] = [];
    const statuses: number[] = [];
    for (let b = 0; b < plan.bursts; b++) {
      const bodies = Array.from({ length: plan.perBurst }, (_, i) =>
        slashCommandBody('/why-db-down', 'prod-db', 'http://127.0.0.1:9/unused', `C${level}B${b}N${i}`, `U${level}B${b}N${i}`),
      );
      const r = await gen.send({ url: bare.url, bodies, mode: plan.mode });
      latencies.push(...r.latencies);
      statuses.push(...r.statuses);
    }
    return sideFrom(latencies, statuses, peakRss(bare.pid));
  } finally {
    await bare.stop();
  }
}

/** Warm the bot (receiver, job thread, SDK) with investigations in an empty Region, whose reads nobody shares. */
async function warmBot(bot: ServerChild, world: World, gen: LoadGenerator, run: number): Promise<void> {
  const channels = [`C0WARM${run}A`, `C0WARM${run}B`];
  const bodies = channels.map((ch, i) => slashCommandBody('/why-db-down', 'prod-db --region us-west-2', world.slack.responseUrl(`warm-${run}-${i}`, { channel: ch, user: 'U0WARM' }), ch, 'U0WARM'));
  await gen.send({ url: bot.url, bodies, mode: 'sequential' });
  await until(() => channels.every((ch) => verdictTimes(world.slack.calls).has(ch)), 30_000);
}

export interface AckOptions {
  /** how long to wait for every verdict after the acks (bounded) */
  verdictTimeoutMs: number;
  /** runs one measurement; undefined when it failed (reported by the caller) */
  attempt: <T>(what: string, f: () => Promise<T>) => Promise<T | undefined>;
}

async function measureBot(level: number, world: World, gen: LoadGenerator, run: number, opts: AckOptions): Promise<BotAckRun> {
  world.aws.setLatency(0);
  const bot = await startBotChild({
    slackApiUrl: world.slack.url, awsUrl: world.aws.url, region: world.scenario.region,
    signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, dbPath: world.dbPath(`ack-${level}-${run}`),
  });
  try {
    await warmBot(bot, world, gen, run);
    world.aws.reset();
    world.slack.reset();
    const plan = ackPlan(level);
    const channels = new Set<string>();
    const latencies: number[] = [];
    const statuses: number[] = [];
    const admissions = { started: 0, queued: 0, joined: 0, refused: 0 };
    const t0 = Date.now();
    for (let b = 0; b < plan.bursts; b++) {
      const bodies = Array.from({ length: plan.perBurst }, (_, i) => {
        const channel = `C${level}R${run}B${b}N${i}`;
        const user = `U${level}R${run}B${b}N${i}`;
        channels.add(channel);
        return slashCommandBody('/why-db-down', 'prod-db', world.slack.responseUrl(`ack-${channel}`, { channel, user }), channel, user);
      });
      const r = await gen.send({ url: bot.url, bodies, mode: plan.mode });
      latencies.push(...r.latencies);
      statuses.push(...r.statuses);
      for (const t of r.texts) admissions[admissionOf(t)]++;
    }
    const expected = channels.size - admissions.refused;
    const verdictsIn = () => [...verdictTimes(world.slack.calls)].filter(([ch]) => channels.has(ch));
    const all = plan.waitForVerdicts ? await until(() => verdictsIn().length >= expected, opts.verdictTimeoutMs, 100) : false;
    const verdicts = verdictsIn();
    const rss = peakRss(bot.pid);
    const { perChannel: _perChannel, ...slack } = slackMessageStats(world.slack.calls, channels);
    return {
      ...sideFrom(latencies, statuses, rss),
      admissions,
      verdicts: verdicts.length,
      correctVerdicts: verdicts.filter(([, v]) => VERDICT.test(v.text)).length,
      allVerdictsMs: all ? Math.max(...verdicts.map(([, v]) => v.at)) - t0 : Number.NaN,
      lookups: lookupStats(world.aws.calls, world.scenario.accountId),
      slack,
      slackRateLimited: world.slack.rateLimited.length,
    };
  } finally {
    await bot.stop();
  }
}

export async function ackRuns(world: World, runs: number, levels: readonly number[], opts: AckOptions, log: (line: string) => void): Promise<AckRun[]> {
  const gen = new LoadGenerator();
  const out: AckRun[] = [];
  try {
    for (let run = 0; run < runs; run++)
      for (const level of levels) {
        const bare = await opts.attempt(`ack run ${run + 1} at ${level}, bare`, () => measureBare(level, gen, run));
        const bot = await opts.attempt(`ack run ${run + 1} at ${level}, bot`, () => measureBot(level, world, gen, run, opts));
        if (!bare || !bot) continue;
        log(
          `  ack run ${run + 1}/${runs} at ${level}: bare p99 ${bare.p99.toFixed(1)} ms, bot p99 ${bot.p99.toFixed(1)} ms; ` +
            (ackPlan(level).waitForVerdicts
              ? `${bot.verdicts}/${level} verdicts${Number.isNaN(bot.allVerdictsMs) ? '' : ` in ${(bot.allVerdictsMs / 1000).toFixed(1)} s`}, peak RSS ${(bot.peakRss / 2 ** 20).toFixed(0)} MB`
              : `${bot.admissions.started} started, ${bot.admissions.queued} queued`),
        );
        out.push({ level, bare, bot });
      }
  } finally {
    await gen.close();
  }
  return out;
}
