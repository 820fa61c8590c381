// Rotation alerts end to end: real handler code, the AWS double (through the SDK), the Slack
// double (through the WebClient), a real SQLite store. Events are shaped as AWS documents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRotationEvent, type RotationEvent } from '../src/alerts/events.js';
import { handleRotationEvent } from '../src/alerts/handle.js';
import { pollOnce } from '../src/alerts/watch.js';
import { AwsClients } from '../src/aws/clients.js';
import type { Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { slackClientOptions } from '../src/slack/client-options.js';
import { slackWriteReporter } from '../src/slack/write-report.js';
import { slackResultPoster } from '../src/slack/alert-result.js';
import { ActionSigner } from '../src/remediations/signed-value.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { resolveTime, type Scenario } from '../src/sandbox/scenario.js';
import { collectMrkdwn, findUnescapedSpecials } from '../src/sandbox/slack/block-kit.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite.js';
import { awsWorld, BOT_TOKEN, testConfig } from './helpers/harness.js';

const ALERTS = 'C0ALERTS';
const SECRET = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f-Ab12Cd';
const ACTION_SECRET = 'alerts-action-secret-0123456789abcdef-0123';

let slack: SlackDouble;
let aws: AwsDouble | undefined;
let store: SqliteStore | undefined;
let dir = '';

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
});
afterAll(async () => slack.close());
afterEach(async () => {
  await aws?.close();
  await store?.close();
  aws = undefined;
  store = undefined;
  slack.reset();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(scenario = 'incident-003', env: Record<string, string> = {}, tweak?: (s: Scenario) => void) {
  ({ aws } = await awsWorld(scenario, tweak));
  dir = mkdtempSync(path.join(tmpdir(), 'whybot-alerts-'));
  store = openSqliteStore(path.join(dir, 'store.sqlite'));
  const config: Config = testConfig({
    AWS_REGION: process.env.AWS_REGION!, SLACK_API_URL: slack.url, WHYBOT_ALERT_CHANNEL: ALERTS, WHYBOT_ACTION_SECRET: ACTION_SECRET,
    WHYBOT_VERIFY_INTERVAL_MS: '40', WHYBOT_VERIFY_TIMEOUT_MS: '5000', ...env,
  });
  // paced per channel as in production; the double answers 429 past Slack's rate
  const client = new WebClient(BOT_TOKEN, { ...slackClientOptions(config), retryConfig: { retries: 0 } });
  const deps = {
    client, store, config, signer: new ActionSigner(ACTION_SECRET), log: createLogger('silent'), owner: 'alerts-test',
    reportWrite: slackWriteReporter({ client, store, config }),
    postResult: slackResultPoster({ client, config, signer: new ActionSigner(ACTION_SECRET) }),
    awsFor: (region: string) => new AwsClients({ region, maxAttempts: 2 }),
  };
  return { deps, config };
}

function eventBridge(name: string, secret: string, time: Date, requestId = `Rotation-${secret}-0d5b6f8e-1111-4222-8333-944455556666`, extra: Record<string, unknown> = {}) {
  return {
    version: '0', id: `evt-${Math.random().toString(36).slice(2)}`, 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager',
    account: '123456789012', time: time.toISOString(), region: 'ap-northeast-1', resources: [],
    detail: {
      eventSource: 'secretsmanager.amazonaws.com', eventName: name, eventTime: time.toISOString(), awsRegion: 'ap-northeast-1',
      requestParameters: null, responseElements: null, additionalEventData: { SecretId: secret }, requestID: requestId,
      eventID: `id-${Math.random().toString(36).slice(2)}`, eventType: 'AwsServiceEvent', ...extra,
    },
  };
}

function parsed(raw: unknown): RotationEvent {
  const p = parseRotationEvent(raw);
  if (!p.ok) throw new Error(p.reason);
  return p.event;
}

const rotationTime = () => new Date(aws!.now().getTime() - 3 * 3_600_000);
const posts = () => slack.channelMessages(ALERTS).filter((m) => !m.threadTs);
const text = (m: { text?: string; blocks?: unknown[] }) => JSON.stringify(m.blocks ?? []) + (m.text ?? '');

describe('RotationSucceeded alerts', () => {
  it('name each consumer at risk, with a signed Redeploy button through the remediation path', async () => {
    const { deps } = await setup();
    const outcome = await handleRotationEvent(parsed(eventBridge('RotationSucceeded', SECRET, rotationTime())), deps);
    expect(outcome).toBe('posted');
    expect(posts()).toHaveLength(1);
    const post = posts()[0]!;
    expect(text(post)).toMatch(/Secret `rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f` rotated.*DB `prod-db`/);
    expect(text(post)).toMatch(/`api` \(cluster `prod`\): 3 of 4 tasks started before the rotation/);
    const button = /"action_id":"remediate:ecs-redeploy:0"[^}]*\},"value":"([^"]+)"/.exec(text(post));
    expect(button).not.toBeNull();
    const value = new ActionSigner(ACTION_SECRET).verify(button![1]!);
    expect(value.ok && value.payload).toMatchObject({ a: 'ecs-redeploy', p: { cluster: 'prod', service: 'api' }, c: ALERTS, t: post.ts });
    expect(text(post)).not.toContain('ecs-redeploy-all'); // one service: no "Redeploy all"
    for (const { text: t } of collectMrkdwn(post)) expect(findUnescapedSpecials(t)).toEqual([]);
    expect(slack.violations).toEqual([]);
    expect(aws!.calls.filter((c) => c.operation === 'UpdateService')).toHaveLength(0); // no policy: nothing runs on its own
  });

  it('post once per rotation however many copies arrive, concurrently or not', async () => {
    const { deps } = await setup();
    const raw = eventBridge('RotationSucceeded', SECRET, rotationTime());
    const copies = Array.from({ length: 8 }, () => ({ ...raw, id: `copy-${Math.random()}` }));
    const outcomes = await Promise.all(copies.map((c) => handleRotationEvent(parsed(c), deps)));
    expect(outcomes.filter((o) => o === 'posted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(7);
    expect(await handleRotationEvent(parsed(raw), deps)).toBe('duplicate');
    expect(posts()).toHaveLength(1);
  });

  it('with no consumer at risk: a quiet one-liner, or nothing with WHYBOT_ALERT_QUIET=true', async () => {
    const { deps } = await setup('healthy');
    const time = new Date(aws!.now().getTime() - 3 * 3_600_000);
    expect(await handleRotationEvent(parsed(eventBridge('RotationSucceeded', SECRET, time)), deps)).toBe('posted');
    expect(posts()[0]!.text).toMatch(/no consumer at risk/);
    const quiet = await setup('healthy', { WHYBOT_ALERT_QUIET: 'true' });
    slack.reset();
    expect(await handleRotationEvent(parsed(eventBridge('RotationSucceeded', SECRET, time, 'another-rotation')), quiet.deps)).toBe('quiet');
    expect(posts()).toHaveLength(0);
  });

  it('auto-redeploy policy: redeploys once as "whybot policy", audits it, posts ✅; off by default', async () => {
    const { deps } = await setup('incident-003', { WHYBOT_AUTO_REDEPLOY: 'prod/*' });
    const raw = eventBridge('RotationSucceeded', SECRET, rotationTime());
    await Promise.all([handleRotationEvent(parsed(raw), deps), handleRotationEvent(parsed({ ...raw, id: 'again' }), deps)]);
    expect(aws!.calls.filter((c) => c.operation === 'UpdateService' && c.status === 200)).toHaveLength(1);
    const post = posts()[0]!;
    const thread = slack.thread(ALERTS, post.ts).map(text).join('\n');
    expect(thread).toMatch(/Policy \(WHYBOT_AUTO_REDEPLOY\) allows redeploying api/);
    expect(thread).toMatch(/whybot policy redeployed api\./);
    expect(thread).toMatch(/:white_check_mark: Redeploy api: verified/);
    expect(text(post)).not.toContain('remediate:ecs-redeploy'); // handled by policy: no button
    const audit = await store!.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(audit.filter((r) => r.outcome === 'ran').map((r) => r.actor)).toEqual(['whybot policy']);
  });

  it('a consumer the bot may not describe: the alert is still posted and says what it could not check', async () => {
    const { deps } = await setup();
    aws!.inject({ service: 'ecs', operation: 'ListClusters', kind: 'AccessDenied' });
    expect(await handleRotationEvent(parsed(eventBridge('RotationSucceeded', SECRET, rotationTime())), deps)).toBe('posted');
    expect(text(posts()[0]!)).toMatch(/Could not check ECS services and tasks: access denied: needs ecs:ListClusters/);
  });

  it('a burst of 1,000 events for 50 secrets → one message naming all 50, a few updates, no 429', { timeout: 60_000 }, async () => {
    const secrets = Array.from({ length: 50 }, (_, i) => `arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:app-${i}-Ab12C${i % 10}`);
    const { deps } = await setup('incident-003', {}, (s) => {
      for (const [i, arn] of secrets.entries())
        s.secretsManager.secrets.push({ arn, name: `app-${i}`, rotationEnabled: true, rotationDays: 30, tags: {} });
    });
    const time = rotationTime();
    const burst = Array.from({ length: 1000 }, (_, i) => eventBridge('RotationSucceeded', secrets[i % 50]!, time));
    const outcomes = await Promise.all(burst.map((raw) => handleRotationEvent(parsed(raw), deps)));
    expect(outcomes.filter((o) => o === 'posted')).toHaveLength(50);
    expect(posts()).toHaveLength(1);
    const message = text(posts()[0]!);
    expect(message).toMatch(/50 secrets rotated/);
    expect(new Set(message.match(/app-\d+/g)).size).toBe(50);
    expect(posts()[0]!.updates).toBeLessThanOrEqual(5);
    expect(slack.rateLimited).toEqual([]);
    expect(slack.violations).toEqual([]);
  });
});

