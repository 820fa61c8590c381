// A failed rotation's alert when its investigation cannot finish: the playbook throws, or
// never answers. The alert stands; its thread says the investigation could not finish and
// why, with no stack and nothing secret. The alert is given a playbook that fails (through
// AlertDeps.loadPlaybook, not a module mock) because the real one turns every AWS failure
// into a failed check and never throws.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRotationEvent } from '../src/alerts/events.js';
import { handleRotationEvent } from '../src/alerts/handle.js';
import { hoursCovering } from '../src/alerts/rotation-failed-alert.js';
import { AwsClients } from '../src/aws/clients.js';
import { createLogger } from '../src/logger.js';
import type { PlaybookResult } from '../src/findings.js';
import type { Playbook } from '../src/playbooks/types.js';
import { ActionSigner } from '../src/remediations/signed-value.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import { slackClientOptions } from '../src/slack/client-options.js';
import { slackWriteReporter } from '../src/slack/write-report.js';
import { slackResultPoster } from '../src/slack/alert-result.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite.js';
import { awsWorld, BOT_TOKEN, testConfig } from './helpers/harness.js';

const behaviour = { run: (): Promise<PlaybookResult> => Promise.reject(new Error('unset')) };
const failingPlaybooks = async (name: string) =>
  (name === 'rotation-failed' ? ({ checks: [{ id: 'secret', title: 'secret' }], run: () => behaviour.run() } as unknown as Playbook) : undefined);

const ALERTS = 'C0ALERTS';
const LEAKED = 'hunter2-Sup3rS3cret!';
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

async function setup() {
  ({ aws } = await awsWorld('rotation-failed'));
  dir = mkdtempSync(path.join(tmpdir(), 'whybot-alerts-'));
  store = openSqliteStore(path.join(dir, 'store.sqlite'));
  // the smallest check timeout: the whole run is bounded by the checks' timeouts in a row
  const config = testConfig({ AWS_REGION: process.env.AWS_REGION!, SLACK_API_URL: slack.url, WHYBOT_ALERT_CHANNEL: ALERTS, WHYBOT_CHECK_TIMEOUT_MS: '100' });
  const client = new WebClient(BOT_TOKEN, { ...slackClientOptions(config), retryConfig: { retries: 0 } });
  return {
    client, store, config, signer: new ActionSigner('alerts-action-secret-0123456789abcdef-0123'), log: createLogger('silent'), owner: 'alerts-test',
    reportWrite: slackWriteReporter({ client, store, config }),
    postResult: slackResultPoster({ client, config }),
    loadPlaybook: failingPlaybooks,
    awsFor: (region: string) => new AwsClients({ region, maxAttempts: 2 }),
  };
}

function failedEvent() {
  const secret = aws!.world.secretsManager.secrets[0]!.arn;
  const time = new Date(aws!.now().getTime() - 3_600_000).toISOString();
  const p = parseRotationEvent({
    version: '0', id: 'evt-1', 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager', account: '123456789012', time, region: 'ap-northeast-1', resources: [],
    detail: { eventSource: 'secretsmanager.amazonaws.com', eventName: 'RotationFailed', eventTime: time, additionalEventData: { SecretId: secret }, requestID: 'req-1' },
  });
  if (!p.ok) throw new Error(p.reason);
  return p.event;
}

const text = (m: { text?: string; blocks?: unknown[] }) => JSON.stringify(m.blocks ?? []) + (m.text ?? '');

describe('a failed rotation whose investigation cannot finish', () => {
  it('the playbook throws: the alert stands, the thread says why (no stack, redacted), the claim is done', async () => {
    const deps = await setup();
    behaviour.run = () => Promise.reject(new Error(`parser broke on {"password": "${LEAKED}"}`));
    const e = failedEvent();
    expect(await handleRotationEvent(e, deps)).toBe('posted');
    const roots = slack.channelMessages(ALERTS).filter((m) => !m.threadTs);
    expect(roots).toHaveLength(1);
    expect(text(roots[0]!)).toMatch(/Rotation of secret .* failed/);
    expect(text(roots[0]!)).not.toMatch(/Investigating/);
    const replies = slack.thread(ALERTS, roots[0]!.ts).filter((m) => m.threadTs);
    expect(replies).toHaveLength(1);
    expect(text(replies[0]!)).toMatch(/could not finish investigating this rotation: parser broke on/);
    expect(text(replies[0]!)).toMatch(/\/why-rotation-failed/);
    expect(text(replies[0]!)).not.toMatch(/ at .*\.ts:\d+/); // no stack
    expect(JSON.stringify(slack.callsTo('chat.postMessage').map((c) => c.args))).not.toContain(LEAKED);
    expect(await store!.getClaim(`alert:${e.dedupeKey}`)).toMatchObject({ state: 'done' });
    expect(await handleRotationEvent(e, deps)).toBe('duplicate');
    expect(slack.channelMessages(ALERTS)).toHaveLength(2);
  });

  it('the playbook never answers: after every check’s timeout in a row, the thread says it did not finish', async () => {
    const deps = await setup();
    behaviour.run = () => new Promise<never>(() => undefined);
    expect(await handleRotationEvent(failedEvent(), deps)).toBe('posted');
    const root = slack.channelMessages(ALERTS).find((m) => !m.threadTs)!;
    const replies = slack.thread(ALERTS, root.ts).filter((m) => m.threadTs);
    expect(replies.map(text).join('\n')).toMatch(/could not finish investigating this rotation: it did not finish within/);
    expect(slack.violations).toEqual([]);
  });
});

describe('the window the alert investigates', () => {
  it('covers the failed step: whole hours since it, plus one; at least one', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(hoursCovering(new Date('2026-12-01T10:00:00Z'), now)).toBe(3);
    expect(hoursCovering(new Date('2026-12-01T09:59:00Z'), now)).toBe(4);
    expect(hoursCovering(now, now)).toBe(1);
    expect(hoursCovering(new Date('2026-12-01T12:05:00Z'), now)).toBe(1); // a clock a little ahead
  });
});
