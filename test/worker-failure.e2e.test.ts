// A worker invocation that fails where the worker cannot report it (a failed cold start, a
// timeout, a crash) reaches the person who asked: the Slack function hands the job over, the
// worker fails, Lambda puts its on-failure destination record (serverless.yml: worker →
// WorkerFailureQueue) on SQS, and the `failures` function reads it and tells them. Lambda's
// part is played here exactly as documented (the record's shape, the SQS event around it);
// SSM, DynamoDB (dynalite) and Slack are the doubles, as in lambda.e2e.test.ts.
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import { apiGatewayEvent, startLambdaStack, type LambdaStack } from './helpers/lambda-harness.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { SlackDouble } from '../src/sandbox/slack/server.js';
import { createDynamoStore } from '../src/store/dynamodb.js';
import { failureReason, FAILURES_TIMEOUT_MS, FailureRecordSchema, tellInvocationFailed, TellingInProgress } from '../src/lambda/failures.js';
import { createLogger } from '../src/logger.js';
import { respondEphemeral } from '../src/slack/respond.js';
import { BOT_TOKEN, signedHeaders, slashCommandBody } from './helpers/harness.js';

const PREFIX = '/whybot/ci';
const WORKER = 'whybot-ci-worker';
const WORKER_ARN = `arn:aws:lambda:ap-northeast-1:123456789012:function:${WORKER}`;

let aws: AwsDouble;
let slack: SlackDouble;
let stack: LambdaStack;
let slackHandler: (typeof import('../src/lambda/slack.js'))['handler'];
let workerHandler: (typeof import('../src/lambda/worker.js'))['handler'];
let failuresHandler: (typeof import('../src/lambda/failures.js'))['handler'];
let alertsHandler: (typeof import('../src/lambda/alerts.js'))['handler'];

beforeAll(async () => {
  stack = await startLambdaStack(PREFIX, WORKER, 'whybot-ci');
  ({ aws, slack } = stack);
  ({ handler: slackHandler } = await import('../src/lambda/slack.js'));
  ({ handler: workerHandler } = await import('../src/lambda/worker.js'));
  ({ handler: failuresHandler } = await import('../src/lambda/failures.js'));
  ({ handler: alertsHandler } = await import('../src/lambda/alerts.js'));
});

afterAll(() => stack.close());

beforeEach(() => stack.reset());


/** What Lambda writes to the on-failure destination after the last attempt of an async invocation. */
function destinationRecord(requestId: string, payload: unknown, response: { errorType?: string; errorMessage: string; trace?: string[] }, condition = 'RetriesExhausted') {
  return {
    version: '1.0',
    timestamp: '2026-12-01T10:00:00.000Z',
    requestContext: { requestId, functionArn: `${WORKER_ARN}:$LATEST`, condition, approximateInvokeCount: 2 },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: response,
  };
}

/** The SQS event the failures function gets from WorkerFailureQueue. */
const sqsEvent = (...records: { id: string; body: unknown }[]) => ({
  Records: records.map((r) => ({ messageId: r.id, receiptHandle: `rh-${r.id}`, body: JSON.stringify(r.body), attributes: {}, messageAttributes: {}, eventSource: 'aws:sqs', awsRegion: 'ap-northeast-1' })),
});

async function slashCommand(id: string): Promise<unknown> {
  const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl(id, { channel: 'C0ONCALL', user: 'U0ALICE' }));
  const res = (await slackHandler(apiGatewayEvent(body, signedHeaders(body)) as never, {} as never)) as { statusCode: number };
  expect(res.statusCode).toBe(200);
  expect(aws.invocations).toHaveLength(1);
  return aws.invocations[0]!.payload;
}

const openStore = () => createDynamoStore({ table: 'whybot-ci', client: new DynamoDBClient({ region: process.env.AWS_REGION! }), destroyClientOnClose: true });

/**
 * A response_url whose first post never gets an answer (Slack or the network stalling), as a
 * telling attempt sees it until Lambda stops its function; later posts go on to `forwardTo`.
 */
