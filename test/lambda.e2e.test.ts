// The Lambda handlers as AWS runs them: an API Gateway v2 event with a signed slash command
// into the `slack` handler, the async Invoke recorded by the AWS double, then the `worker`
// handler given that payload. Secrets come from SSM (the double), the store is DynamoDB
// (dynalite), Slack is the Slack double.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { apiGatewayEvent, startLambdaStack, type LambdaStack } from './helpers/lambda-harness.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { SlackDouble } from '../src/sandbox/slack/server.js';
import { createDynamoStore } from '../src/store/dynamodb.js';
import { signedHeaders, slashCommandBody } from './helpers/harness.js';

const PREFIX = '/whybot/ci';
const WORKER = 'whybot-ci-worker';

let aws: AwsDouble;
let slack: SlackDouble;
let stack: LambdaStack;
let slackHandler: (typeof import('../src/lambda/slack.js'))['handler'];
let workerHandler: (typeof import('../src/lambda/worker.js'))['handler'];
let alertsHandler: (typeof import('../src/lambda/alerts.js'))['handler'];

beforeAll(async () => {
  stack = await startLambdaStack(PREFIX, WORKER, 'whybot-ci', { WHYBOT_PROGRESS_INTERVAL_MS: '50' });
  ({ aws, slack } = stack);
  ({ handler: slackHandler } = await import('../src/lambda/slack.js'));
  ({ handler: workerHandler } = await import('../src/lambda/worker.js'));
  ({ handler: alertsHandler } = await import('../src/lambda/alerts.js'));
});

afterAll(() => stack.close());

beforeEach(() => stack.reset());


const context = {} as never;
const playbookCalls = () => aws.calls.filter((c) => ['rds', 'cloudtrail', 'ecs', 'secretsmanager'].includes(c.service));

