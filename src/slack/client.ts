// The one way whybot makes a Slack Web API client outside Bolt: every client gets the same
// options as the Bolt app's own (slackClientOptions: the API URL, the retry policy for 429
// and 5xx, per-channel pacing and redaction in its fetch), so no process or thread talks to
// Slack with a client that gives up on the first 429 or skips the channel's schedule.
import { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import { slackClientOptions } from './client-options.js';

export function slackClient(config: Pick<Config, 'slack' | 'slackChannelRate'>, token: string | undefined = config.slack.botToken): WebClient {
  return new WebClient(token, slackClientOptions(config));
}
