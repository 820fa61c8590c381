// Lambda bundles: zipped size (what Lambda downloads: osls's .serverless/<fn>.zip) and the
// cold start's init, measured as Lambda pays it: import .build/<fn>/index.mjs, then call the
// handler once (the first call reads the SSM secrets and builds the clients), in a fresh
// `node` process, against the loopback AWS and Slack doubles.
//
// Each run also starts an empty `node` (the same flags, a module that does nothing) right
// before the bundle's process, so machine load shows in both: the report gives the in-process
// import + first call time, both processes' wall time from spawn to their answer, and the
// bundle's against the empty start's (difference and ratio, per run). Min / median / max over
// `runs` (≥ 5) runs each. The init targets apply to the in-process median.
//
// The first calls: slack gets a signed slash command (verify, ack, async Invoke of the
// worker); worker a payload it drops after its cold start (a real job would time the
// investigation, not the init); alerts an event that is not a rotation event.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startAwsDouble, type AwsDouble } from '../sandbox/aws/server.js';
import { loadScenario } from '../sandbox/scenario.js';
import { startSlackDouble, type SlackDouble } from '../sandbox/slack/server.js';
import { fmtMs, fmtRatio, fmtSpread, ratio, spread, type Spread } from './stats.js';

export const BUNDLE_FUNCTIONS = ['slack', 'worker', 'alerts'] as const;
export type BundleFunction = (typeof BUNDLE_FUNCTIONS)[number];
const MB = 1024 * 1024;
/** init = import + first call, in process (issue 10); slack must fit Slack's 3 s budget with room for the ack itself */
export const BUNDLE_TARGETS: Record<BundleFunction, { zippedBytes: number; initMs?: number }> = {
  slack: { zippedBytes: 1 * MB, initMs: 200 },
  worker: { zippedBytes: 5 * MB, initMs: 400 },
  alerts: { zippedBytes: 5 * MB },
};

export interface BundleMeasureOptions {
  /** repository root (default: two levels above this file, from src/bench or dist/bench) */
  root?: string;
  /** runs per bundle, each with its own empty-node baseline (default 7, at least 5) */
  runs?: number;
  /** run `node scripts/package.mjs --if-stale --skip-build` first (default true) */
  ensurePackaged?: boolean;
  log?: (line: string) => void;
}

export interface BundleMeasurement {
  fn: BundleFunction;
  zippedBytes: number;
  /** every file of .build/<fn>/ (entry and chunks) */
  unzippedBytes: number;
  files: number;
  /** in the bundle's process: `await import()` of the entry */
  importMs: Spread;
  /** in the bundle's process: the first handler call */
  firstCallMs: Spread;
  /** in the bundle's process: import + first call, the figure the targets are for */
  initMs: Spread;
  /** wall time of an empty `node` start, spawn to its output, measured in each run right before the bundle's */
  emptyNodeWallMs: Spread;
  /** wall time of the bundle's process, spawn to the first call's answer */
  bundleWallMs: Spread;
  /** per run: bundle wall − empty wall of the same run */
  overEmptyMs: Spread;
  /** per run: bundle wall / empty wall of the same run */
  overEmptyRatio: Spread;
}

// The child: times around the import and the first call, one JSON line on stdout, then exit
// (a container stays up; here the process must not wait for idle keep-alive sockets).
const CHILD = [
  'const t0 = performance.now();',
  'const { handler } = await import(process.env.WHYBOT_BUNDLE_URL);',
  'const t1 = performance.now();',
  'const result = await handler(JSON.parse(process.env.WHYBOT_EVENT), {});',
  'const t2 = performance.now();',
  'process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1, result }) + "\\n", () => process.exit(0));',
].join('\n');
// The baseline: the same node, flags and exit path; nothing imported, nothing called.
const EMPTY = `process.stdout.write(JSON.stringify({}) + "\\n", () => process.exit(0));`;

const PREFIX = '/whybot/bench';
const WORKER = 'whybot-bench-worker';
const BOT_TOKEN = 'xoxb-bench-token';
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

interface World {
  aws: AwsDouble;
  slack: SlackDouble;
  region: string;
}

