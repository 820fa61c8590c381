// (2) Time to verdict with latency injected into every AWS call, against the playbook's
// critical path (its sequential calls × the latency), measured in the same run:
//  - CLI: `node <package.json "bin"> db-down prod-db --json`, spawn → exit;
//  - Slack: a signed /why-db-down into a fresh `npm start` child (warmed in an empty Region,
//    whose reads nobody shares) → the root message's verdict update at the Slack double.
import { dbDown } from '../playbooks/db-down/index.js';
import { cliPath, runNode, startBotChild } from './children.js';
import { BOT_TOKEN, SIGNING_SECRET, signedHeaders, slashCommandBody } from './slack-requests.js';
import { until, verdictTimes, type World } from './world.js';

export const VERDICT_LATENCIES = [50, 100, 200] as const;

export const criticalPathMs = (latencyMs: number): number => dbDown.criticalPathCalls * latencyMs;

export interface VerdictRun {
  latencyMs: number;
  criticalPathMs: number;
  cli: { wallMs: number; ok: boolean; awsCalls: number; error?: string };
  slack: { verdictMs: number; ok: boolean; awsCalls: number };
}

async function cliOnce(world: World, latencyMs: number): Promise<VerdictRun['cli']> {
  world.aws.reset();
  world.aws.setLatency(latencyMs);
  const r = await runNode([await cliPath(), 'db-down', 'prod-db', '--json'], {
    PATH: process.env.PATH,
    HOME: world.dir,
    AWS_ENDPOINT_URL: world.aws.url,
    AWS_REGION: world.scenario.region,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    WHYBOT_LOG_LEVEL: 'silent',
  });
  let ok = false;
  try {
    ok = r.code === 0 && (JSON.parse(r.stdout) as { findings?: { id?: string }[] }).findings?.[0]?.id === 'stale-credentials';
  } catch {
    ok = false;
  }
  const error = ok ? undefined : `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`;
  return { wallMs: r.wallMs, ok, awsCalls: world.aws.calls.length, ...(error ? { error } : {}) };
}

async function slackOnce(world: World, latencyMs: number, tag: string): Promise<VerdictRun['slack']> {
  world.aws.setLatency(0);
  const bot = await startBotChild({
    slackApiUrl: world.slack.url, awsUrl: world.aws.url, region: world.scenario.region,
    signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, dbPath: world.dbPath(`verdict-${tag}`),
  });
  const send = async (channel: string, text: string) => {
    const body = slashCommandBody('/why-db-down', text, world.slack.responseUrl(`v-${channel}`, { channel, user: 'U0BENCH' }), channel, 'U0BENCH');
    const res = await fetch(bot.url, { method: 'POST', headers: signedHeaders(body), body });
    await res.arrayBuffer();
  };
  try {
    const warm = `C0VW${tag}`;
    await send(warm, 'prod-db --region us-west-2');
    await until(() => verdictTimes(world.slack.calls).has(warm), 30_000);
    world.aws.reset();
    world.aws.setLatency(latencyMs);
    const channel = `C0V${tag}`;
    const t0 = Date.now();
    await send(channel, 'prod-db');
    const ok = await until(() => verdictTimes(world.slack.calls).has(channel), 60_000, 10);
    const v = verdictTimes(world.slack.calls).get(channel);
    return { verdictMs: v ? v.at - t0 : Number.NaN, ok: ok && !!v && /^CRITICAL: Likely cause/.test(v.text), awsCalls: world.aws.calls.filter((c) => c.region === world.scenario.region).length };
  } finally {
    await bot.stop();
    world.aws.setLatency(0);
  }
}

export async function verdictRun(world: World, latencyMs: number, tag: string): Promise<VerdictRun> {
  const cli = await cliOnce(world, latencyMs);
  await new Promise((r) => setTimeout(r, 600)); // the double's LookupEvents bucket refills
  const slack = await slackOnce(world, latencyMs, tag);
  return { latencyMs, criticalPathMs: criticalPathMs(latencyMs), cli, slack };
}
