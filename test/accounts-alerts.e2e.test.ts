// Rotation alerts forwarded from a member account (issue 16): matched to WHYBOT_ACCOUNTS by the
// event's account id, looked into with that account's role, and its buttons carry the account.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRotationEvent } from '../src/alerts/events.js';
import { handleRotationEvent } from '../src/alerts/handle.js';
import { alertDeps } from '../src/alerts/wiring.js';
import { createLogger } from '../src/logger.js';
import { ActionSigner } from '../src/remediations/signed-value.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { slackResultPoster } from '../src/slack/alert-result.js';
import { slackClientOptions } from '../src/slack/client-options.js';
import { slackWriteReporter } from '../src/slack/write-report.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { ACCOUNTS, manyAccounts } from './helpers/accounts.js';
import { BOT_TOKEN, testConfig } from './helpers/harness.js';

const ALERTS = 'C0ALERTS';
const ACTION_SECRET = 'alerts-action-secret-0123456789abcdef-0123';
const SECRET = 'rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';

let slack: SlackDouble;
let aws: AwsDouble | undefined;
beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
});
afterAll(async () => slack.close());
afterEach(async () => {
  await aws?.close();
  aws = undefined;
  slack.reset();
});

describe('alerts from member accounts', () => {
  it('a RotationSucceeded from payments-dr is correlated in payments-dr, and its Redeploy button carries the account', async () => {
    aws = await manyAccounts();
    process.env.AWS_ENDPOINT_URL = aws.url;
    process.env.AWS_REGION = 'ap-northeast-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'x';
    const config = testConfig({ AWS_REGION: 'ap-northeast-1', SLACK_API_URL: slack.url, WHYBOT_ALERT_CHANNEL: ALERTS, WHYBOT_ACTION_SECRET: ACTION_SECRET, WHYBOT_ACCOUNTS: JSON.stringify(ACCOUNTS) });
    const store = openSqliteStore(path.join(mkdtempSync(path.join(tmpdir(), 'whybot-alerts-')), 'store.sqlite'));
    const client = new WebClient(BOT_TOKEN, { ...slackClientOptions(config), retryConfig: { retries: 0 } });
    const signer = new ActionSigner(ACTION_SECRET);
    // as the alerts Lambda and the watcher wire it
    const deps = alertDeps(config, {
      client, store, signer, log: createLogger('silent'), owner: 'alerts-test',
      reportWrite: slackWriteReporter({ client, store, config }),
      postResult: slackResultPoster({ client, config, signer }),
    });
    const time = new Date(aws.now().getTime() - 3 * 3_600_000);
    const event = parseRotationEvent({
      version: '0', id: 'evt-member', 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager',
      account: '333333333333', time: time.toISOString(), region: 'ap-northeast-1', resources: [],
      detail: {
        eventSource: 'secretsmanager.amazonaws.com', eventName: 'RotationSucceeded', eventTime: time.toISOString(), awsRegion: 'ap-northeast-1',
        requestParameters: null, responseElements: null, additionalEventData: { SecretId: SECRET }, requestID: `Rotation-${SECRET}-member`,
        eventID: 'id-member', eventType: 'AwsServiceEvent',
      },
    });
    if (!event.ok) throw new Error(event.reason);
    expect(await handleRotationEvent(event.event, deps)).toBe('posted');
    expect(aws.calls.filter((c) => c.operation === 'AssumeRole' && c.status === 200).map((c) => c.params.RoleArn)).toEqual(['arn:aws:iam::333333333333:role/whybot-read']);
    const post = slack.channelMessages(ALERTS).find((m) => !m.threadTs)!;
    const button = /"action_id":"remediate:ecs-redeploy:0"[^}]*\},"value":"([^"]+)"/.exec(JSON.stringify(post.blocks));
    expect(button).not.toBeNull();
    const value = signer.verify(button![1]!);
    expect(value.ok && value.payload).toMatchObject({ a: 'ecs-redeploy', ac: 'payments-dr', p: { cluster: 'prod', service: 'api', region: 'ap-northeast-1' } });
    store.close();
  });
});
