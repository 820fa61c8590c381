#!/usr/bin/env node
// `npm start`: Socket Mode with SLACK_BOT_TOKEN + SLACK_APP_TOKEN; HTTP at POST
// /slack/events with SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET + PORT. With no Slack variable at
// all (or WHYBOT_SANDBOX=1): the sandbox, whybot in a browser on http://127.0.0.1:PORT (3000)
// over the in-process Slack and AWS doubles (src/sandbox/app). With some but not enough: a
// plain explanation of what is missing, exit 2.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadConfig, slackMode } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import type { Sandbox } from '../sandbox/app/server.js';
import { startBot, type RunningBot } from './bot.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HOW_TO = `How to get them:
  1. https://api.slack.com/apps → Create New App → From an app manifest → paste
     manifests/slack-app.yaml (Socket Mode) or manifests/slack-app-http.yaml (HTTP).
  2. Install it to your workspace; copy the Bot User OAuth Token (xoxb-…) → SLACK_BOT_TOKEN.
  3. Socket Mode: Basic Information → App-Level Tokens → generate one with connections:write
     (xapp-…) → SLACK_APP_TOKEN.
     HTTP: Basic Information → Signing Secret → SLACK_SIGNING_SECRET, and set PORT.
  4. AWS: the standard credential chain (AWS_PROFILE, aws sso login, …) and AWS_REGION.
See README.md, "Create the Slack app".`;

/** After an uncaught error the process exits within this, stopped or not. */
export const CRASH_EXIT_MS = 3000;
/** Exit code after an uncaught error: the supervisor restarts (1 = internal error, as in the CLI). */
export const CRASH_EXIT_CODE = 1;

type CrashKind = 'uncaughtException' | 'unhandledRejection';

/** Name, message and the top of the stack: never the error's own fields (a request, a config). */
function describeError(err: unknown): { name: string; message: string; stack?: string } {
  if (err instanceof Error)
    return { name: err.name, message: err.message.slice(0, 500), ...(err.stack ? { stack: err.stack.split('\n').slice(0, 8).join('\n') } : {}) };
  return { name: typeof err, message: typeof err === 'string' ? err.slice(0, 500) : 'a non-Error value was thrown' };
}

/**
 * An uncaught exception or unhandled rejection leaves the process in an unknown state: log it
 * (through the logger, so redacted; without a logger yet, one line on stderr), stop taking work
 * (the receiver closes first in stop()), and exit non-zero within CRASH_EXIT_MS for the
 * supervisor to restart. A second error while stopping changes nothing.
 */
export function installCrashHandlers(deps: { log: () => Logger | undefined; stop: () => Promise<void> | undefined; exit?: (code: number) => void }): void {
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  let crashing = false;
  const crash = (kind: CrashKind, err: unknown) => {
    if (crashing) return;
    crashing = true;
    process.exitCode = CRASH_EXIT_CODE;
    const what = describeError(err);
    const log = deps.log();
    try {
      if (log) log.fatal({ kind, err: what }, `whybot: ${kind}; stopping and exiting for the supervisor`);
      else process.stderr.write(`whybot: ${kind}: ${what.name}: ${what.message}\n`);
    } catch {
      // logging must not keep the process alive
    }
    const timer = setTimeout(() => exit(CRASH_EXIT_CODE), CRASH_EXIT_MS);
    let stopping: Promise<void> | undefined;
    try {
      stopping = deps.stop();
    } catch {
      stopping = undefined;
    }
    Promise.resolve(stopping)
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        exit(CRASH_EXIT_CODE);
      });
  };
  process.on('uncaughtException', (err) => crash('uncaughtException', err));
  process.on('unhandledRejection', (reason) => crash('unhandledRejection', reason));
}

let log: Logger | undefined;
let bot: RunningBot | undefined;
let sandbox: Sandbox | undefined;

const SLACK_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'] as const;

/** No Slack variable set at all, or WHYBOT_SANDBOX=1: the sandbox instead of Slack. */
export function wantsSandbox(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.WHYBOT_SANDBOX === '1' || SLACK_VARIABLES.every((k) => !env[k]);
}

async function runSandbox(): Promise<number> {
  const { startSandbox } = await import('../sandbox/app/server.js');
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 3000 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`whybot: PORT must be a port number, not ${JSON.stringify(process.env.PORT)}\n`);
    return 2;
  }
  try {
    sandbox = await startSandbox({ port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`whybot: port ${port} on 127.0.0.1 is in use; set PORT to another one, e.g. PORT=3001 npm start\n`);
      return 2;
    }
    throw err;
  }
  const running = sandbox;
  const seconds = process.uptime().toFixed(1);
  process.stdout.write(`whybot sandbox (no Slack, no AWS; ready in ${seconds} s): ${running.url}\n`);
  exitOnSignal(() => running.close());
  return 0;
}

/** SIGINT/SIGTERM: stop (within the bot's own 10 s), then exit 0, or 1 if stopping failed. */
function exitOnSignal(stop: () => Promise<void>): void {
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function main(): Promise<number> {
  if (wantsSandbox()) return runSandbox();
  const loaded = loadConfig();
  if (!loaded.ok) {
    process.stderr.write(`whybot: bad environment:\n  ${loaded.problems.join('\n  ')}\n`);
    return 2;
  }
  const config = loaded.config;
  const mode = slackMode(config);
  if (mode.kind === 'none') {
    process.stderr.write(`whybot: cannot connect to Slack. Missing: ${mode.missing.join('; ')}.\n\n${HOW_TO}\n\nWithout Slack, the CLI works: npx whybot db-down <db>\n`);
    return 2;
  }
  if (!config.actionSecret) {
    process.stderr.write(
      'whybot: WHYBOT_ACTION_SECRET is not set. It signs the remediation buttons (at least 32 bytes):\n' +
        '  export WHYBOT_ACTION_SECRET=$(openssl rand -hex 32)\n',
    );
    return 2;
  }
  if (config.responders.default.length === 0 && Object.keys(config.responders.perAction).length === 0)
    process.stderr.write('whybot: WHYBOT_RESPONDERS is empty: nobody can run remediation buttons (Show CLI commands still works).\n');
  if (!config.region) process.stderr.write('whybot: AWS_REGION is not set; users will have to pass --region.\n');
  log = createLogger(config.logLevel);
  bot = await startBot(config, mode, log);
  const running = bot;
  log.info({ mode: mode.kind, port: bot.port }, mode.kind === 'http' ? `listening on :${bot.port} POST /slack/events` : 'connected in Socket Mode');
  exitOnSignal(() => {
    log?.info('stopping');
    return running.stop();
  });
  return 0;
}

/** Run as a program (npm start), not when a test imports installCrashHandlers. */
const isMain = (() => {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
})();

if (isMain) {
  installCrashHandlers({ log: () => log, stop: () => bot?.stop() ?? sandbox?.close() });
  main().then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`whybot: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