describe('other rotation steps', () => {
  it('RotationStarted is recorded upstream but posts nothing; RotationAbandoned posts like a failure', async () => {
    const { deps } = await setup();
    expect(await handleRotationEvent(parsed(eventBridge('RotationStarted', SECRET, rotationTime())), deps)).toBe('ignored');
    expect(posts()).toHaveLength(0);
    expect(await handleRotationEvent(parsed(eventBridge('RotationAbandoned', SECRET, rotationTime())), deps)).toBe('posted');
    expect(text(posts()[0]!)).toMatch(/was abandoned/);
    expect(slack.thread(ALERTS, posts()[0]!.ts).length).toBeGreaterThan(1); // the investigation answered in the thread
  });
});

// Incident 002's first symptom: a Lambda-rotated secret whose function, in a VPC with no
// Secrets Manager endpoint and no NAT gateway, logs "Found credentials" and then nothing until
// Lambda stops it. Built in code on top of the rotation-failed scenario.
const FN = 'SecretsManagerRDSPostgreSQLRotationSingleUser';
const FN_ARN = `arn:aws:lambda:ap-northeast-1:123456789012:function:${FN}`;
const APP_SECRET = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/app/db-AbC123';
const VPC = 'vpc-0a1b2c3d4e5f60001';
const SUBNET = 'subnet-0a1b2c3d4e5f6a001';
const SG_FN = 'sg-0a1b2c3d4e5f60f01';
const LEAKED = 'hunter2-Sup3rS3cret!';
const REQUEST = '2e6f7a8b-9c0d-4e1f-9a2b-3c4d5e6f7a8b';