describe('Lambda handlers', () => {
  it('slack: a signed slash command → 200 and one async Invoke of the worker; no playbook call', async () => {
    const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('cmd', { channel: 'C0ONCALL', user: 'U0ALICE' }));
    const res = (await slackHandler(apiGatewayEvent(body, signedHeaders(body)) as never, context)) as { statusCode: number };
    expect(res.statusCode).toBe(200);
    expect(aws.invocations).toHaveLength(1);
    expect(aws.invocations[0]).toMatchObject({ functionName: WORKER, invocationType: 'Event', payload: { kind: 'investigate', target: 'prod-db', channel: 'C0ONCALL' } });
    expect(playbookCalls()).toEqual([]);
    expect(aws.calls.filter((c) => c.service === 'ssm')).toHaveLength(1); // secrets read once, at cold start
    // who the bot is: asked once and kept in the table for the next cold start; Bolt does not ask again
    expect(slack.calls.filter((c) => c.method === 'auth.test')).toHaveLength(1);

    // worker: given that payload, runs the playbook and posts the thread.
    const out = await workerHandler(aws.invocations[0]!.payload);
    expect(out.ok).toBe(true);
    const root = slack.channelMessages('C0ONCALL').find((m) => !m.threadTs)!;
    expect(root.text).toMatch(/Likely cause/);
    expect(JSON.stringify(slack.thread('C0ONCALL', root.ts))).toContain('remediate:ecs-redeploy');
    expect(playbookCalls().length).toBeGreaterThan(0);
  });

  it('slack: a bad signature → 401, no Invoke', async () => {
    const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('bad'));
    const res = (await slackHandler(apiGatewayEvent(body, signedHeaders(body, { secret: 'nope' })) as never, context)) as { statusCode: number };
    expect(res.statusCode).toBe(401);
    expect(aws.invocations).toHaveLength(0);
  });

  it('slack: a failed handoff tells the user in Slack, in the ack itself', async () => {
    aws.inject({ service: 'lambda', operation: 'Invoke', kind: 'AccessDenied' });
    const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('handoff', { channel: 'C0ONCALL', user: 'U0ALICE' }));
    const res = (await slackHandler(apiGatewayEvent(body, signedHeaders(body)) as never, context)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    const ack = JSON.parse(res.body) as { response_type: string; text: string };
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/Nothing was started: whybot could not hand this to its worker .*lambda:InvokeFunction/);
  });

  it('worker: a job a stopped container left open is finished by the next invocation (once)', async () => {
    // A container took this investigation and died (a timeout, an OOM kill): its entry stays open.
    const store = createDynamoStore({ table: 'whybot-ci', client: new DynamoDBClient({ region: 'ap-northeast-1' }), destroyClientOnClose: true });
    const old = new Date(Date.now() - 60_000).toISOString();
    const job = { kind: 'investigate', playbook: 'db-down', channel: 'C0ORPHAN', user: 'U0ALICE', target: 'prod-db', region: 'ap-northeast-1', hours: 24, journalId: 'orphan-1' };
    await store.journalPut({ id: 'orphan-1', kind: 'job', body: job, state: 'open', stage: 'running', facts: {}, owner: 'boot-dead-container', createdAt: old, updatedAt: old });
    try {
      // the next invocation, for any job, runs its own and then the orphan
      expect(await workerHandler({ kind: 'not-a-job' })).toEqual({ ok: false });
      expect(slack.channelMessages('C0ORPHAN')).toEqual([]);
      const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('orphan', { channel: 'C0ONCALL', user: 'U0ALICE' }));
      await slackHandler(apiGatewayEvent(body, signedHeaders(body)) as never, context);
      expect(await workerHandler(aws.invocations.at(-1)!.payload)).toEqual({ ok: true });
      const roots = slack.channelMessages('C0ORPHAN').filter((m) => !m.threadTs);
      expect(roots).toHaveLength(1);
      expect(roots[0]!.text).toMatch(/Likely cause/);
      expect(await store.journalGet('orphan-1')).toMatchObject({ state: 'done' });
      // a late delivery of the same job to the dead container's successor does not run it again
      expect(await workerHandler(job)).toEqual({ ok: true });
      expect(slack.channelMessages('C0ORPHAN').filter((m) => !m.threadTs)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('worker: an unknown payload is dropped, not thrown', async () => {
    expect(await workerHandler({ kind: 'format-disk' })).toEqual({ ok: false });
  });

  it('alerts: records a rotation event once, however many times it is delivered; skips others', async () => {
    const event = {
      version: '0', id: 'evt-1', 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager', account: '123456789012',
      time: '2026-11-23T10:00:00Z', region: 'ap-northeast-1', resources: [],
      detail: { eventName: 'RotationSucceeded', eventTime: '2026-11-23T10:00:00Z', additionalEventData: { SecretId: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf' }, requestID: 'req-1' },
    };
    const results = await Promise.all([alertsHandler(event), alertsHandler({ ...event, id: 'evt-1-again' }), alertsHandler(event)]);
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(await alertsHandler({ ...event, source: 'aws.kms' })).toMatchObject({ recorded: false, reason: expect.stringMatching(/source/) });
  });

  it('alerts: a RotationFailed event → one alert, rotation-failed’s answer in its thread; a second delivery posts nothing', async () => {
    const secret = aws.world.secretsManager.secrets[0]!.arn;
    const event = {
      version: '0', id: 'evt-failed', 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager', account: '123456789012',
      time: new Date(aws.now().getTime() - 3_600_000).toISOString(), region: 'ap-northeast-1', resources: [],
      detail: { eventName: 'RotationFailed', eventTime: new Date(aws.now().getTime() - 3_600_000).toISOString(), additionalEventData: { SecretId: secret }, requestID: 'req-failed' },
    };
    expect(await alertsHandler(event)).toEqual({ recorded: true, alert: 'posted' });
    const roots = slack.channelMessages('C0ALERTS').filter((m) => !m.threadTs);
    expect(roots).toHaveLength(1);
    expect(JSON.stringify(roots[0]!.blocks)).toMatch(/Rotation of secret .* failed/);
    expect(slack.thread('C0ALERTS', roots[0]!.ts).filter((m) => m.threadTs).length).toBeGreaterThan(0);
    expect(aws.calls.some((c) => c.operation === 'DescribeSecret')).toBe(true);
    expect(slack.violations).toEqual([]);
    const before = slack.channelMessages('C0ALERTS').length;
    expect(await alertsHandler({ ...event, id: 'evt-failed-again' })).toMatchObject({ recorded: false, reason: 'duplicate' });
    expect(slack.channelMessages('C0ALERTS')).toHaveLength(before);
  });

  it('alerts: an event from an account whybot has no role for (an organisation-wide bus policy) is skipped, not looked into with the hub\'s credentials; the hub\'s own account keys the shared limits', async () => {
    const hub = { invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:whybot-ci-alerts' };
    const event = (account: string, id: string) => ({
      version: '0', id, 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager', account,
      time: '2026-11-23T11:00:00Z', region: 'ap-northeast-1', resources: [],
      detail: { eventName: 'RotationSucceeded', eventTime: '2026-11-23T11:00:00Z', additionalEventData: { SecretId: `arn:aws:secretsmanager:ap-northeast-1:${account}:secret:db-AbCdEf` }, requestID: `req-${id}` },
    });
    expect(await alertsHandler(event('999999999999', 'evt-stranger'), hub)).toEqual({ recorded: false, reason: 'account 999999999999 is not in WHYBOT_ACCOUNTS' });
    expect(aws.calls.filter((c) => c.service === 'secretsmanager')).toEqual([]);
    expect(slack.channelMessages('C0ALERTS')).toEqual([]);
    expect(await alertsHandler(event('123456789012', 'evt-hub'), hub)).toMatchObject({ recorded: true });
    const { AwsClients } = await import('../src/aws/clients.js');
    expect(new AwsClients({ region: 'ap-northeast-1', profile: 'whatever' }).scope).toBe('123456789012@ap-northeast-1');
  });
});
