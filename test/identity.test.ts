// The bot's identity is asked of Slack once per token and kept in the store, so the Lambda
// Slack function's next cold starts skip auth.test inside their 3 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { cachedBotIdentity } from '../src/slack/identity.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { BOT_TOKEN, testConfig } from './helpers/harness.js';

let slack: SlackDouble;
let dir = '';
beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
  dir = mkdtempSync(path.join(tmpdir(), 'whybot-identity-'));
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

it('asks auth.test once, then every later cold start reads the store', async () => {
  const config = testConfig({ SLACK_API_URL: slack.url });
  const file = path.join(dir, 'store.sqlite');
  const first = openSqliteStore(file);
  const identity = await cachedBotIdentity(first, BOT_TOKEN, config);
  expect(identity).toMatchObject({ botId: expect.stringMatching(/^B/), botUserId: expect.stringMatching(/^U/) });
  await first.close();
  const second = openSqliteStore(file); // the next container
  expect(await cachedBotIdentity(second, BOT_TOKEN, config)).toEqual(identity);
  await second.close();
  expect(slack.calls.filter((c) => c.method === 'auth.test')).toHaveLength(1);
});