function unreachableEndpoint(s: Scenario): void {
  s.secretsManager.secrets.push({ arn: APP_SECRET, name: 'prod/app/db', rotationEnabled: true, rotationDays: 30, rotationLambdaArn: FN_ARN, lastRotated: 'now-30d', tags: {} });
  s.lambda.functions.push({
    name: FN, runtime: 'python3.9', timeout: 30, memorySize: 128, lastModified: '2023-06-01T00:05:00Z',
    vpc: { subnetIds: [SUBNET], securityGroupIds: [SG_FN], vpcId: VPC },
    environment: { EXCLUDE_CHARACTERS: '/@"', DB_PASSWORD: LEAKED },
    tags: { 'aws:cloudformation:stack-name': `${FN}-Stack` },
  });
  s.cloudformation.stacks.push({ name: `${FN}-Stack`, status: 'CREATE_COMPLETE', creationTime: '2023-06-01T00:00:00Z' });
  // the timestamps inside the lines are the function's own: only their shape matters
  const at = (rel: string) => resolveTime(rel, new Date());
  const stream = '2026/11/23/[$LATEST]aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  s.logs.groups.push({
    name: `/aws/lambda/${FN}`,
    events: [
      { time: 'now-2h1m', stream, message: `START RequestId: ${REQUEST} Version: $LATEST\n` },
      { time: 'now-2h1m', stream, message: `[INFO]\t${at('now-2h1m').toISOString()}\t${REQUEST}\tFound credentials in environment variables.\n` },
      { time: 'now-2h1m', stream, message: `[DEBUG]\t${at('now-2h1m').toISOString()}\t${REQUEST}\tconnecting with {'username': 'app', 'password': '${LEAKED}'}\n` },
      { time: 'now-2h30s', stream, message: `${at('now-2h30s').toISOString()} ${REQUEST} Task timed out after 30.03 seconds\n\n` },
      { time: 'now-2h30s', stream, message: `END RequestId: ${REQUEST}\n` },
      { time: 'now-2h30s', stream, message: `REPORT RequestId: ${REQUEST}\tDuration: 30030.00 ms\tBilled Duration: 30030 ms\tMemory Size: 128 MB\tMax Memory Used: 82 MB\tStatus: timeout\n` },
    ],
  });
  s.ec2.vpcs.push({ id: VPC, cidrBlock: '10.0.0.0/16' });
  s.ec2.subnets.push({ id: SUBNET, vpcId: VPC, cidrBlock: '10.0.1.0/24' });
  // the subnet's route table has the local route only: no NAT gateway, no endpoint
  s.ec2.routeTables.push({ id: 'rtb-0a1b2c3d4e5f60001', vpcId: VPC, subnetIds: [SUBNET] });
  s.ec2.securityGroups.push({ id: SG_FN, name: 'rotation-fn', vpcId: VPC });
}

