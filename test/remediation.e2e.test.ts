// The path of a click, end to end: signed block_actions → views.open with the plan → signed
// view_submission → exactly one AWS write → thread replies → verification. Real Bolt, real
// SDK, the AWS and Slack doubles, a real SQLite file (and dynalite for the DynamoDB store).
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { createLogger } from '../src/logger.js';
import { remediations } from '../src/remediations/index.js';
import { actionMetas } from '../src/remediations/metas.js';
import { ActionSigner } from '../src/remediations/signed-value.js';
import type { RemediationAction } from '../src/remediations/types.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Scenario } from '../src/sandbox/scenario.js';
import { collectMrkdwn, findUnescapedSpecials } from '../src/sandbox/slack/block-kit.js';
import { startSlackDouble, type SlackDouble, type SlackMessage } from '../src/sandbox/slack/server.js';
import { buttonsIn, clickBody as click, submitBody, type ButtonRef } from './helpers/buttons.js';
import { awsWorld, BOT_TOKEN, post, SIGNING_SECRET, signedHeaders, slashCommandBody, testConfig } from './helpers/harness.js';

const ACTION_SECRET = 'test-action-secret-0123456789abcdef-0123456789';
const CHANNEL = 'C0ONCALL';

let slack: SlackDouble;
let aws: AwsDouble | undefined;
let bot: RunningBot | undefined;
let url = '';
let tmp = '';

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN, usergroups: { S0ONCALL: ['U0BOB'] } });
});
afterAll(async () => slack.close());
afterEach(async () => {
  await bot?.stop();
  await aws?.close();
  bot = undefined;
  aws = undefined;
  slack.reset();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = '';
});

async function boot(scenario = 'incident-003', env: Record<string, string> = {}, tweak?: (s: Scenario) => void) {
  ({ aws } = await awsWorld(scenario, tweak));
  tmp = mkdtempSync(path.join(tmpdir(), 'whybot-e2e-'));
  const config = testConfig({
    SLACK_API_URL: slack.url,
    AWS_REGION: process.env.AWS_REGION!,
    WHYBOT_ACTION_SECRET: ACTION_SECRET,
    WHYBOT_RESPONDERS: 'U0ALICE, S0ONCALL',
    WHYBOT_DB_PATH: path.join(tmp, 'nested', 'whybot.sqlite'),
    WHYBOT_VERIFY_INTERVAL_MS: '40',
    WHYBOT_VERIFY_TIMEOUT_MS: '5000',
    ...env,
  });
  bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, createLogger('silent'));
  url = `http://127.0.0.1:${bot.port}/slack/events`;
}

async function signedPost(body: string, extraHeaders: Record<string, string> = {}) {
  return post(url, body, { ...signedHeaders(body), ...extraHeaders });
}

/** Runs /why-db-down prod-db and returns the thread's remediation buttons. */
async function investigate(): Promise<ButtonRef[]> {
  const body = slashCommandBody('/why-db-down', 'prod-db', slack.responseUrl('cmd', { channel: CHANNEL, user: 'U0ALICE' }));
  await signedPost(body);
  await bot!.jobs.idle();
  const root = slack.channelMessages(CHANNEL).find((m) => !m.threadTs)!;
  return buttonsIn(slack, CHANNEL, root.ts);
}

const clickBody = (button: ButtonRef, user: string, value = button.value, responseId = `click-${user}`) => click(slack, CHANNEL, button, user, value, responseId);

/** Clicks, reads the modal the bot opened, and returns its private_metadata. */
async function clickAndReadModal(button: ButtonRef, user = 'U0ALICE'): Promise<{ metadata: string; viewText: string }> {
  const before = slack.views.length;
  expect((await signedPost(clickBody(button, user))).status).toBe(200);
  await slack.waitFor(() => slack.views.length > before);
  const view = slack.views.at(-1)!.view as { private_metadata: string };
  return { metadata: view.private_metadata, viewText: JSON.stringify(view) };
}

const writes = (op: string) => aws!.calls.filter((c) => c.operation === op && c.status === 200);
const threadText = (rootTs: string) => slack.thread(CHANNEL, rootTs).map((m) => JSON.stringify(m.blocks ?? []) + (m.text ?? '')).join('\n');

