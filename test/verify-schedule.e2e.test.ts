// A remediation's verification on Lambda never waits inside the worker: the worker looks once
// (WHYBOT_VERIFY_BUDGET_MS=0 here), and when the answer is not in yet it sends itself a delayed
// SQS message (the AWS double records it) and returns. Delivering that message to the worker,
// as the verify queue's event source mapping would, resumes the write's journal entry:
// "verified" once the world has changed, said once however often the message comes, and the
// first deadline kept across resumes. Slack handler → worker → SQS → worker, with SSM, SQS and
// ECS from the AWS double, DynamoDB from dynalite, Slack from the Slack double.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { SqsMessage } from '../src/sandbox/aws/services/index.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { createDynamoStore } from '../src/store/dynamodb.js';
import type { Store } from '../src/store/types.js';
import { buttonsIn, clickBody, submitBody } from './helpers/buttons.js';
import { BOT_TOKEN, lambdaWorld, signedHeaders, slashCommandBody } from './helpers/harness.js';
import { apiGatewayEvent, startTable } from './helpers/lambda-harness.js';

const PREFIX = '/whybot/ci';
const WORKER = 'whybot-ci-worker';
const TABLE = 'whybot-ci-verify';
const QUEUE = 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/whybot-ci-verify';
const CHANNEL = 'C0ONCALL';
const ALERTS = 'C0ALERTS';

let aws: AwsDouble;
let slack: SlackDouble;
let table: { close(): Promise<void> };
let store: Store;
let slackHandler: (typeof import('../src/lambda/slack.js'))['handler'];
let workerHandler: (typeof import('../src/lambda/worker.js'))['handler'];

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
  process.env.AWS_REGION = 'ap-northeast-1'; // incident-003's Region (each test's double sets it too)
  table = await startTable(TABLE);
  store = createDynamoStore({ table: TABLE, client: new DynamoDBClient({ region: process.env.AWS_REGION! }), destroyClientOnClose: true });
});

afterAll(async () => {
  await store?.close();
  await slack?.close();
  await table?.close();
});

afterEach(async () => {
  await aws?.close();
  slack.reset();
});

/** A fresh AWS account whose api rollouts stay IN_PROGRESS until a test settles them, and a cold start of the functions with this environment. */
async function coldStart(env: Record<string, string>) {
  ({ aws } = await lambdaWorld(PREFIX, WORKER, (s) => {
    s.ecs.clusters[0]!.services[0]!.onDeploy = 'hang';
  }));
  Object.assign(process.env, {
    WHYBOT_SSM_PREFIX: PREFIX,
    WHYBOT_TABLE: TABLE,
    WHYBOT_WORKER_FUNCTION: WORKER,
    WHYBOT_RESPONDERS: 'U0ALICE',
    WHYBOT_LOG_LEVEL: 'silent',
    WHYBOT_VERIFY_QUEUE_URL: QUEUE,
    WHYBOT_VERIFY_BUDGET_MS: '0',
    WHYBOT_VERIFY_INTERVAL_MS: '40',
    WHYBOT_PROGRESS_INTERVAL_MS: '50',
    SLACK_API_URL: slack.url,
    ...env,
  });
  vi.resetModules();
  ({ handler: slackHandler } = await import('../src/lambda/slack.js'));
  ({ handler: workerHandler } = await import('../src/lambda/worker.js'));
}

async function slackRequest(body: string): Promise<{ statusCode: number }> {
  return (await slackHandler(apiGatewayEvent(body, signedHeaders(body)) as never, {} as never)) as { statusCode: number };
}

/** /why-db-down, then Redeploy api confirmed: returns the thread and the worker's answer to the remediation. */
async function confirmRedeploy(): Promise<{ rootTs: string; result: Awaited<ReturnType<typeof workerHandler>> }> {
  await slackRequest(slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('cmd', { channel: CHANNEL, user: 'U0ALICE' })));
  expect(await workerHandler(aws.invocations.at(-1)!.payload)).toMatchObject({ ok: true });
  const root = slack.channelMessages(CHANNEL).filter((m) => !m.threadTs).at(-1)!;
  const redeploy = buttonsIn(slack, CHANNEL, root.ts).find((b) => b.actionId.startsWith('remediate:ecs-redeploy'))!;
  const views = slack.views.length;
  expect((await slackRequest(clickBody(slack, CHANNEL, redeploy, 'U0ALICE'))).statusCode).toBe(200);
  await slack.waitFor(() => slack.views.length > views);
  const metadata = (slack.views.at(-1)!.view as { private_metadata: string }).private_metadata;
  const invoked = aws.invocations.length;
  expect((await slackRequest(submitBody('U0ALICE', metadata))).statusCode).toBe(200);
  expect(aws.invocations.length).toBe(invoked + 1);
  const result = await workerHandler(aws.invocations.at(-1)!.payload);
  return { rootTs: root.ts, result };
}

