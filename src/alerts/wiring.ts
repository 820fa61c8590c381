// Where alerts come from without EventBridge: the CloudTrail watcher, wired the same way for
// `npm start` (in a job thread) and `whybot watch`.
import type { webApi } from '@slack/bolt';
import { readerAws, writerAws } from '../aws/for-config.js';
import type { Config } from '../config.js';
import type { VerifyScheduler, WriteReporter } from '../engine/execute-once.js';
import type { Logger } from '../logger.js';
import type { ActionSigner } from '../remediations/signed-value.js';
import type { Store } from '../store/types.js';
import { digestDue, postDigest } from './digest.js';
import { handleRotationEvent } from './handle.js';
import type { ResultPoster } from './rotation-alert.js';
import type { WatchDeps } from './watch.js';

export interface AlertWiring {
  client: webApi.WebClient;
  store: Store;
  log: Logger;
  signer?: ActionSigner;
  /** this process, as owner of what it journals */
  owner: string;
  /** how the auto-redeploys are told in the alert's thread */
  reportWrite: WriteReporter;
  /** how a failed rotation's investigation is posted on its alert */
  postResult: ResultPoster;
  /** on Lambda: a policy redeploy's verification resumes from the verify queue instead of being waited for */
  verifyLater?: VerifyScheduler;
}

/**
 * What an alert needs, however it arrives (EventBridge, the watcher): AWS clients by purpose, so
 * an event from a member account (WHYBOT_ACCOUNTS) is read, and its redeploys written, there.
 */
export function alertDeps(config: Config, w: AlertWiring) {
  return { ...w, awsFor: readerAws(config), writerFor: writerAws(config), config };
}

export function watchDeps(config: Config, region: string, w: AlertWiring): WatchDeps {
  const deps = alertDeps(config, w);
  return {
    aws: deps.awsFor(region),
    store: w.store,
    region,
    log: w.log.child({ component: 'watch' }),
    onEvent: (e) => handleRotationEvent(e, deps),
    afterPoll: async (now) => (digestDue(now, config.alerts.digestHourUtc) ? postDigest(region, deps, now) : undefined),
  };
}