describe('remediation buttons', () => {
  it('full click path: plan in a modal, one UpdateService, thread replies, then ✅', async () => {
    await boot();
    const buttons = await investigate();
    expect(buttons.map((b) => b.actionId)).toEqual(['remediate:ecs-redeploy:0', 'remediate:rotation-schedule:0']);
    const redeploy = buttons[0]!;
    const { metadata, viewText } = await clickAndReadModal(redeploy);
    expect(viewText).toContain('ecs:UpdateService');
    expect(viewText).toContain('forceNewDeployment: true');
    expect(viewText).toContain('Undo');
    expect(writes('UpdateService')).toHaveLength(0); // nothing runs without confirm

    expect((await signedPost(submitBody('U0ALICE', metadata))).status).toBe(200);
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(1);
    const text = threadText(redeploy.rootTs);
    expect(text).toContain('<@U0ALICE> redeployed api.');
    expect(text).toMatch(/:white_check_mark: Redeploy api: verified, deployment COMPLETED, 4 of 4 running tasks started after/);
    // The button shows its state instead of staying clickable.
    const updated = slack.messages.find((m) => m.ts === redeploy.message.ts)!;
    expect(JSON.stringify(updated.blocks)).not.toContain('remediate:ecs-redeploy');
    expect(JSON.stringify(updated.blocks)).toContain('redeployed api');
    // Audit: one ran, one verified.
    const records = await bot!.store.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(records.map((r) => r.outcome)).toEqual(['ran', 'verified']);
    expect(records[0]).toMatchObject({ actor: 'U0ALICE', action: 'ecs-redeploy', params: { cluster: 'prod', service: 'api' } });
    expect(records[0]!.awsRequestId).toBeTruthy();
    for (const m of slack.messages) for (const { text: t } of collectMrkdwn(m)) expect(findUnescapedSpecials(t).filter((s) => !/^<@U0ALICE>$/.test(s))).toEqual([]);
    expect(slack.violations).toEqual([]);

    // Clicking the same value again: "already run by", no modal, no second write.
    const views = slack.views.length;
    await signedPost(clickBody(redeploy, 'U0ALICE', redeploy.value, 'again'));
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'again'));
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'again')!.body)).toMatch(/Already run by <@U0ALICE>/);
    expect(slack.views.length).toBe(views);
    expect(writes('UpdateService')).toHaveLength(1);
  });

  it('a member of a responder user group may run it; the rotation schedule takes the chosen days', async () => {
    await boot();
    const schedule = (await investigate())[1]!;
    const { metadata, viewText } = await clickAndReadModal(schedule, 'U0BOB');
    expect(viewText).toContain('RotateImmediately: false');
    await signedPost(submitBody('U0BOB', metadata, '90'));
    await bot!.jobs.idle();
    const rotate = writes('RotateSecret');
    expect(rotate).toHaveLength(1);
    expect(rotate[0]!.params).toMatchObject({ RotationRules: { AutomaticallyAfterDays: 90 }, RotateImmediately: false });
    expect(threadText(schedule.rootTs)).toMatch(/verified, rotation every 90 days/);
  });

  it('refuses a non-responder: ephemeral, no modal, no AWS write, audited', async () => {
    await boot();
    const redeploy = (await investigate())[0]!;
    await signedPost(clickBody(redeploy, 'U0MALLORY'));
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'click-U0MALLORY'));
    const reply = JSON.stringify(slack.responses.find((r) => r.id === 'click-U0MALLORY')!.body);
    expect(reply).toMatch(/Only responders can run this; responders are <@U0ALICE>, <!subteam\^S0ONCALL>/);
    expect(slack.views).toHaveLength(0);
    // Even a hand-made submission is refused.
    await signedPost(submitBody('U0MALLORY', JSON.stringify({ v: redeploy.value, c: CHANNEL })));
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(0);
    const audit = await bot!.store.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(audit.filter((r) => r.outcome === 'refused' && r.actor === 'U0MALLORY')).toHaveLength(2);
  });

  it.each([
    ['tampered', (v: string) => v.slice(0, 10) + (v[10] === 'A' ? 'B' : 'A') + v.slice(11), /bad signature/],
    ['forged with another key', () => new ActionSigner('another-secret-that-is-long-enough-000000').sign({ a: 'ecs-redeploy', p: { cluster: 'prod', service: 'api', region: 'ap-northeast-1' }, c: CHANNEL, t: '1', ttlSeconds: 600 })!, /bad signature/],
    ['expired', () => new ActionSigner(ACTION_SECRET).sign({ a: 'ecs-redeploy', p: { cluster: 'prod', service: 'api', region: 'ap-northeast-1' }, c: CHANNEL, t: '1', ttlSeconds: 60, now: Date.now() - 3_600_000 })!, /expired/],
  ])('refuses a %s button value', async (_name, mutate, message) => {
    await boot();
    const redeploy = (await investigate())[0]!;
    await signedPost(clickBody(redeploy, 'U0ALICE', mutate(redeploy.value), 'bad'));
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'bad'));
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'bad')!.body)).toMatch(message);
    expect(slack.views).toHaveLength(0);
    await signedPost(submitBody('U0ALICE', JSON.stringify({ v: mutate(redeploy.value), c: CHANNEL })));
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(0);
    const audit = await bot!.store.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(audit.filter((r) => r.outcome === 'refused').length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['AccessDenied', 'AccessDenied' as const, /access denied: needs ecs:UpdateService[\s\S]*needs `ecs:UpdateService`/],
    ['throttling', 'Throttling' as const, /throttled/],
    ['a 500', 'InternalError' as const, /AWS error 500/],
  ])('an AWS %s during execute → ❌ with the reason, claim failed, a retry button with a fresh nonce', async (_n, kind, message) => {
    await boot();
    const redeploy = (await investigate())[0]!;
    aws!.inject({ service: 'ecs', operation: 'UpdateService', kind });
    const { metadata } = await clickAndReadModal(redeploy);
    await signedPost(submitBody('U0ALICE', metadata));
    await bot!.jobs.idle();
    const text = threadText(redeploy.rootTs);
    expect(text).toMatch(message);
    expect(writes('UpdateService')).toHaveLength(0);
    const signer = new ActionSigner(ACTION_SECRET);
    const nonce = (signer.verify(redeploy.value) as { ok: true; payload: { n: string } }).payload.n;
    expect((await bot!.store.getClaim(nonce))!.state).toBe('failed');
    const retry = /"action_id":"remediate:ecs-redeploy","text":\{"type":"plain_text","text":"Retry"\},"value":"([^"]+)"/.exec(text);
    expect(retry).not.toBeNull();
    const retryPayload = signer.verify(retry![1]!);
    expect(retryPayload.ok && retryPayload.payload.n).not.toBe(nonce);
    const audit = await bot!.store.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(audit.map((r) => r.outcome)).toEqual(['failed']);
  });

  it('a verification that does not finish in time → ❌ with what was last seen', async () => {
    await boot('incident-003', { WHYBOT_VERIFY_TIMEOUT_MS: '1000' }, (s) => {
      s.ecs.clusters[0]!.services[0]!.onDeploy = 'hang';
    });
    const redeploy = (await investigate())[0]!;
    const { metadata } = await clickAndReadModal(redeploy);
    await signedPost(submitBody('U0ALICE', metadata));
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(1);
    expect(threadText(redeploy.rootTs)).toMatch(/:x: Redeploy api: not verified, not confirmed within 1 s; last seen: deployment IN_PROGRESS/);
  });
});