/** Every text whybot sent to Slack: each post and each edit, not only what is left. */
const everythingSent = () => JSON.stringify([...slack.callsTo('chat.postMessage'), ...slack.callsTo('chat.update')].map((c) => c.args));

describe('RotationFailed alerts', () => {
  it('run rotation-failed: one alert, the verdict on it, the finding endpoint-unreachable in its thread; a duplicate posts nothing', async () => {
    const { deps } = await setup('rotation-failed', {}, unreachableEndpoint);
    const raw = eventBridge('RotationFailed', APP_SECRET, new Date(aws!.now().getTime() - 2 * 3_600_000), undefined, {
      errorCode: 'RotationFailed', errorMessage: `setSecret: Unable to log in with {"username": "app", "password": "${LEAKED}"}`,
    });
    expect(await handleRotationEvent(parsed(raw), deps)).toBe('posted');
    expect(posts()).toHaveLength(1);
    const root = posts()[0]!;
    const alert = text(root);
    expect(alert).toMatch(/Rotation of secret `prod\/app\/db` failed/);
    expect(alert).toMatch(new RegExp(`Rotation function: \`${FN}\``));
    expect(alert).toMatch(/CloudTrail: setSecret: Unable to log in/);
    expect(alert).toMatch(/Likely cause: .*cannot reach Secrets Manager/); // the verdict, as the slash command puts it on its root
    expect(alert).not.toMatch(/Investigating/);

    const replies = slack.thread(ALERTS, root.ts).filter((m) => m.threadTs === root.ts);
    const thread = replies.map(text).join('\n');
    expect(thread).toContain('`endpoint-unreachable`');
    expect(thread).toMatch(/no Secrets Manager endpoint in vpc-0a1b2c3d4e5f60001/);
    expect(thread).toMatch(/Checked and answered/);
    expect(thread).not.toMatch(/Last lines of its log/); // the cause, not raw log lines
    // any remediation button is the slash command's, signed for this alert's thread (which ones
    // show depends on the deployment's registry: an action it cannot run gets no button)
    const buttons = [...thread.matchAll(/"action_id":"remediate:([a-z0-9-]+):\d+"[^}]*\},"value":"([^"]+)"/g)];
    expect(buttons.map(([, id]) => id)).toContain('rotate-now');
    for (const [, id, value] of buttons) {
      const v = new ActionSigner(ACTION_SECRET).verify(value!);
      expect(v.ok && v.payload).toMatchObject({ a: id, c: ALERTS, t: root.ts });
    }

    // the secret in the log line, the environment and CloudTrail's errorMessage never reaches Slack
    expect(everythingSent()).not.toContain(LEAKED);
    for (const m of [root, ...replies]) for (const { text: t } of collectMrkdwn(m)) expect(findUnescapedSpecials(t)).toEqual([]);
    expect(slack.violations).toEqual([]);
    expect(slack.rateLimited).toEqual([]);

    // EventBridge delivers again (and CloudTrail repeats): nothing more is posted, nothing re-run
    const before = slack.channelMessages(ALERTS).length;
    const reads = aws!.calls.filter((c) => c.operation === 'GetFunctionConfiguration').length;
    expect(await handleRotationEvent(parsed({ ...raw, id: 'again' }), deps)).toBe('duplicate');
    expect(slack.channelMessages(ALERTS)).toHaveLength(before);
    expect(aws!.calls.filter((c) => c.operation === 'GetFunctionConfiguration')).toHaveLength(reads);
    expect(await store!.getClaim(`alert:${parsed(raw).dedupeKey}`)).toMatchObject({ state: 'done' });
  });

  it('RotationAbandoned: the same investigation in the thread, under "was abandoned"', async () => {
    const { deps } = await setup('rotation-failed', {}, unreachableEndpoint);
    expect(await handleRotationEvent(parsed(eventBridge('RotationAbandoned', APP_SECRET, new Date(aws!.now().getTime() - 2 * 3_600_000))), deps)).toBe('posted');
    expect(posts()).toHaveLength(1);
    expect(text(posts()[0]!)).toMatch(/Rotation of secret `prod\/app\/db` was abandoned/);
    expect(slack.thread(ALERTS, posts()[0]!.ts).map(text).join('\n')).toContain('`endpoint-unreachable`');
    expect(everythingSent()).not.toContain(LEAKED);
  });

  it('without an action secret: the findings, no remediation button (Show CLI only)', async () => {
    const { deps } = await setup('rotation-failed', {}, unreachableEndpoint);
    const { signer: _none, ...rest } = deps;
    const unsigned = { ...rest, postResult: slackResultPoster({ client: deps.client, config: deps.config }) };
    await handleRotationEvent(parsed(eventBridge('RotationFailed', APP_SECRET, new Date(aws!.now().getTime() - 2 * 3_600_000))), unsigned);
    const thread = slack.thread(ALERTS, posts()[0]!.ts).map(text).join('\n');
    expect(thread).toContain('`endpoint-unreachable`');
    expect(thread).not.toMatch(/remediate:/);
  });

  it('a managed (RDS) rotation: the alert stands and its thread says what the investigation found', async () => {
    const { deps } = await setup('rotation-failed');
    const secret = aws!.world.secretsManager.secrets[0]!.arn;
    const outcome = await handleRotationEvent(parsed(eventBridge('RotationFailed', secret, new Date(aws!.now().getTime() - 2 * 3_600_000))), deps);
    expect(outcome).toBe('posted');
    expect(posts()).toHaveLength(1);
    expect(text(posts()[0]!)).toMatch(/Rotation of secret .* failed/);
    expect(text(posts()[0]!)).toMatch(/Rotated by rds \(managed rotation\)/);
    expect(slack.thread(ALERTS, posts()[0]!.ts).filter((m) => m.threadTs).length).toBeGreaterThan(0);
    expect(slack.violations).toEqual([]);
  });

  it('checks whybot may not run: the alert and the verdict still come, the thread names the IAM action', async () => {
    const { deps } = await setup('rotation-failed', {}, unreachableEndpoint);
    aws!.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'AccessDenied' });
    expect(await handleRotationEvent(parsed(eventBridge('RotationFailed', APP_SECRET, new Date(aws!.now().getTime() - 2 * 3_600_000))), deps)).toBe('posted');
    expect(posts()).toHaveLength(1);
    expect(slack.thread(ALERTS, posts()[0]!.ts).map(text).join('\n')).toMatch(/Could not check.*needs `logs:FilterLogEvents`/s);
  });
});