async function stallingResponseUrl(forwardTo: string) {
  const held: ServerResponse[] = [];
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (held.length === 0) {
        held.push(res);
        arrive();
        return;
      }
      void fetch(forwardTo, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) }).then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stall`,
    arrived,
    /** the stalled post's connection drops */
    release: () => held.forEach((r) => r.destroy()),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

const toResponseUrl = (id: string) => slack.responses.filter((r) => r.id === id && r.status < 300).map((r) => r.body as { text: string; response_type: string });

describe('worker failure → the person who asked is told', () => {
  it('a cold start that fails (missing SSM parameter) → the failures function answers through the response_url, once', async () => {
    const job = await slashCommand('init-fail');
    slack.reset();
    // the worker's cold start reads its three secrets; one is gone
    const params = aws.world.ssm.parameters;
    const removed = params.splice(params.findIndex((p) => p.name === `${PREFIX}/action-secret`), 1);
    let thrown: Error | undefined;
    try {
      await workerHandler(job);
    } catch (err) {
      thrown = err as Error;
    } finally {
      params.push(...removed);
    }
    expect(thrown?.message).toMatch(/missing SSM parameters: \/whybot\/ci\/action-secret/);
    expect(slack.responses).toEqual([]); // the worker itself told nobody

    const record = destinationRecord('req-init-1', job, { errorType: thrown!.name, errorMessage: thrown!.message, trace: thrown!.stack!.split('\n') });
    expect(await failuresHandler(sqsEvent({ id: 'm1', body: record }))).toEqual({ batchItemFailures: [] });
    const told = toResponseUrl('init-fail');
    expect(told).toHaveLength(1);
    expect(told[0]!.response_type).toBe('ephemeral');
    expect(told[0]!.text).toMatch(/investigation \(db-down prod-db\) failed: the worker failed: missing SSM parameters: \/whybot\/ci\/action-secret/);
    expect(told[0]!.text).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/); // no stack
    // the handed-over job is closed: no reconciler runs it after the user was told
    const store = createDynamoStore({ table: 'whybot-ci', client: new DynamoDBClient({ region: process.env.AWS_REGION! }), destroyClientOnClose: true });
    try {
      expect(await store.journalGet((job as { journalId: string }).journalId)).toMatchObject({ state: 'done', stage: 'failed' });
    } finally {
      await store.close();
    }
    // SQS delivers at least once: the same record again tells nobody twice
    expect(await failuresHandler(sqsEvent({ id: 'm1-again', body: record }))).toEqual({ batchItemFailures: [] });
    expect(toResponseUrl('init-fail')).toHaveLength(1);
  });

  it('a timeout with an expired response_url → an ephemeral message with the bot token; a remediation crash → its responder', async () => {
    const investigate = { kind: 'investigate', playbook: 'db-down', channel: 'C0ONCALL', user: 'U0BOB', target: 'prod-db', region: 'ap-northeast-1', hours: 24, responseUrl: `${slack.url.replace(/\/api\/$/, '')}/gone/expired` };
    const remediate = { kind: 'remediate', value: 'v', actor: 'U0ALICE', channel: 'C0ONCALL', messageTs: '1700000000.000100' };
    const res = await failuresHandler(
      sqsEvent(
        { id: 't1', body: destinationRecord('req-timeout', investigate, { errorMessage: '2026-12-01T10:15:00.000Z 1d2c Task timed out after 900.00 seconds' }) },
        { id: 't2', body: destinationRecord('req-oom', remediate, { errorType: 'Runtime.OutOfMemory', errorMessage: 'RequestId: x Error: Runtime exited with error: signal: killed' }) },
      ),
    );
    expect(res).toEqual({ batchItemFailures: [] });
    const eph = slack.callsTo('chat.postEphemeral').map((c) => c.args as { channel: string; user: string; text: string; thread_ts?: string });
    expect(eph).toHaveLength(2);
    expect(eph.find((e) => e.user === 'U0BOB')).toMatchObject({ channel: 'C0ONCALL', text: expect.stringMatching(/ran out of time \(Lambda stopped it after 900 s\)/) });
    expect(eph.find((e) => e.user === 'U0ALICE')).toMatchObject({ channel: 'C0ONCALL', thread_ts: '1700000000.000100', text: expect.stringMatching(/remediation failed: the worker stopped \(Runtime\.OutOfMemory[^]*Nothing more will happen/) });
  });

  it('Slack down → the message goes back to the queue (then its DLQ); a payload that is no job is dropped', async () => {
    const job = { kind: 'remediate', value: 'v', actor: 'U0ALICE', channel: 'C0ONCALL' };
    slack.failNext('chat.postEphemeral', 'fatal_error');
    const res = await failuresHandler(sqsEvent({ id: 'f1', body: destinationRecord('req-down', job, { errorMessage: 'boom' }) }, { id: 'f2', body: destinationRecord('req-junk', { kind: 'format-disk' }, { errorMessage: 'x' }) }, { id: 'f3', body: 'not json' }));
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'f1' }] });
    // redelivered: told now
    expect(await failuresHandler(sqsEvent({ id: 'f1', body: destinationRecord('req-down', job, { errorMessage: 'boom' }) }))).toEqual({ batchItemFailures: [] });
    expect(slack.callsTo('chat.postEphemeral').filter((c) => (c.args as { user: string }).user === 'U0ALICE').length).toBeGreaterThanOrEqual(1);
  });

  it('the reason is one redacted line: no stack, no secret; an event too old says so', () => {
    const base = destinationRecord('r', {}, { errorType: 'Error', errorMessage: 'connect failed password=hunter2-very-secret-XyZ123\n    at foo (/var/task/index.mjs:1:2)' });
    const reason = failureReason(base);
    expect(reason).not.toContain('hunter2');
    expect(reason).not.toContain('index.mjs');
    expect(failureReason(destinationRecord('r', {}, { errorMessage: '' }, 'EventAgeExceeded'))).toMatch(/never run/);
  });
});

describe('worker failure: telling that dies half-way, a thread root, a tracked write', () => {
  const log = createLogger('silent');

  it('a telling attempt stopped mid-post (the failures function’s timeout) does not silence the redeliveries', async () => {
    const stalling = await stallingResponseUrl(slack.responseUrl('stalled', { channel: 'C0ONCALL', user: 'U0ALICE' }));
    const store = openStore();
    try {
      const job = { kind: 'investigate', playbook: 'db-down', channel: 'C0ONCALL', user: 'U0ALICE', target: 'prod-db', region: 'ap-northeast-1', hours: 24, responseUrl: stalling.url };
      const record = FailureRecordSchema.parse(destinationRecord('req-stalled', job, { errorMessage: '2026-12-01T10:15:00.000Z 1d2c Task timed out after 900.00 seconds' }));
      // first delivery: its claim is taken, then its response_url post hangs; Lambda stops the function there
      const first = tellInvocationFailed(record, { store, log, respondTimeoutMs: 600_000 });
      await stalling.arrived;
      // a delivery while that attempt may still be alive goes back to the queue: not two at once
      await expect(tellInvocationFailed(record, { store, log })).rejects.toBeInstanceOf(TellingInProgress);
      expect(toResponseUrl('stalled')).toEqual([]);
      // SQS redelivers after its visibility timeout (180 s): the first attempt's function is long stopped
      const later = () => Date.now() + FAILURES_TIMEOUT_MS + 1;
      expect(await tellInvocationFailed(record, { store, log, now: later })).toBe('told');
      const told = toResponseUrl('stalled');
      expect(told).toHaveLength(1);
      expect(told[0]!.text).toMatch(/investigation \(db-down prod-db\) failed: the worker ran out of time/);
      expect(await tellInvocationFailed(record, { store, log, now: later })).toBe('already-handled');
      // the stalled attempt ends (its post fails): recorded as not told, and the person stays told once
      stalling.release();
      await expect(first).rejects.toThrow();
      expect(await tellInvocationFailed(record, { store, log, now: later })).toBe('already-handled');
      expect(toResponseUrl('stalled')).toHaveLength(1);
    } finally {
      await store.close();
      await stalling.close();
    }
  });

  it('a claim older than the failures function’s timeout (serverless.yml) is stale, and SQS redelivers only after that', () => {
    const yml = readFileSync('serverless.yml', 'utf8');
    const timeout = Number(/^  failures:\n(?:    .*\n)*?    timeout: (\d+)$/m.exec(yml)?.[1]);
    const visibility = Number(/^      WorkerFailureQueue:\n(?:        .*\n)*?          VisibilityTimeout: (\d+)$/m.exec(yml)?.[1]);
    expect(timeout).toBeGreaterThan(0);
    // a live attempt is never taken for a stopped one…
    expect(FAILURES_TIMEOUT_MS).toBeGreaterThanOrEqual(timeout * 1000);
    // …and the redelivery of a stopped one finds its claim stale
    expect(visibility * 1000).toBeGreaterThan(FAILURES_TIMEOUT_MS);
  });

  it('a response_url post that gets no answer gives up instead of holding the function until Lambda stops it', async () => {
    const stalling = await stallingResponseUrl(slack.responseUrl('never'));
    try {
      await expect(respondEphemeral(stalling.url, { text: 'x' }, { timeoutMs: 50 })).rejects.toThrow(/timeout|abort/i);
    } finally {
      stalling.release();
      await stalling.close();
    }
  });

  it('the worker died after posting the thread root → the root says the investigation failed and why; the thread says what next', async () => {
    const job = (await slashCommand('rooted')) as { journalId: string };
    slack.reset();
    // what runInvestigation did before the worker died (src/slack/investigate.ts): a checklist root, journaled
    const bot = new WebClient(BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const posted = await bot.chat.postMessage({ channel: 'C0ONCALL', text: 'Investigating prod-db…', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Checking prod-db: connectivity…' } }] });
    const store = openStore();
    try {
      await store.journalUpdate(job.journalId, { facts: { rootChannel: posted.channel!, rootTs: posted.ts! } });
      const record = destinationRecord('req-rooted', job, { errorMessage: 'RequestId: x Error: Runtime exited with error: signal: killed\n    at run (/var/task/index.mjs:1:2)', errorType: 'Runtime.ExitError' });
      expect(await failuresHandler(sqsEvent({ id: 'r1', body: record }))).toEqual({ batchItemFailures: [] });

      const root = slack.channelMessages('C0ONCALL').find((m) => m.ts === posted.ts)!;
      const rootText = `${root.text ?? ''} ${JSON.stringify(root.blocks ?? [])}`;
      expect(rootText).toMatch(/investigation \(db-down prod-db\) failed: the worker stopped \(Runtime\.ExitError/);
      expect(rootText).not.toMatch(/Checking prod-db/); // no live checklist left
      expect(rootText).not.toMatch(/index\.mjs/); // no stack
      const replies = slack.thread('C0ONCALL', posted.ts!).filter((m) => m.ts !== posted.ts);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toMatch(/failed: the worker stopped[^]*Nothing more will happen for this request/);
      expect(slack.callsTo('chat.postEphemeral')).toEqual([]);
      expect(slack.responses).toEqual([]);
      expect(await store.journalGet(job.journalId)).toMatchObject({ state: 'done', stage: 'failed' });
    } finally {
      await store.close();
    }
  });

  it('a remediation that reached its write intent: the person is told the change is still tracked, not that nothing more happens', async () => {
    const store = openStore();
    try {
      const at = new Date().toISOString();
      const remediate = { kind: 'remediate', value: 'v', actor: 'U0ALICE', channel: 'C0ONCALL', messageTs: '1700000000.000200', journalId: 'job-remediate-with-write' };
      await store.journalCreate({ id: remediate.journalId, kind: 'job', body: remediate, state: 'open', stage: 'running', facts: { write: 'write:n-1' }, owner: 'boot-dead', createdAt: at, updatedAt: at });
      const res = await failuresHandler(sqsEvent({ id: 'w1', body: destinationRecord('req-write', remediate, { errorMessage: 'Task timed out after 900.00 seconds' }) }));
      expect(res).toEqual({ batchItemFailures: [] });
      const eph = slack.callsTo('chat.postEphemeral').map((c) => c.args as { user: string; text: string; thread_ts?: string });
      expect(eph).toHaveLength(1);
      expect(eph[0]).toMatchObject({ user: 'U0ALICE', thread_ts: '1700000000.000200' });
      expect(eph[0]!.text).toMatch(/remediation failed: the worker ran out of time[^]*change itself is tracked[^]*in this thread/);
      expect(eph[0]!.text).not.toMatch(/Nothing more will happen/);
    } finally {
      await store.close();
    }
  });
});

describe('alerts failure → the dead-letter queue, not a silent duplicate', () => {
  it('an alert that fails is not retried into a second post: Lambda’s retries fail too, so the event ends in AlertsDLQ', async () => {
    const secret = aws.world.secretsManager.secrets[0]!.arn;
    const at = new Date(aws.now().getTime() - 3_600_000).toISOString();
    const event = {
      version: '0', id: 'evt-dlq', 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager', account: '123456789012',
      time: at, region: 'ap-northeast-1', resources: [],
      detail: { eventName: 'RotationFailed', eventTime: at, additionalEventData: { SecretId: secret }, requestID: 'req-dlq' },
    };
    slack.failNext('chat.postMessage', 'fatal_error');
    await expect(alertsHandler(event)).rejects.toThrow();
    const posts = slack.callsTo('chat.postMessage').length;
    // Lambda's retry (maximumRetryAttempts: 2) of the same invocation: fails without posting
    await expect(alertsHandler(event)).rejects.toThrow(/failed on an earlier delivery .*not handled twice/);
    await expect(alertsHandler(event)).rejects.toThrow(/failed on an earlier delivery/);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(posts);
  });
});