describe('dangerous actions', () => {
  // No built-in action is dangerous yet (the key-policy grant will be): register one here.
  const dangerousId = 'ecs-redeploy-dangerous';
  beforeAll(() => {
    remediations[dangerousId] = { ...(remediations['ecs-redeploy'] as RemediationAction), id: dangerousId, dangerous: true };
    actionMetas[dangerousId] = remediations[dangerousId];
  });
  afterAll(() => {
    delete remediations[dangerousId];
    delete actionMetas[dangerousId];
  });

  it('need a second responder: the requester cannot approve; another responder’s confirmation runs it once', async () => {
    // The test-only action lives in this thread's registry: run the jobs in this thread too.
    await boot('incident-003', { WHYBOT_WORKER_THREADS: '0' });
    const redeploy = (await investigate())[0]!;
    const value = new ActionSigner(ACTION_SECRET).sign({
      a: dangerousId, p: { cluster: 'prod', service: 'api', region: 'ap-northeast-1' }, c: CHANNEL, t: redeploy.rootTs, ttlSeconds: 600,
    })!;
    const button = { ...redeploy, actionId: `remediate:${dangerousId}`, value };
    const { metadata, viewText } = await clickAndReadModal(button, 'U0ALICE');
    expect(viewText).toMatch(/another responder to approve/);
    await signedPost(submitBody('U0ALICE', metadata));
    await bot!.jobs.idle();
    await signedPost(submitBody('U0ALICE', metadata)); // confirmed twice: still one request
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(0);
    const text = threadText(redeploy.rootTs);
    expect(text).toMatch(/<@U0ALICE> asks to run \*Redeploy api\*/);
    expect(text.match(/asks to run \*Redeploy api\*/g)).toHaveLength(1);
    const approval = new RegExp(`"action_id":"remediate:${dangerousId}:approve"[^}]*\\},"value":"([^"]+)"`).exec(text);
    expect(approval).not.toBeNull();
    const approveButton = { ...button, actionId: `remediate:${dangerousId}:approve`, value: approval![1]! };

    // The requester's own approval is refused, by the button and by a forged submission.
    await signedPost(clickBody(approveButton, 'U0ALICE', approveButton.value, 'self'));
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'self'));
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'self')!.body)).toMatch(/another responder has to approve/);
    await signedPost(submitBody('U0ALICE', JSON.stringify({ v: approveButton.value, c: CHANNEL })));
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(0);

    // Bob (a responder through the user group) reviews the plan and confirms: it runs once.
    const second = await clickAndReadModal(approveButton, 'U0BOB');
    expect(second.viewText).toMatch(/Requested by <@U0ALICE>/);
    await signedPost(submitBody('U0BOB', second.metadata));
    await signedPost(submitBody('U0BOB', second.metadata));
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(1);
    const audit = await bot!.store.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(audit.filter((r) => r.outcome === 'approval-requested').map((r) => r.actor)).toEqual(['U0ALICE']);
    expect(audit.filter((r) => r.outcome === 'ran').map((r) => r.actor)).toEqual(['U0BOB']);
  });
});

