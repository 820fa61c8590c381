// `whybot watch [--once]`: rotation alerts from CloudTrail, for setups without EventBridge.
import { parseArgs } from 'node:util';
import { pollOnce, startWatch } from '../alerts/watch.js';
import { slackResultPoster } from '../slack/alert-result.js';
import { watchDeps } from '../alerts/wiring.js';
import type { Config } from '../config.js';
import { newBootId } from '../engine/liveness.js';
import { useRateGate } from '../platform/rate-gate.js';
import { learnOwnAccount } from '../aws/own-account.js';
import { createLogger } from '../logger.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { slackClient } from '../slack/client.js';
import { slackWriteReporter } from '../slack/write-report.js';
import { openConfiguredStore } from '../store/index.js';
import { loggedRateGateEvents, storeRateGate } from '../store/rate-gate.js';

export type WatchArgs = { ok: true; once: boolean } | { ok: false; message: string };

export function parseWatchArgs(args: string[]): WatchArgs {
  try {
    const { values } = parseArgs({ args, strict: true, options: { once: { type: 'boolean', default: false } } });
    return { ok: true, once: values.once ?? false };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message.split('.')[0]! : String(err) };
  }
}

/** Returns a problem to report (exit 2), or runs until SIGINT/SIGTERM (or one poll with --once). */
export async function runWatch(config: Config, once: boolean): Promise<string | undefined> {
  const missing = [
    !config.slack.botToken && 'SLACK_BOT_TOKEN',
    !config.alerts.channel && 'WHYBOT_ALERT_CHANNEL (a channel id, C…)',
    !config.region && 'AWS_REGION',
  ].filter(Boolean);
  if (missing.length) return `whybot watch needs ${missing.join(', ')}.`;
  const region = config.region!;
  const log = createLogger(config.logLevel, { component: 'watch' });
  const client = slackClient(config);
  const store = openConfiguredStore({ ...config, region });
  useRateGate(storeRateGate(store, loggedRateGateEvents(log)));
  await learnOwnAccount({ region, ...(config.profile ? { profile: config.profile } : {}) });
  const signer = config.actionSecret ? new ActionSigner(config.actionSecret) : undefined;
  const deps = watchDeps(config, region, { client, store, log, owner: newBootId(), reportWrite: slackWriteReporter({ client, store, config }), postResult: slackResultPoster({ client, config, ...(signer ? { signer } : {}) }), ...(signer ? { signer } : {}) });
  const aws = deps.aws;
  try {
    if (once) {
      const r = await pollOnce(deps);
      process.stdout.write(`Looked at ${r.since.toISOString()} → ${r.until.toISOString()}: ${r.seen} rotation events, ${r.handled} handled.\n`);
      return undefined;
    }
    const watcher = startWatch(deps, config.alerts.watchIntervalMs);
    process.stderr.write(`whybot: watching Secrets Manager rotations in ${region} every ${config.alerts.watchIntervalMs / 1000} s; Ctrl-C stops.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await watcher.stop();
    return undefined;
  } finally {
    aws.destroy();
    await store.close();
  }
}
