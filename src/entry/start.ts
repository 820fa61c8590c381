#!/usr/bin/env node
// `npm start`: Socket Mode with SLACK_BOT_TOKEN + SLACK_APP_TOKEN; HTTP at POST
// /slack/events with SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET + PORT; otherwise a plain
// explanation of what is missing, exit 2.
import { loadConfig, slackMode } from '../config.js';
import { createLogger } from '../logger.js';
import { startBot } from './bot.js';

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

async function main(): Promise<number> {
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
  const log = createLogger(config.logLevel);
  const bot = await startBot(config, mode, log);
  log.info({ mode: mode.kind, port: bot.port }, mode.kind === 'http' ? `listening on :${bot.port} POST /slack/events` : 'connected in Socket Mode');
  const shutdown = () => {
    log.info('stopping');
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`whybot: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