async function hundredConfirmations() {
  const redeploy = (await investigate())[0]!;
  const { metadata } = await clickAndReadModal(redeploy);
  // 100 distinct confirmations of the same button (each its own signed request; an identical
  // request replayed is dropped by the receiver before this, see slack.e2e)
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => signedPost(submitBody('U0ALICE', metadata), i % 4 === 3 ? { 'x-slack-retry-num': String(1 + (i % 3)), 'x-slack-retry-reason': 'http_timeout' } : {})),
  );
  expect(results.filter((r) => r.status !== 200)).toEqual([]);
  await bot!.jobs.idle();
  expect(writes('UpdateService')).toHaveLength(1);
  const audit = await bot!.store.queryAudit({ since: new Date(Date.now() - 60_000) });
  expect(audit.filter((r) => r.outcome === 'ran')).toHaveLength(1);
  expect(audit.filter((r) => r.outcome === 'duplicate')).toHaveLength(99);
}

describe('every click gets an answer', () => {
  it('views.open failing: the person is told, nothing runs, and the next click works', async () => {
    await boot();
    const redeploy = (await investigate())[0]!;
    slack.failNext('views.open', 'internal_error', { status: 500, times: 4 });
    await signedPost(clickBody(redeploy, 'U0ALICE', redeploy.value, 'broken-modal'));
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'broken-modal'), 15_000); // after the WebClient's retries
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'broken-modal')!.body)).toMatch(/could not open this action’s confirmation .*Nothing was run/);
    expect(writes('UpdateService')).toHaveLength(0);
    const { metadata } = await clickAndReadModal(redeploy);
    await signedPost(submitBody('U0ALICE', metadata));
    await bot!.jobs.idle();
    expect(writes('UpdateService')).toHaveLength(1);
  });

  it('the user-group lookup failing: the responder is told why, not left without an answer', async () => {
    await boot();
    const redeploy = (await investigate())[0]!;
    slack.failNext('usergroups.users.list', 'internal_error', { status: 500, times: 4 });
    await signedPost(clickBody(redeploy, 'U0BOB', redeploy.value, 'group-down'));
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'group-down'), 15_000);
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'group-down')!.body)).toMatch(/could not open .*Nothing was run/);
    expect(slack.views).toHaveLength(0);
  });

  it('a button clicked in another channel than the one it was signed for is refused and audited', async () => {
    await boot();
    const redeploy = (await investigate())[0]!;
    const body = clickBody(redeploy, 'U0ALICE', redeploy.value, 'elsewhere').replace(encodeURIComponent(`"channel":{"id":"${CHANNEL}"`), encodeURIComponent('"channel":{"id":"C0OTHER"'));
    await signedPost(body);
    await slack.waitFor(() => slack.responses.some((r) => r.id === 'elsewhere'));
    expect(JSON.stringify(slack.responses.find((r) => r.id === 'elsewhere')!.body)).toMatch(/belongs to another channel/);
    expect(slack.views).toHaveLength(0);
    const audit = await bot!.store.queryAudit({ since: new Date(Date.now() - 60_000) });
    expect(audit.find((r) => r.outcome === 'refused')?.result).toMatch(/clicked in C0OTHER/);
  });
});

describe('100 concurrent confirmations of one action (with Slack retries)', () => {
  it('on SQLite: exactly one AWS write and one "ran" record', async () => {
    await boot();
    await hundredConfirmations();
  });

  // dynalite answers 100 contending conditional writes slowly on a loaded 2-core machine
  it('on DynamoDB (dynalite): exactly one AWS write and one "ran" record', { timeout: 150_000 }, async () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    try {
      const ddb = new DynamoDBClient({ region: 'ap-northeast-1' });
      await ddb.send(
        new CreateTableCommand({
          TableName: 'whybot-e2e',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        }),
      );
      ddb.destroy();
      await boot('incident-003', { WHYBOT_TABLE: 'whybot-e2e' });
      await hundredConfirmations();
      expect(aws!.calls.some((c) => c.service === 'dynamodb')).toBe(false); // the store went to dynalite, not the AWS double
    } finally {
      await bot?.stop();
      bot = undefined;
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
