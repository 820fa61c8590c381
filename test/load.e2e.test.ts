// Incident-day load against doubles that enforce the real limits (CloudTrail LookupEvents
// 2/s per account × Region; Slack ~1 message/s per channel): whybot must stay under them
// instead of being throttled, and nobody's question may be lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { createLogger } from '../src/logger.js';
import { dbDown } from '../src/playbooks/db-down/index.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { awsWorld, BOT_TOKEN, post, signedHeaders, SIGNING_SECRET, slashCommandBody, testConfig } from './helpers/harness.js';

let aws: AwsDouble;
let region: string;
beforeAll(async () => {
  ({ aws } = await awsWorld('incident-003'));
  region = process.env.AWS_REGION!;
});
afterAll(async () => {
  await aws.close();
});

const throttled = () => aws.calls.filter((c) => c.error === 'ThrottlingException' || c.error === 'Throttling');
const lookups = () => aws.calls.filter((c) => c.operation === 'LookupEvents');

describe('AWS quotas under concurrent investigations', () => {
  it('20 investigations at once, none sharing reads: (almost) no throttles, every rotation history read', { timeout: 90_000 }, async () => {
    aws.reset();
    // The SDK's retries as in production. The limiter leaves 111 ms between a token and the wire
    // (aws/limits.ts LOOKUP_MARGIN); a machine starved of CPU can exceed that once or twice and
    // land a third call in one second. A limiter keyed wrongly (per client set) throttles ~18.
    const sets = Array.from({ length: 20 }, () => new AwsClients({ region, maxAttempts: 3 }));
    try {
      const results = await Promise.all(
        sets.map((clients) => dbDown.run(clients, { target: 'prod-db', region, hours: 24 }, { timeoutMs: 60_000 })),
      );
      expect(throttled().length).toBeLessThanOrEqual(2);
      expect(lookups().length).toBeGreaterThanOrEqual(20);
      for (const r of results) {
        expect(r.checks.find((c) => c.id === 'rotation-history')?.status).toBe('ok');
        expect(r.findings[0]?.id).toBe('stale-credentials');
      }
    } finally {
      for (const s of sets) s.destroy();
    }
  });
});

describe('100 people typing at once through the bot', () => {
  let slack: SlackDouble;
  let bot: RunningBot;
  beforeAll(async () => {
    slack = await startSlackDouble({ botToken: BOT_TOKEN });
    const config = testConfig({ SLACK_API_URL: slack.url, AWS_REGION: region });
    bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, createLogger('silent'));
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });

  it('every ack is 200 and says where the answer is; one thread per channel; 0 throttles at AWS or Slack', { timeout: 120_000 }, async () => {
    aws.reset();
    const channels = ['C0A', 'C0B', 'C0C', 'C0D', 'C0E'];
    const url = `http://127.0.0.1:${bot.port}/slack/events`;
    const acks = await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const channel = channels[i % channels.length]!;
        const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl(`r${i}`, { channel, user: `U0P${i}` }), {
          channel_id: channel,
          user_id: `U0P${i}`,
        });
        return post(url, body, signedHeaders(body));
      }),
    );
    expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));
    // the first in each channel starts; the other 19 join it and are told so at once
    const joined = acks.filter((a) => /asked the same/.test(a.text));
    expect(joined).toHaveLength(95);

    await bot.jobs.idle();
    for (const channel of channels) {
      const roots = slack.channelMessages(channel).filter((m) => !m.threadTs);
      expect(roots).toHaveLength(1);
      expect(roots[0]!.text).toMatch(/^CRITICAL: Likely cause: secret rds!cluster-/);
      expect(slack.thread(channel, roots[0]!.ts).length).toBeGreaterThan(1);
    }
    expect(throttled()).toEqual([]);
    expect(slack.rateLimited).toEqual([]);
    // the five investigations ran together: their identical reads were one AWS call each
    expect(lookups().length).toBeLessThanOrEqual(2);
  });
});
