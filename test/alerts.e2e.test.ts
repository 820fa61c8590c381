// Rotation alerts end to end: real handler code, the AWS double (through the SDK), the Slack
// double (through the WebClient), a real SQLite store. Events are shaped as AWS documents.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRotationEvent, type RotationEvent } from '../src/alerts/events.js';
import { handleRotationEvent } from '../src/alerts/handle.js';
import { rotationLogReader } from '../src/alerts/logs.js';
import { pollOnce } from '../src/alerts/watch.js';
import { AwsClients } from '../src/aws/clients.js';
import type { Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { slackClientOptions } from '../src/slack/client-options.js';
import { slackWriteReporter } from '../src/slack/write-report.js';
import { ActionSigner } from '../src/remediations/signed-value.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Scenario } from '../src/sandbox/scenario.js';
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
    awsFor: (region: string) => new AwsClients({ region, maxAttempts: 2 }),
  };
  return { deps: { ...deps, readLogs: rotationLogReader(deps.awsFor) }, config };
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
  });
});

describe('RotationFailed alerts', () => {
  it('include the rotation function’s last log lines, with credentials redacted', async () => {
    const fn = 'arn:aws:lambda:ap-northeast-1:123456789012:function:SecretsManagerRDSRotation';
    const { deps } = await setup('rotation-failed', {}, (s) => {
      s.secretsManager.secrets[0]!.rotationLambdaArn = fn;
      s.logs = {
        groups: [
          {
            name: '/aws/lambda/SecretsManagerRDSRotation',
            events: [
              { time: 'now-2h1m', message: 'createSecret: Successfully put secret for ARN arn:aws:secretsmanager:… and version 1234' },
              { time: 'now-2h30s', message: 'setSecret: connecting with {"username": "admin", "password": "hunter2-Sup3rS3cret!"}' },
              { time: 'now-2h', message: 'setSecret: Unable to log into database with previous, current, or pending secret of secret arn arn:aws:secretsmanager:…' },
            ],
          },
        ],
      };
    });
    const secret = aws!.world.secretsManager.secrets[0]!.arn;
    await handleRotationEvent(parsed(eventBridge('RotationFailed', secret, new Date(aws!.now().getTime() - 2 * 3_600_000))), deps);
    const post = text(posts()[0]!);
    expect(post).toMatch(/Rotation function: `SecretsManagerRDSRotation`/);
    expect(post).toMatch(/setSecret: Unable to log into database with previous, current, or pending secret/);
    expect(post).not.toContain('hunter2');
    expect(post).toContain('[redacted]');
  });

  it('post the failure with the secret and what to look at', async () => {
    const { deps } = await setup('rotation-failed');
    const secret = aws!.world.secretsManager.secrets[0]!.arn;
    const outcome = await handleRotationEvent(parsed(eventBridge('RotationFailed', secret, new Date(aws!.now().getTime() - 2 * 3_600_000))), deps);
    expect(outcome).toBe('posted');
    expect(text(posts()[0]!)).toMatch(/Rotation of secret .* failed/);
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
