// Child processes of the bench: the real bot (`node dist/entry/start.js`, what `npm start`
// runs), the bare node:http baseline, and anything else it starts. Every child is tracked
// and killed when the bench ends, however it ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is dist/bench/children.js or src/bench/children.ts). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The CLI artifact, as package.json's "bin" names it (what `npx whybot` runs). dist/ is shared
 * with whoever else builds in this work tree: a missing artifact is waited for (a build in
 * progress) for up to `waitMs` before giving up.
 */
export async function cliPath(waitMs = 60_000): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.whybot;
    if (!bin) throw new Error('package.json has no "bin" for whybot');
    const file = path.join(ROOT, bin);
    if (existsSync(file)) return file;
    if (Date.now() >= deadline) throw new Error(`the CLI artifact ${bin} (package.json "bin") does not exist: run npm run build`);
    await sleep(500);
  }
}

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });

export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Ends a child: SIGTERM, then SIGKILL if it is still there after `graceMs` (the bot drains its queue for up to 30 s on SIGTERM; the bench does not wait for that). */
export async function stopChild(child: ChildProcess, graceMs = 1500): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port that was free a moment ago, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Peak resident set (VmHWM) of a process, in bytes, from /proc; NaN where there is no /proc. */
export function peakRss(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Waits until something accepts HTTP on the port (any status), at most `timeoutMs`. */
async function waitForHttp(url: string, child: ChildProcess, stderr: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`child exited with ${child.exitCode} before listening: ${stderr().slice(-2000)}`);
    try {
      const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`nothing listened at ${url} within ${timeoutMs} ms: ${stderr().slice(-2000)}`);
}

export interface ServerChild {
  child: ChildProcess;
  pid: number;
  url: string;
  stderr(): string;
  stop(): Promise<void>;
}

async function startServerChild(args: string[], env: NodeJS.ProcessEnv, port: number, pathName: string): Promise<ServerChild> {
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    if (err.length < 100_000) err += chunk;
  });
  const url = `http://127.0.0.1:${port}${pathName}`;
  try {
    await waitForHttp(url, child, () => err);
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return { child, pid: child.pid!, url, stderr: () => err, stop: () => stopChild(child) };
}

/** What the bot child needs to reach the doubles (which run in the bench process). */
export interface BotEnv {
  slackApiUrl: string;
  awsUrl: string;
  region: string;
  signingSecret: string;
  botToken: string;
  dbPath: string;
  extra?: Record<string, string>;
  /** node flags before the script (e.g. --cpu-prof when looking into a figure) */
  nodeArgs?: string[];
}

/** `npm start` as a child process: node dist/entry/start.js in HTTP mode. */
export async function startBotChild(opts: BotEnv): Promise<ServerChild> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    SLACK_BOT_TOKEN: opts.botToken,
    SLACK_SIGNING_SECRET: opts.signingSecret,
    PORT: String(port),
    SLACK_API_URL: opts.slackApiUrl,
    AWS_ENDPOINT_URL: opts.awsUrl,
    AWS_REGION: opts.region,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    WHYBOT_DB_PATH: opts.dbPath,
    WHYBOT_LOG_LEVEL: 'silent',
    WHYBOT_ACTION_SECRET: 'bench-action-secret-0123456789abcdef-0123',
    WHYBOT_RESPONDERS: 'U0BENCH',
    ...opts.extra,
  };
  return startServerChild([...(opts.nodeArgs ?? []), path.join(ROOT, 'dist', 'entry', 'start.js')], env, port, '/slack/events');
}

const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(''); });
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

/** The baseline: a bare node:http server that reads the body and answers 200. */
export async function startBareChild(): Promise<ServerChild> {
  const port = await freePort();
  return startServerChild(['-e', BARE_SERVER], { PATH: process.env.PATH, PORT: String(port) }, port, '/slack/events');
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** spawn → exit, ms */
  wallMs: number;
}

/** Runs `node args…` to completion (killed after `timeoutMs`), timing spawn → exit. */
export async function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunResult> {
  const t0 = performance.now();
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let wallMs = Number.NaN;
  child.once('exit', () => (wallMs = performance.now() - t0));
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr, wallMs };
}
