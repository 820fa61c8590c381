// (5) A burst of rotation events as AWS delivers them to the `alerts` Lambda function:
// 1,000 RotationSucceeded events (SECRETS secrets × ROTATIONS distinct rotations each, all
// within a minute) spread over 10 processes (alerts-child.ts: the real handler, one event at a
// time as a Lambda container) sharing one DynamoDB store (dynalite, in the bench process).
// Measured at the Slack double: the most messages (posts + updates) in any 1 s per channel,
// and the time from the first delivery until the last event is reflected (its handler has
// returned and Slack has the last message). Bounded: processes still busy at the cap are
// killed and the figure says how many events were reflected by then.
// Baseline in the same run: the same 10 processes with a burst of events that are not rotation
// events (each a cold-started handler's validate-and-skip), i.e. the cost of delivery itself.
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Scenario } from '../sandbox/scenario.js';
import { ROOT, stopChild, track } from './children.js';
import { BOT_TOKEN, SIGNING_SECRET } from './slack-requests.js';
import { slackMessageStats, startWorld, until, type World } from './world.js';

export const ALERT_CHANNEL = 'C0ALERTS';
export const SECRETS = 50;
export const ROTATIONS = 20;
export const PROCESSES = 10;
const PREFIX = '/whybot/bench';

const secretArn = (s: Scenario, i: number) => `arn:aws:secretsmanager:${s.region}:${s.accountId}:secret:bench-${i}-Ab12C${i % 10}`;

/** incident 003 plus the SECRETS rotating secrets and what the Lambda functions read from SSM. */
export function alertsScenario(s: Scenario): void {
  for (let i = 0; i < SECRETS; i++)
    s.secretsManager.secrets.push({ arn: secretArn(s, i), name: `bench-${i}`, rotationEnabled: true, rotationDays: 30, tags: {} });
  s.ssm = {
    parameters: [
      { name: `${PREFIX}/slack-bot-token`, value: BOT_TOKEN, type: 'SecureString' },
      { name: `${PREFIX}/slack-signing-secret`, value: SIGNING_SECRET, type: 'SecureString' },
      { name: `${PREFIX}/action-secret`, value: 'bench-action-secret-0123456789abcdef-0123456789', type: 'SecureString' },
    ],
  };
}

/** The EventBridge event of one rotation (test/alerts.e2e.test.ts builds them the same way). */
export function rotationEvent(s: Scenario, secret: number, rotation: number, time: Date) {
  const arn = secretArn(s, secret);
  const uuid = `0d5b6f8e-1111-4222-8333-${String(944455556666 + rotation).padStart(12, '0')}`;
  return {
    version: '0', id: `evt-${secret}-${rotation}`, 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager',
    account: s.accountId, time: time.toISOString(), region: s.region, resources: [],
    detail: {
      eventSource: 'secretsmanager.amazonaws.com', eventName: 'RotationSucceeded', eventTime: time.toISOString(), awsRegion: s.region,
      requestParameters: null, responseElements: null, additionalEventData: { SecretId: arn },
      requestID: `Rotation-${arn}-${uuid}`, eventID: `id-${secret}-${rotation}`, eventType: 'AwsServiceEvent',
    },
  };
}

export interface AlertRun {
  events: number;
  processes: number;
  /** events whose handler returned before the cap */
  reflected: number;
  errors: number;
  outcomes: Record<string, number>;
  /** first delivery → last event reflected, ms (NaN when the cap came first) */
  lastReflectedMs: number;
  capMs: number;
  posts: number;
  updates: number;
  maxPerSecPerChannel: number;
  slackRateLimited: number;
  /** events reflected per second until the last one or the cap */
  reflectedPerSec: number;
  /** baseline: the same processes skipping as many non-rotation events */
  baselineMs: number;
  baselinePerSec: number;
}

interface Done {
  type: 'done';
  at: number;
  ok: boolean;
  outcome: string;
}

export interface AlertsWorld {
  world: World;
  dynamoEndpoint: string;
  close(): Promise<void>;
}

export async function startAlertsWorld(): Promise<AlertsWorld> {
  const world = await startWorld(alertsScenario);
  const { default: dynalite } = await import('dynalite');
  const ddb = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => ddb.listen(0, '127.0.0.1', () => resolve()));
  const dynamoEndpoint = `http://127.0.0.1:${(ddb.address() as AddressInfo).port}`;
  return {
    world,
    dynamoEndpoint,
    async close() {
      await new Promise<void>((resolve) => ddb.close(() => resolve()));
      await world.close();
    },
  };
}

