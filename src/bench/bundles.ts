// Lambda bundles: zipped size (what Lambda downloads: osls's .serverless/<fn>.zip) and
// module-init time of .build/<fn>/index.mjs, a proxy for the cold start's init phase. Each
// run imports the bundle in a fresh `node` process and reports the time around `await
// import()` alone (process start-up excluded); the median of several runs is compared with
// the targets of issue 5. The handlers' own first-call work (SSM secrets, clients) is not
// part of it: it needs AWS.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BUNDLE_FUNCTIONS = ['slack', 'worker', 'alerts'] as const;
const MB = 1024 * 1024;
/** slack must fit Slack's 3 s budget with room for the ack itself */
export const BUNDLE_TARGETS: Record<(typeof BUNDLE_FUNCTIONS)[number], { zippedBytes: number; initMs?: number }> = {
  slack: { zippedBytes: 1 * MB, initMs: 250 },
  worker: { zippedBytes: 5 * MB },
  alerts: { zippedBytes: 5 * MB },
};

export interface BundleMeasureOptions {
  /** repository root (default: two levels above this file, from src/bench or dist/bench) */
  root?: string;
  /** imports per bundle (default 7) */
  runs?: number;
  /** run `node scripts/package.mjs --if-stale --skip-build` first (default true) */
  ensurePackaged?: boolean;
  log?: (line: string) => void;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// The child: time around the import only, printed as JSON on stdout.
const CHILD = `const t0 = performance.now(); await import(process.env.WHYBOT_BUNDLE_URL); const t1 = performance.now(); process.stdout.write(JSON.stringify({ initMs: t1 - t0 }));`;

async function initOnce(root: string, bundle: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: root,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      WHYBOT_BUNDLE_URL: pathToFileURL(bundle).href,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      NODE_ENV: 'production',
    },
  });
  const parsed: unknown = JSON.parse(stdout);
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as { initMs?: unknown }).initMs !== 'number') throw new Error(`unexpected output from ${bundle}: ${stdout}`);
  return (parsed as { initMs: number }).initMs;
}

export async function measureBundles(opts: BundleMeasureOptions = {}): Promise<Array<{ fn: string; zippedBytes: number; initMsMedian: number }>> {
  const root = opts.root ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const runs = opts.runs ?? 7;
  const log = opts.log ?? ((line: string) => console.log(line));
  if (opts.ensurePackaged ?? true) {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--if-stale', '--skip-build'], { cwd: root, stdio: 'ignore', timeout: 300_000 });
  }

  const results: Array<{ fn: string; zippedBytes: number; initMsMedian: number }> = [];
  log(`Lambda bundles (zipped: .serverless/<fn>.zip; init: median of ${runs} fresh imports of .build/<fn>/index.mjs)`);
  for (const fn of BUNDLE_FUNCTIONS) {
    const zip = path.join(root, '.serverless', `${fn}.zip`);
    const bundle = path.join(root, '.build', fn, 'index.mjs');
    for (const p of [zip, bundle]) if (!existsSync(p)) throw new Error(`${path.relative(root, p)} is missing: run \`node scripts/package.mjs\` first`);
    const zippedBytes = statSync(zip).size;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await initOnce(root, bundle)); // one at a time: no contention between runs
    const initMsMedian = median(times);
    results.push({ fn, zippedBytes, initMsMedian });

    const target = BUNDLE_TARGETS[fn];
    const sizeOk = zippedBytes <= target.zippedBytes;
    const initOk = target.initMs === undefined || initMsMedian <= target.initMs;
    const min = Math.min(...times);
    const max = Math.max(...times);
    log(
      `  ${fn.padEnd(7)} ${(zippedBytes / MB).toFixed(2)} MB zipped (≤ ${target.zippedBytes / MB} MB ${sizeOk ? '✓' : '✗'}), ` +
        `${(statSync(bundle).size / MB).toFixed(2)} MB unzipped; init ${initMsMedian.toFixed(1)} ms (${min.toFixed(0)}–${max.toFixed(0)})` +
        (target.initMs === undefined ? '' : ` (≤ ${target.initMs} ms ${initOk ? '✓' : '✗'})`),
    );
  }
  return results;
}

// `node dist/bench/bundles.js` measures on its own.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  measureBundles().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