async function startWorld(): Promise<World> {
  const scenario = await loadScenario('incident-003');
  scenario.ssm = {
    parameters: [
      { name: `${PREFIX}/slack-bot-token`, value: BOT_TOKEN, type: 'SecureString' },
      { name: `${PREFIX}/slack-signing-secret`, value: SIGNING_SECRET, type: 'SecureString' },
      { name: `${PREFIX}/action-secret`, value: 'bench-action-secret-0123456789abcdef-0123456789', type: 'SecureString' },
    ],
  };
  scenario.lambda = { functions: [{ name: WORKER }] };
  const aws = await startAwsDouble({ scenario });
  const slack = await startSlackDouble({ botToken: BOT_TOKEN });
  return { aws, slack, region: scenario.region };
}

/** The event each function's first call gets (see the header). */
function firstEvent(fn: BundleFunction, world: World): unknown {
  if (fn === 'worker') return { kind: 'not-a-job' };
  if (fn === 'alerts') return { source: 'aws.kms' };
  const body = new URLSearchParams({
    team_id: 'T0001', channel_id: 'C0ONCALL', user_id: 'U0ALICE', user_name: 'alice', command: '/why-db-down', text: 'prod-db',
    api_app_id: 'A0WHYBOT', response_url: world.slack.responseUrl('bench', { channel: 'C0ONCALL', user: 'U0ALICE' }), trigger_id: 'trigger-bench',
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return {
    version: '2.0', routeKey: 'POST /slack/events', rawPath: '/slack/events', rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${sig}` },
    requestContext: { http: { method: 'POST', path: '/slack/events', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot' }, stage: '$default', requestId: 'bench' },
    body, isBase64Encoded: false,
  };
}

/** Whether the first call did what it should; a bench of a handler that failed measures nothing. */
function answered(fn: BundleFunction, result: unknown): boolean {
  const r = (result ?? {}) as { statusCode?: unknown; ok?: unknown; recorded?: unknown };
  if (fn === 'slack') return r.statusCode === 200;
  if (fn === 'worker') return r.ok === false;
  return r.recorded === false;
}

/**
 * Runs `node --input-type=module -e script` and times it from spawn to its first line on
 * stdout (the child writes its one JSON line when its work is done): process teardown, which
 * a Lambda container never pays per request, is left out for the empty start and the bundle alike.
 */
function spawnTimed(root: string, script: string, env: Record<string, string>): Promise<{ wallMs: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let wallMs: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (wallMs === undefined && out.includes('\n')) wallMs = performance.now() - t0;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 || wallMs === undefined) reject(new Error(`node exited with ${code ?? signal}: ${err.trim().slice(0, 2000) || out.slice(0, 500)}`));
      else resolve({ wallMs, stdout: out.slice(0, out.indexOf('\n')) });
    });
  });
}

async function runOnce(root: string, fn: BundleFunction, world: World) {
  const base = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
  const empty = await spawnTimed(root, EMPTY, base);
  const env = {
    ...base,
    WHYBOT_BUNDLE_URL: pathToFileURL(path.join(root, '.build', fn, 'index.mjs')).href,
    WHYBOT_EVENT: JSON.stringify(firstEvent(fn, world)),
    AWS_REGION: world.region,
    AWS_ENDPOINT_URL: world.aws.url,
    AWS_ACCESS_KEY_ID: 'AKIDBUNDLEBENCH',
    AWS_SECRET_ACCESS_KEY: 'bundle-bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLACK_API_URL: world.slack.url,
    WHYBOT_TABLE: 'whybot-bench',
    WHYBOT_SSM_PREFIX: PREFIX,
    WHYBOT_WORKER_FUNCTION: WORKER,
    WHYBOT_RESPONDERS: 'U0ALICE',
    WHYBOT_READ_ONLY: 'false',
    WHYBOT_LOG_LEVEL: 'silent',
  };
  const bundle = await spawnTimed(root, CHILD, env);
  const parsed = JSON.parse(bundle.stdout) as { importMs?: unknown; firstCallMs?: unknown; result?: unknown };
  if (typeof parsed.importMs !== 'number' || typeof parsed.firstCallMs !== 'number') throw new Error(`unexpected output from ${fn}: ${bundle.stdout}`);
  if (!answered(fn, parsed.result)) throw new Error(`${fn}'s first call did not answer as expected: ${JSON.stringify(parsed.result)}`);
  return { importMs: parsed.importMs, firstCallMs: parsed.firstCallMs, emptyWallMs: empty.wallMs, bundleWallMs: bundle.wallMs };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const fmt = (s: Spread) => fmtSpread(s, fmtMs);

export async function measureBundles(opts: BundleMeasureOptions = {}): Promise<BundleMeasurement[]> {
  const root = opts.root ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const runs = Math.max(5, opts.runs ?? 7);
  const log = opts.log ?? ((line: string) => console.log(line));
  if (opts.ensurePackaged ?? true) {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--if-stale', '--skip-build'], { cwd: root, stdio: 'ignore', timeout: 300_000 });
  }

  const world = await startWorld();
  const results: BundleMeasurement[] = [];
  try {
    log(`Lambda bundles: zipped .serverless/<fn>.zip; init = import + first call of .build/<fn>/index.mjs in a fresh node,`);
    log(`against an empty node start in the same run; each figure min / median / max of ${runs} runs`);
    for (const fn of BUNDLE_FUNCTIONS) {
      const zip = path.join(root, '.serverless', `${fn}.zip`);
      const entry = path.join(root, '.build', fn, 'index.mjs');
      for (const p of [zip, entry]) if (!existsSync(p)) throw new Error(`${path.relative(root, p)} is missing: run \`node scripts/package.mjs\` first`);
      const files = filesUnder(path.join(root, '.build', fn)).filter((f) => f.endsWith('.mjs'));
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await runOnce(root, fn, world)); // one at a time: no contention between runs
      const m: BundleMeasurement = {
        fn,
        zippedBytes: statSync(zip).size,
        unzippedBytes: files.reduce((s, f) => s + statSync(f).size, 0),
        files: files.length,
        importMs: spread(samples.map((s) => s.importMs)),
        firstCallMs: spread(samples.map((s) => s.firstCallMs)),
        initMs: spread(samples.map((s) => s.importMs + s.firstCallMs)),
        emptyNodeWallMs: spread(samples.map((s) => s.emptyWallMs)),
        bundleWallMs: spread(samples.map((s) => s.bundleWallMs)),
        overEmptyMs: spread(samples.map((s) => s.bundleWallMs - s.emptyWallMs)),
        overEmptyRatio: spread(samples.map((s) => ratio(s.bundleWallMs, s.emptyWallMs))),
      };
      results.push(m);

      const target = BUNDLE_TARGETS[fn];
      const sizeOk = m.zippedBytes <= target.zippedBytes;
      const initOk = target.initMs === undefined || m.initMs.median <= target.initMs;
      log(
        `  ${fn.padEnd(7)} ${(m.zippedBytes / MB).toFixed(2)} MB zipped (≤ ${target.zippedBytes / MB} MB ${sizeOk ? '✓' : '✗'}), ` +
          `${(m.unzippedBytes / MB).toFixed(2)} MB unzipped in ${m.files} file(s)`,
      );
      log(
        `          init ${fmt(m.initMs)}` + (target.initMs === undefined ? '' : ` (median ≤ ${target.initMs} ms ${initOk ? '✓' : '✗'})`) +
          ` = import ${fmt(m.importMs)} + first call ${fmt(m.firstCallMs)}`,
      );
      log(
        `          wall: empty node ${fmt(m.emptyNodeWallMs)}, with the bundle ${fmt(m.bundleWallMs)}; ` +
          `over empty +(${fmt(m.overEmptyMs)}), ${fmtSpread(m.overEmptyRatio, fmtRatio)}`,
      );
    }
  } finally {
    await world.aws.close();
    await world.slack.close();
  }
  return results;
}

// `node dist/bench/bundles.js [runs]` measures on its own.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runs = process.argv[2] ? Number(process.argv[2]) : undefined;
  measureBundles(runs ? { runs } : {}).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