/** The SQS event the verify queue's event source mapping hands the worker. */
const sqsEvent = (...messages: SqsMessage[]) => ({
  Records: messages.map((m) => ({ messageId: m.messageId, receiptHandle: `rh-${m.messageId}`, body: m.body, attributes: {}, messageAttributes: {}, eventSource: 'aws:sqs', awsRegion: 'ap-northeast-1' })),
});

const verdicts = (rootTs: string) => slack.thread(CHANNEL, rootTs).filter((m) => /Redeploy api: (verified|not verified)/.test(`${m.text ?? ''}${JSON.stringify(m.blocks ?? [])}`));
const scheduled = () => aws.sqsMessages.filter((m) => m.queueUrl === QUEUE);

/** The running rollout of api completes at the next AWS call (the double settles it). */
function settleRollout() {
  const service = aws.world.ecs.clusters[0]!.services[0]!;
  service.onDeploy = 'complete';
  for (const d of service.deployments) if (d.rolloutState === 'IN_PROGRESS') d.settlesAt = aws.now();
}

describe('verification on a durable schedule', () => {
  it('the worker returns without waiting; the delayed message resumes it: ✅ once, however often it is delivered', async () => {
    await coldStart({ WHYBOT_VERIFY_TIMEOUT_MS: '600000' });
    const { rootTs, result } = await confirmRedeploy();
    expect(result).toEqual({ ok: true });
    expect(aws.calls.filter((c) => c.operation === 'UpdateService' && c.status === 200)).toHaveLength(1);
    // one look, then a delayed message instead of a wait: the thread has the write, no verdict yet
    expect(scheduled()).toHaveLength(1);
    const [first] = scheduled();
    expect(JSON.parse(first!.body)).toEqual({ kind: 'verify', write: expect.stringMatching(/^write:/), attempt: 1 });
    expect(first!.delaySeconds).toBeGreaterThan(0);
    expect(first!.delaySeconds).toBeLessThanOrEqual(900);
    const writeId = (JSON.parse(first!.body) as { write: string }).write;
    expect(await store.journalGet(writeId)).toMatchObject({ state: 'open', stage: 'verifying', owner: 'verify-scheduled:1' });
    expect(verdicts(rootTs)).toEqual([]);

    // Delivered while the rollout is still running: another look, another message (attempt 2).
    expect(await workerHandler(sqsEvent(first!))).toEqual({ ok: true, batchItemFailures: [] });
    expect(scheduled().map((m) => (JSON.parse(m.body) as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(verdicts(rootTs)).toEqual([]);

    // The rollout completes; the second message, delivered twice (SQS is at least once) and the
    // first one again, late: one ✅ in the thread, one audit record, nothing scheduled after it.
    settleRollout();
    const second = scheduled()[1]!;
    expect(await workerHandler(sqsEvent(second))).toEqual({ ok: true, batchItemFailures: [] });
    expect(await workerHandler(sqsEvent(second, first!))).toEqual({ ok: true, batchItemFailures: [] });
    const said = verdicts(rootTs);
    expect(said).toHaveLength(1);
    expect(`${said[0]!.text ?? ''}${JSON.stringify(said[0]!.blocks ?? [])}`).toMatch(/:white_check_mark: Redeploy api: verified, deployment COMPLETED/);
    expect(scheduled()).toHaveLength(2);
    expect(await store.journalGet(writeId)).toMatchObject({ state: 'done', stage: 'verified' });
    const audit = await store.queryAudit({ since: new Date(Date.now() - 600_000) });
    expect(audit.filter((r) => r.action === 'ecs-redeploy').map((r) => r.outcome)).toEqual(['ran', 'verified']);
    expect(slack.violations).toEqual([]);
  });

  it('a resume that fails after taking the attempt (Slack down for the verdict) is released to the reconciler, which finishes it: ✅ once', async () => {
    await coldStart({ WHYBOT_VERIFY_TIMEOUT_MS: '600000', WHYBOT_HEARTBEAT_TTL_SECONDS: '1' });
    const { rootTs } = await confirmRedeploy();
    const [first] = scheduled();
    const writeId = (JSON.parse(first!.body) as { write: string }).write;
    settleRollout();
    slack.failNext('chat.postMessage', 'fatal_error');
    // the message is not handed back to SQS (its claim is spent: a redelivery would do nothing)
    expect(await workerHandler(sqsEvent(first!))).toEqual({ ok: true, batchItemFailures: [] });
    expect(verdicts(rootTs)).toEqual([]);
    expect((await store.journalGet(writeId))!).toMatchObject({ state: 'open', owner: expect.stringMatching(/\+released$/) });
    // any later invocation's reconciler takes the released entry over once it is quiet
    await new Promise((r) => setTimeout(r, 1_100));
    await workerHandler({ Records: [{ messageId: 'm-other', body: '{}', eventSource: 'aws:sqs' }] });
    expect(verdicts(rootTs)).toHaveLength(1);
    expect(await store.journalGet(writeId)).toMatchObject({ state: 'done', stage: 'verified' });
  });

  it('a policy redeploy (WHYBOT_AUTO_REDEPLOY) is not waited for in the alerts invocation either: the worker verifies it from the queue', async () => {
    await coldStart({ WHYBOT_VERIFY_TIMEOUT_MS: '600000', WHYBOT_AUTO_REDEPLOY: 'prod/api', WHYBOT_ALERT_CHANNEL: ALERTS });
    const { handler: alertsHandler } = await import('../src/lambda/alerts.js');
    const time = new Date(aws.now().getTime() - 3 * 3_600_000).toISOString();
    const secret = aws.world.secretsManager.secrets[0]!.arn;
    const event = {
      version: '0', id: 'evt-policy', 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager', account: '123456789012',
      time, region: 'ap-northeast-1', resources: [],
      detail: { eventName: 'RotationSucceeded', eventTime: time, additionalEventData: { SecretId: secret }, requestID: 'req-policy', eventType: 'AwsServiceEvent' },
    };
    expect(await alertsHandler(event)).toEqual({ recorded: true, alert: 'posted' });
    expect(aws.calls.filter((c) => c.operation === 'UpdateService' && c.status === 200)).toHaveLength(1);
    expect(scheduled()).toHaveLength(1);
    const root = slack.channelMessages(ALERTS).find((m) => !m.threadTs)!;
    const policyVerdicts = () => slack.thread(ALERTS, root.ts).filter((m) => /Redeploy api: (verified|not verified)/.test(`${m.text ?? ''}${JSON.stringify(m.blocks ?? [])}`));
    expect(policyVerdicts()).toEqual([]);
    settleRollout();
    expect(await workerHandler(sqsEvent(scheduled()[0]!))).toEqual({ ok: true, batchItemFailures: [] });
    expect(policyVerdicts()).toHaveLength(1);
    expect(JSON.stringify(policyVerdicts()[0])).toMatch(/Redeploy api: verified/);
  });

  it('the first deadline holds across resumes: ❌ "not confirmed within" the original timeout, once', async () => {
    // a rollout that never finishes, and a 1 s verification
    await coldStart({ WHYBOT_VERIFY_TIMEOUT_MS: '1000' });
    const { rootTs, result } = await confirmRedeploy();
    expect(result).toEqual({ ok: true });
    const writeId = (JSON.parse(scheduled()[0]!.body) as { write: string }).write;
    const deadline = (await store.journalGet(writeId))!.facts.verifyDeadline!;
    expect(deadline).toBeTruthy();
    // Deliver each message as it is sent, until a verdict: every resume keeps the first deadline
    // (a restarted one would keep it pending, scheduling more); the last look comes at or after it.
    for (let delivered = 0; verdicts(rootTs).length === 0; delivered++) {
      expect(delivered, 'a verdict within the deadline’s worth of looks').toBeLessThan(200);
      const next = scheduled()[delivered];
      if (!next) throw new Error('the verification neither decided nor scheduled a next look');
      await new Promise((r) => setTimeout(r, 40)); // the message's delay, shortened
      expect(await workerHandler(sqsEvent(next))).toEqual({ ok: true, batchItemFailures: [] });
      expect((await store.journalGet(writeId))!.facts.verifyDeadline).toBe(deadline);
    }
    const said = verdicts(rootTs);
    expect(said).toHaveLength(1);
    expect(`${said[0]!.text ?? ''}${JSON.stringify(said[0]!.blocks ?? [])}`).toMatch(/:x: Redeploy api: not verified, not confirmed within 1 s; last seen: deployment IN_PROGRESS/);
    expect(await store.journalGet(writeId)).toMatchObject({ state: 'done', stage: 'verify-failed' });
    // nothing scheduled after the verdict, and a repeat of the last message says nothing more
    const count = scheduled().length;
    await workerHandler(sqsEvent(scheduled().at(-1)!));
    expect(scheduled()).toHaveLength(count);
    expect(verdicts(rootTs)).toHaveLength(1);
  });
});
