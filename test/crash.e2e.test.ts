// The crash matrix: the real `npm start` process (dist/entry/start.js) is SIGKILLed at each
// step of a remediation and of an investigation, then a new process starts on the same store.
// Whatever the step: exactly one AWS write, a complete audit trail, a thread that ends ✅ or
// "interrupted" with a Retry button that works, never a button stuck at "redeploying…".
// Both stores: a SQLite file, and DynamoDB (dynalite). Loopback only; every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Failpoint } from '../src/engine/failpoints.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { createDynamoStore, ensureTable } from '../src/store/dynamodb.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { AuditRecord, Store } from '../src/store/types.js';
import { buttonsIn, clickBody, submitBody, type ButtonRef } from './helpers/buttons.js';
import { awsWorld, BOT_TOKEN, post, SIGNING_SECRET, signedHeaders, slashCommandBody } from './helpers/harness.js';

const CHANNEL = 'C0ONCALL';
const ACTION_SECRET = 'crash-action-secret-0123456789abcdef-0123456789';
const START = path.resolve('dist/entry/start.js');

let slack: SlackDouble;
let dynaliteServer: ReturnType<typeof dynalite> | undefined;
let dynamoEndpoint = '';

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
  dynaliteServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynaliteServer!.listen(0, '127.0.0.1', () => resolve()));
  dynamoEndpoint = `http://127.0.0.1:${(dynaliteServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await slack.close();
  await new Promise<void>((resolve) => (dynaliteServer ? dynaliteServer.close(() => resolve()) : resolve()));
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Backend {
  name: string;
  env: Record<string, string>;
  store(): Store;
}

function sqlite(dir: string): Backend {
  const file = path.join(dir, 'whybot.sqlite');
  return { name: 'sqlite', env: { WHYBOT_DB_PATH: file }, store: () => openSqliteStore(file) };
}

let tables = 0;
async function dynamo(): Promise<Backend> {
  const table = `whybot-crash-${process.pid}-${++tables}`;
  const client = () => new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'ap-northeast-1' });
  const c = client();
  await ensureTable(c, table);
  c.destroy();
  return {
    name: 'dynamodb',
    env: { WHYBOT_TABLE: table, AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint },
    store: () => createDynamoStore({ table, client: client(), destroyClientOnClose: true }),
  };
}

/** One `npm start` process; `exited` settles when it is gone (killed or not). */
class Bot {
  readonly exited: Promise<number | null>;
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(env: Record<string, string>): Promise<Bot> {
    const port = await freePort();
    const child = spawn(process.execPath, [START], {
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const bot = new Bot(child, `http://127.0.0.1:${port}/slack/events`);
    await until(`whybot listening on ${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`whybot exited ${child.exitCode}: ${stderr}`);
      return fetch(bot.url, { method: 'POST', body: '' }).then(
        () => true,
        () => undefined,
      );
    });
    return bot;
  }

  async send(body: string) {
    return post(this.url, body, signedHeaders(body));
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

interface World {
  aws: AwsDouble;
  backend: Backend;
  env: Record<string, string>;
}

async function world(backend: Backend): Promise<World> {
  const { aws } = await awsWorld('incident-003');
  return {
    aws,
    backend,
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'ap-northeast-1',
      WHYBOT_ACTION_SECRET: ACTION_SECRET,
      WHYBOT_RESPONDERS: 'U0ALICE',
      WHYBOT_LOG_LEVEL: 'silent',
      WHYBOT_PROGRESS_INTERVAL_MS: '50',
      WHYBOT_VERIFY_INTERVAL_MS: '50',
      WHYBOT_VERIFY_TIMEOUT_MS: '8000',
      WHYBOT_HEARTBEAT_TTL_SECONDS: '1',
      ...backend.env,
    },
  };
}

const roots = () => slack.channelMessages(CHANNEL).filter((m) => !m.threadTs);
const threadText = (rootTs: string) => slack.thread(CHANNEL, rootTs).map((m) => JSON.stringify(m.blocks ?? []) + (m.text ?? '')).join('\n');
const writes = (w: World) => w.aws.calls.filter((c) => c.operation === 'UpdateService' && c.status === 200);

/** /why-db-down prod-db through `bot`; the thread root once its verdict is in. */
async function investigate(bot: Bot): Promise<string> {
  await bot.send(slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl(`cmd-${Date.now()}`, { channel: CHANNEL, user: 'U0ALICE' })));
  return until('the verdict thread', () => {
    const root = roots().at(-1);
    return root && /Likely cause/.test(root.text ?? '') && buttonsIn(slack, CHANNEL, root.ts).length > 0 ? root.ts : undefined;
  });
}

/** Clicks a button and confirms its modal, as Slack sends both. */
async function clickAndConfirm(bot: Bot, button: ButtonRef): Promise<void> {
  const before = slack.views.length;
  await bot.send(clickBody(slack, CHANNEL, button, 'U0ALICE'));
  const view = await until('the confirmation modal', () => (slack.views.length > before ? (slack.views.at(-1)!.view as { private_metadata: string }) : undefined));
  await bot.send(submitBody('U0ALICE', view.private_metadata));
}

async function auditOf(backend: Backend): Promise<AuditRecord[]> {
  const store = backend.store();
  try {
    return await store.queryAudit({ since: new Date(Date.now() - 600_000) });
  } finally {
    await store.close();
  }
}

let dir = '';
const running: Bot[] = [];
afterEach(async () => {
  for (const b of running.splice(0)) await b.kill();
  slack.reset();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function backendFor(name: string): Promise<Backend> {
  dir = mkdtempSync(path.join(tmpdir(), 'whybot-crash-'));
  return name === 'sqlite' ? sqlite(dir) : dynamo();
}

async function started(env: Record<string, string>): Promise<Bot> {
  const bot = await Bot.start(env);
  running.push(bot);
  return bot;
}

/** Where the first process dies, and what the thread must end with after the second runs. */
const REMEDIATION_STEPS: { failpoint: Failpoint; ends: RegExp; ran: boolean }[] = [
  { failpoint: 'write:intended', ends: /interrupted/, ran: false },
  { failpoint: 'write:claimed', ends: /interrupted/, ran: false },
  { failpoint: 'write:done-unrecorded', ends: /Redeploy api: verified/, ran: true },
  { failpoint: 'write:verifying', ends: /Redeploy api: verified/, ran: true },
];

describe.each(['sqlite', 'dynamodb'])('crash matrix on %s', (storeName) => {
  it.each(REMEDIATION_STEPS)('SIGKILL at $failpoint: one write, a complete audit, a thread that ends', async ({ failpoint, ends, ran }) => {
    const w = await world(await backendFor(storeName));
    try {
      const first = await started({ ...w.env, WHYBOT_FAILPOINT: failpoint });
      const rootTs = await investigate(first);
      const redeploy = buttonsIn(slack, CHANNEL, rootTs).find((b) => b.actionId.startsWith('remediate:ecs-redeploy:'))!;
      await clickAndConfirm(first, redeploy);
      expect(await first.exited).toBeNull(); // killed, not exited

      await started(w.env);
      await until(`the thread ends after ${failpoint}`, () => ends.test(threadText(rootTs)) || undefined);
      expect(writes(w)).toHaveLength(ran ? 1 : 0);
      const audit = await until('the audit trail', async () => {
        const a = await auditOf(w.backend);
        return a.some((r) => ['verified', 'interrupted', 'verify-failed'].includes(r.outcome)) ? a : undefined;
      });
      const outcomes = audit.map((r) => r.outcome);
      if (ran) expect(outcomes).toEqual(expect.arrayContaining(['ran', 'verified']));
      else expect(outcomes).toContain('interrupted');
      expect(threadText(rootTs)).not.toMatch(/is redeploying…[^]*$/); // no button left "running"

      if (!ran) {
        // The Retry button works again, and runs the write once.
        const retry = await until('a Retry button', () => buttonsIn(slack, CHANNEL, rootTs).find((b) => b.actionId === 'remediate:ecs-redeploy'));
        await clickAndConfirm(running.at(-1)!, retry);
        await until('the retried redeploy is verified', () => /Redeploy api: verified/.test(threadText(rootTs)) || undefined);
        expect(writes(w)).toHaveLength(1);
      }
    } finally {
      await w.aws.close();
    }
  }, 90_000);

  it('SIGKILL while UpdateService is in flight: the write is found at AWS, verified, never repeated', async () => {
    const w = await world(await backendFor(storeName));
    try {
      const first = await started(w.env);
      const rootTs = await investigate(first);
      const redeploy = buttonsIn(slack, CHANNEL, rootTs).find((b) => b.actionId.startsWith('remediate:ecs-redeploy:'))!;
      w.aws.inject({ service: 'ecs', operation: 'UpdateService', kind: 'Delay', delayMs: 800, times: 1 });
      await clickAndConfirm(first, redeploy);
      await until('UpdateService reaching AWS', () => w.aws.calls.some((c) => c.operation === 'UpdateService') || undefined);
      await first.kill();

      await started(w.env);
      await until('the thread ends', () => /Redeploy api: verified/.test(threadText(rootTs)) || undefined);
      expect(threadText(rootTs)).toMatch(/confirmed after whybot restarted/);
      expect(writes(w)).toHaveLength(1);
      const outcomes = (await auditOf(w.backend)).map((r) => r.outcome);
      expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
      expect(outcomes).toContain('verified');
    } finally {
      await w.aws.close();
    }
  }, 90_000);

  it('SIGKILL after the thread root is posted: the next process finishes the same thread', async () => {
    const w = await world(await backendFor(storeName));
    try {
      const first = await started({ ...w.env, WHYBOT_FAILPOINT: 'investigation:root-posted' });
      await first.send(slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('cmd', { channel: CHANNEL, user: 'U0ALICE' })));
      expect(await first.exited).toBeNull();
      expect(roots()).toHaveLength(1);
      expect(roots()[0]!.text).not.toMatch(/Likely cause/);

      await started(w.env);
      await until('the verdict in the same root', () => /Likely cause/.test(roots()[0]?.text ?? '') || undefined);
      expect(roots()).toHaveLength(1);
      await until('the thread', () => buttonsIn(slack, CHANNEL, roots()[0]!.ts).length > 0 || undefined);
    } finally {
      await w.aws.close();
    }
  }, 60_000);
});