describe('whybot watch (CloudTrail polling)', () => {
  it('posts new rotations, resumes from its cursor after a restart without repeating, then sees the next one', async () => {
    const { deps } = await setup();
    const world = aws!.world;
    const addRotation = (minutesAgo: number, requestId: string) =>
      world.cloudtrail.events.push({
        eventId: `ev-${requestId}`, requestId, time: new Date(aws!.now().getTime() - minutesAgo * 60_000), eventName: 'RotationSucceeded',
        eventSource: 'secretsmanager.amazonaws.com', eventType: 'AwsServiceEvent', secretId: SECRET, readOnly: false,
      });
    addRotation(5, 'rot-1');
    const watch = { aws: deps.awsFor('ap-northeast-1'), store: store!, region: 'ap-northeast-1', log: createLogger('silent'), onEvent: (e: RotationEvent) => handleRotationEvent(e, deps) };
    const first = await pollOnce(watch);
    expect(first.handled).toBe(1);
    expect(posts()).toHaveLength(1);

    // "Restart": a new watcher on the same store re-reads an overlapping window: no repeat.
    const again = await pollOnce({ ...watch, aws: deps.awsFor('ap-northeast-1') });
    expect(again.since.getTime()).toBeGreaterThan(first.since.getTime());
    expect(posts()).toHaveLength(1);

    addRotation(1, 'rot-2');
    await pollOnce({ ...watch, aws: deps.awsFor('ap-northeast-1') });
    expect(posts()).toHaveLength(2);
  });
});

describe('daily digest of rotations due within 24 h', () => {
  it('names the secret, when it rotates, and the services that will break; once a day', async () => {
    const { deps } = await setup();
    const secret = aws!.world.secretsManager.secrets[0]!;
    secret.nextRotation = new Date(aws!.now().getTime() + 5 * 3_600_000);
    const { postDigest } = await import('../src/alerts/digest.js');
    expect(await postDigest('ap-northeast-1', deps)).toBe('posted');
    expect(await postDigest('ap-northeast-1', deps)).toBe('duplicate');
    expect(posts()).toHaveLength(1);
    expect(text(posts()[0]!)).toMatch(/`rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f` rotates at .*`api` \(`prod`\) will break then unless redeployed after it/);
  });

  it('says nothing when no rotation is due', async () => {
    const { deps } = await setup(); // incident 003's next rotation is ~7 days away
    const { postDigest } = await import('../src/alerts/digest.js');
    expect(await postDigest('ap-northeast-1', deps)).toBe('quiet');
    expect(posts()).toHaveLength(0);
  });
});
