// Where alerts come from without EventBridge: the CloudTrail watcher, wired the same way for
// `npm start` (in a job thread) and `whybot watch`.
import type { webApi } from '@slack/bolt';
import { readerAws, writerAws } from '../aws/for-config.js';
import type { Config } from '../config.js';
import type { WriteReporter } from '../engine/execute-once.js';
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
}

export function watchDeps(config: Config, region: string, w: AlertWiring): WatchDeps {
  const awsFor = readerAws(config);
  const alertDeps = { ...w, awsFor, writerFor: writerAws(config), config };
  return {
    aws: awsFor(region),
    store: w.store,
    region,
    log: w.log.child({ component: 'watch' }),
    onEvent: (e) => handleRotationEvent(e, alertDeps),
    afterPoll: async (now) => (digestDue(now, config.alerts.digestHourUtc) ? postDigest(region, alertDeps, now) : undefined),
  };
}
