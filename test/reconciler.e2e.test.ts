// An orphan that stops every process that takes it over (a job that times the worker out, or
// runs it out of memory, each time) is not handed on for ever: after MAX_TAKEOVERS takeovers
// the reconciler closes it and tells whoever asked, in the investigation's thread or through
// the response_url, as the `failures` function does. Counted in the journal, so on both
// stores: a SQLite file (local) and DynamoDB (dynalite, as on AWS). Slack is the double.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_TAKEOVERS, reconcileOnce } from '../src/entry/reconciler.js';
import { createLogger } from '../src/logger.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import type { Job } from '../src/slack/jobs.js';
import { createDynamoStore } from '../src/store/dynamodb.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/types.js';
import { BOT_TOKEN } from './helpers/harness.js';
import { startTable } from './helpers/lambda-harness.js';

const CHANNEL = 'C0ONCALL';
const HOUR = 3_600_000;
const log = createLogger('silent');

let slack: SlackDouble;
let table: { close(): Promise<void> };
let dir: string;

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
  process.env.AWS_REGION ??= 'ap-northeast-1';
  table = await startTable('whybot-reconciler');
  dir = mkdtempSync(path.join(tmpdir(), 'whybot-reconciler-'));
});
afterAll(async () => {
  await slack.close();
  await table.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => slack.reset());

const stores: Record<string, () => Store> = {
  sqlite: () => openSqliteStore(path.join(dir, 'whybot.sqlite')),
  dynamodb: () => createDynamoStore({ table: 'whybot-reconciler', client: new DynamoDBClient({ region: process.env.AWS_REGION! }), destroyClientOnClose: true }),
};

describe.each(Object.keys(stores))('an orphan that stops every process that takes it over (%s)', (name) => {
  const client = () => new WebClient(BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });

  /**
   * Reconciler rounds by successive processes, each an hour after the last: none of them
   * keeps a heartbeat, so each dies with what it took (as a Lambda container stopped at its
   * timeout does). What each round admitted.
   */
  async function rounds(store: Store, n: number): Promise<Job[][]> {
    const admitted: Job[][] = [];
    for (let i = 1; i <= n; i++) {
      const got: Job[] = [];
      await reconcileOnce({ store, owner: `boot-${name}-${i}`, admit: (job) => (got.push(job), { state: 'started' }), log, quietMs: 1000, now: () => Date.now() + i * HOUR, client: client() });
      admitted.push(got);
    }
    return admitted;
  }

  it('an investigation whose root was posted: run three times, then its root says it failed and the thread says why', async () => {
    const store = stores[name]!();
    try {
      const posted = await client().chat.postMessage({ channel: CHANNEL, text: 'Investigating prod-db…', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Checking prod-db: connectivity…' } }] });
      const id = `job-${name}-rooted`;
      const at = new Date().toISOString();
      const body = { kind: 'investigate', playbook: 'db-down', channel: CHANNEL, user: 'U0ALICE', target: 'prod-db', region: 'ap-northeast-1', hours: 24, responseUrl: slack.responseUrl(`${name}-rooted`, { channel: CHANNEL, user: 'U0ALICE' }), journalId: id };
      await store.journalCreate({ id, kind: 'job', body, state: 'open', stage: 'running', facts: { rootChannel: posted.channel!, rootTs: posted.ts! }, owner: `boot-${name}-0`, createdAt: at, updatedAt: at });

      const admitted = await rounds(store, MAX_TAKEOVERS + 2);
      // taken over twice (resuming the same thread), then given up on; the round after finds nothing
      expect(admitted.map((a) => a.length)).toEqual([1, 1, 0, 0]);
      expect(admitted[0]![0]).toMatchObject({ kind: 'investigate', journalId: id, resume: { channel: posted.channel, ts: posted.ts } });
      expect(await store.journalGet(id)).toMatchObject({ state: 'done', stage: 'failed', facts: { takeovers: String(MAX_TAKEOVERS) } });

      const root = slack.channelMessages(CHANNEL).find((m) => m.ts === posted.ts)!;
      const rootText = `${root.text ?? ''} ${JSON.stringify(root.blocks ?? [])}`;
      expect(rootText).toMatch(/investigation \(db-down prod-db\) failed: whybot gave up on it after 3 runs/);
      expect(rootText).not.toMatch(/Checking prod-db/);
      const replies = slack.thread(CHANNEL, posted.ts!).filter((m) => m.ts !== posted.ts);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toMatch(/gave up on it after 3 runs[^]*Nothing more will happen/);
      expect(slack.responses).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('no root yet: told through the response_url; a refused admission (queue full) does not count as a run', async () => {
    const store = stores[name]!();
    try {
      const id = `job-${name}-plain`;
      const at = new Date().toISOString();
      const body = { kind: 'investigate', playbook: 'db-down', channel: CHANNEL, user: 'U0ALICE', target: 'prod-db', region: 'ap-northeast-1', hours: 24, responseUrl: slack.responseUrl(`${name}-plain`, { channel: CHANNEL, user: 'U0ALICE' }), journalId: id };
      await store.journalCreate({ id, kind: 'job', body, state: 'open', stage: 'queued', facts: {}, owner: `boot-${name}-0`, createdAt: at, updatedAt: at });
      // a process whose pool is full gives it back
      await reconcileOnce({ store, owner: `boot-${name}-full`, admit: () => ({ state: 'refused', reason: 'queue full' }), log, quietMs: 1000, now: () => Date.now() + HOUR, client: client() });
      expect((await store.journalGet(id))?.facts.takeovers).toBe('0');

      expect((await rounds(store, MAX_TAKEOVERS + 1)).map((a) => a.length)).toEqual([1, 1, 0]);
      expect(await store.journalGet(id)).toMatchObject({ state: 'done', stage: 'failed' });
      const told = slack.responses.filter((r) => r.id === `${name}-plain` && r.status < 300).map((r) => r.body as { text: string; response_type: string });
      expect(told).toHaveLength(1);
      expect(told[0]).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/investigation \(db-down prod-db\) failed: whybot gave up on it after 3 runs/) });
      expect(slack.channelMessages(CHANNEL)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