async function createTable(endpoint: string, region: string, table: string): Promise<void> {
  const client = new DynamoDBClient({ region, endpoint });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    );
  } finally {
    client.destroy();
  }
}

class Container {
  readonly done: Done[] = [];
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: { type: string }) => {
      if (m.type === 'done') this.done.push(m as Done);
    });
  }

  static async start(env: NodeJS.ProcessEnv): Promise<Container> {
    const child = track(fork(path.join(ROOT, 'dist', 'bench', 'alerts-child.js'), [], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
    child.stderr!.resume();
    const c = new Container(child);
    const warm = new Promise<{ error?: string }>((resolve, reject) => {
      child.on('message', (m: { type: string; error?: string }) => m.type === 'warm' && resolve(m));
      child.once('exit', (code) => reject(new Error(`alerts child exited (${code}) before it was warm`)));
    });
    child.send({ type: 'warm' });
    const w = await warm;
    if (w.error) {
      await stopChild(child);
      throw new Error(`alerts child cold start failed: ${w.error}`);
    }
    return c;
  }

  deliver(events: unknown[]): void {
    this.child.send({ type: 'events', events });
  }
}

async function burst(containers: Container[], events: unknown[], capMs: number) {
  const t0 = Date.now();
  containers.forEach((c, i) => c.deliver(events.filter((_, j) => j % containers.length === i)));
  const total = () => containers.reduce((n, c) => n + c.done.length, 0);
  const all = await until(() => total() >= events.length, capMs, 20);
  const done = containers.flatMap((c) => c.done);
  return { t0, all, done };
}

export async function alertRun(aw: AlertsWorld, run: number, capMs: number): Promise<AlertRun> {
  const { world } = aw;
  const s = world.scenario;
  const table = `whybot-bench-${run}`;
  await createTable(aw.dynamoEndpoint, s.region, table);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: world.dir,
    AWS_REGION: s.region,
    AWS_ENDPOINT_URL: world.aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: aw.dynamoEndpoint,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    WHYBOT_SSM_PREFIX: PREFIX,
    WHYBOT_TABLE: table,
    WHYBOT_LOG_LEVEL: 'silent',
    WHYBOT_ALERT_CHANNEL: ALERT_CHANNEL,
    SLACK_API_URL: world.slack.url,
  };
  world.aws.setLatency(0);
  const containers: Container[] = [];
  try {
    for (let i = 0; i < PROCESSES; i++) containers.push(await Container.start(env));
    // baseline: the same delivery path, events the handler validates and skips
    const skips = Array.from({ length: SECRETS * ROTATIONS }, (_, i) => ({ source: 'aws.kms', id: `skip-${i}` }));
    const base = await burst(containers, skips, capMs);
    const baselineMs = base.all ? Math.max(...base.done.map((d) => d.at)) - base.t0 : Number.NaN;
    for (const c of containers) c.done.length = 0;

    world.aws.reset();
    world.slack.reset();
    const now = world.aws.now().getTime();
    const events: unknown[] = [];
    for (let r = 0; r < ROTATIONS; r++)
      for (let i = 0; i < SECRETS; i++) events.push(rotationEvent(s, i, r, new Date(now - 60_000 + (r * SECRETS + i) * 50)));
    const { t0, all, done } = await burst(containers, events, capMs);
    const stats = slackMessageStats(world.slack.calls, new Set([ALERT_CHANNEL]));
    const outcomes: Record<string, number> = {};
    for (const d of done) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    const lastHandler = done.length ? Math.max(...done.map((d) => d.at)) : Number.NaN;
    return {
      events: events.length,
      processes: PROCESSES,
      reflected: done.length,
      errors: done.filter((d) => !d.ok).length,
      outcomes,
      lastReflectedMs: all ? Math.max(lastHandler, Number.isNaN(stats.lastAt) ? 0 : stats.lastAt) - t0 : Number.NaN,
      capMs,
      posts: stats.posts,
      updates: stats.updates,
      maxPerSecPerChannel: stats.maxPerSecPerChannel,
      slackRateLimited: world.slack.rateLimited.length,
      reflectedPerSec: done.length / ((all ? lastHandler - t0 : capMs) / 1000),
      baselineMs,
      baselinePerSec: base.done.length / ((base.all ? baselineMs : capMs) / 1000),
    };
  } finally {
    await Promise.all(containers.map((c) => stopChild(c.child)));
  }
}
