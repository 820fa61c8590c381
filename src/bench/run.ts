// npm run bench: measures, does not assert. Loopback only: the AWS and Slack doubles.
//  (a) ack latency of signed slash commands through the HTTP receiver
//  (b) time to verdict with 100 ms injected per AWS call vs the playbook's critical path
//  (c) AWS calls per investigation
//  (d) click-to-modal latency of remediation buttons
//  (e) claim-once throughput of both stores
//  (f) a burst of rotation alerts: time to last post, posts per channel per second, memory
//  (g) Lambda bundle sizes and module-init times
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import { parseRotationEvent } from '../alerts/events.js';
import { handleRotationEvent } from '../alerts/handle.js';
import { ChannelPacer } from '../alerts/pacer.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { measureBundles } from './bundles.js';
import { claimThroughput } from '../store/bench.js';
import { createDynamoStore, ensureTable } from '../store/dynamodb.js';
import { openSqliteStore } from '../store/sqlite.js';
import { AwsClients } from '../aws/clients.js';
import { loadConfig } from '../config.js';
import { startBot } from '../entry/bot.js';
import { createLogger } from '../logger.js';
import { dbDown } from '../playbooks/db-down.js';
import { startAwsDouble } from '../sandbox/aws/server.js';
import { loadScenario } from '../sandbox/scenario.js';
import { startSlackDouble } from '../sandbox/slack/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDBENCH';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function signed(body: string) {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

async function ackLatency(n: number, inProcess: boolean) {
  const scenario = await loadScenario('incident-003');
  const aws = await startAwsDouble({ scenario });
  const slack = await startSlackDouble({ botToken: TOKEN });
  process.env.AWS_ENDPOINT_URL = aws.url;
  const loaded = loadConfig({ WHYBOT_LOG_LEVEL: 'silent', SLACK_API_URL: slack.url, AWS_REGION: scenario.region });
  if (!loaded.ok) throw new Error(loaded.problems.join());
  let handedOff = 0;
  const bot = await startBot(
    loaded.config,
    { kind: 'http', botToken: TOKEN, signingSecret: SECRET, port: 0 },
    createLogger('silent'),
    inProcess ? {} : { lanes: [{ capacity: 1_000_000, run: async () => void handedOff++, close: async () => undefined }] },
  );
  const url = `http://127.0.0.1:${bot.port}/slack/events`;
  const times: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const body = new URLSearchParams({
      command: '/why-db-down', text: 'prod-db', channel_id: 'C0BENCH', user_id: 'U0BENCH', team_id: 'T0', token: 't',
      response_url: slack.responseUrl(`r${i}`), trigger_id: `t${i}`, api_app_id: 'A0',
    }).toString();
    const t0 = performance.now();
    const res = await fetch(url, { method: 'POST', headers: signed(body), body });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`ack ${res.status}`);
    if (i >= 20) times.push(performance.now() - t0); // first 20 warm up
  }
  await bot.stop();
  await aws.close();
  await slack.close();
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p99: pct(times, 99), max: times.at(-1)!, handedOff };
}

async function timeToVerdict(latencyMs: number, runs: number) {
  const scenario = await loadScenario('incident-003');
  const aws = await startAwsDouble({ scenario, latencyMs });
  process.env.AWS_ENDPOINT_URL = aws.url;
  const durations: number[] = [];
  let calls: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    aws.reset();
    const clients = new AwsClients({ region: scenario.region });
    await clients.preflight();
    const t0 = performance.now();
    const result = await dbDown.run(clients, { target: 'prod-db', region: scenario.region, hours: 24 }, { timeoutMs: 20_000 });
    durations.push(performance.now() - t0);
    clients.destroy();
    if (result.findings[0]?.id !== 'stale-credentials') throw new Error('unexpected diagnosis');
    calls = {};
    for (const c of aws.calls) calls[`${c.service}:${c.operation}`] = (calls[`${c.service}:${c.operation}`] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 1100)); // let the LookupEvents limiter refill between runs
  }
  await aws.close();
  durations.sort((a, b) => a - b);
  const bound = dbDown.criticalPathCalls * latencyMs;
  return { median: pct(durations, 50), worst: durations.at(-1)!, bound, calls };
}

async function clickToModal(n: number) {
  const scenario = await loadScenario('incident-003');
  const aws = await startAwsDouble({ scenario });
  const slack = await startSlackDouble({ botToken: TOKEN });
  process.env.AWS_ENDPOINT_URL = aws.url;
  const dir = mkdtempSync(path.join(tmpdir(), 'whybot-bench-'));
  const actionSecret = 'bench-action-secret-0123456789abcdef-0123';
  const loaded = loadConfig({
    WHYBOT_LOG_LEVEL: 'silent', SLACK_API_URL: slack.url, AWS_REGION: scenario.region,
    WHYBOT_ACTION_SECRET: actionSecret, WHYBOT_RESPONDERS: 'U0BENCH', WHYBOT_DB_PATH: path.join(dir, 'bench.sqlite'),
  });
  if (!loaded.ok) throw new Error(loaded.problems.join());
  const bot = await startBot(loaded.config, { kind: 'http', botToken: TOKEN, signingSecret: SECRET, port: 0 }, createLogger('silent'));
  const url = `http://127.0.0.1:${bot.port}/slack/events`;
  const signer = new ActionSigner(actionSecret);
  const times: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const value = signer.sign({ a: 'ecs-redeploy', p: { cluster: 'prod', service: 'api', region: scenario.region }, c: 'C0BENCH', t: '1.0', ttlSeconds: 600 })!;
    const body = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions', user: { id: 'U0BENCH' }, team: { id: 'T0' }, api_app_id: 'A0', token: 't', trigger_id: `trig-${i}`,
        channel: { id: 'C0BENCH' }, container: { type: 'message', message_ts: '2.0', channel_id: 'C0BENCH' },
        response_url: slack.responseUrl(`c${i}`),
        actions: [{ type: 'button', action_id: 'remediate:ecs-redeploy', block_id: 'b', value, action_ts: '1' }],
      }),
    }).toString();
    const before = slack.callsTo('views.open').length;
    const t0 = Date.now();
    const res = await fetch(url, { method: 'POST', headers: signed(body), body });
    await res.arrayBuffer();
    await slack.waitFor(() => slack.callsTo('views.open').length > before, 5_000);
    if (i >= 20) times.push(slack.callsTo('views.open').at(-1)!.at - t0);
  }
  await bot.stop();
  await aws.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p99: pct(times, 99), max: times.at(-1)! };
}

async function storeThroughput() {
  const dir = mkdtempSync(path.join(tmpdir(), 'whybot-bench-'));
  const sqlite = openSqliteStore(path.join(dir, 'claims.sqlite'));
  const onSqlite = await claimThroughput(sqlite, 5000, 16);
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });

  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  await ensureTable(client, 'whybot-bench');
  const dynamo = createDynamoStore({ table: 'whybot-bench', client });
  const onDynamo = await claimThroughput(dynamo, 1000, 16);
  await dynamo.close();
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { onSqlite, onDynamo };
}

async function alertBurst(events: number, secrets: number) {
  const scenario = await loadScenario('incident-003');
  const arns = Array.from({ length: secrets }, (_, i) => `arn:aws:secretsmanager:${scenario.region}:${scenario.accountId}:secret:bench-${i}-Ab12C${i % 10}`);
  for (const [i, arn] of arns.entries()) scenario.secretsManager.secrets.push({ arn, name: `bench-${i}`, rotationEnabled: true, rotationDays: 30, tags: {} });
  const aws = await startAwsDouble({ scenario });
  const slack = await startSlackDouble({ botToken: TOKEN });
  process.env.AWS_ENDPOINT_URL = aws.url;
  const dir = mkdtempSync(path.join(tmpdir(), 'whybot-bench-'));
  const store = openSqliteStore(path.join(dir, 'alerts.sqlite'));
  const loaded = loadConfig({ WHYBOT_LOG_LEVEL: 'silent', AWS_REGION: scenario.region, WHYBOT_ALERT_CHANNEL: 'C0ALERTS' });
  if (!loaded.ok) throw new Error(loaded.problems.join());
  const config = loaded.config;
  const deps = {
    client: new WebClient(TOKEN, { slackApiUrl: slack.url }),
    store, config, pacer: new ChannelPacer(config.alerts.ratePerSec), log: createLogger('silent'),
    awsFor: (region: string) => new AwsClients({ region }),
  };
  const time = new Date(Date.now() - 3_600_000).toISOString();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: events }, (_, i) => {
      const arn = arns[i % secrets]!;
      const parsed = parseRotationEvent({
        id: `e${i}`, source: 'aws.secretsmanager', 'detail-type': 'AWS Service Event via CloudTrail', account: scenario.accountId, region: scenario.region, time,
        detail: { eventName: 'RotationSucceeded', eventTime: time, additionalEventData: { SecretId: arn }, requestID: `Rotation-${arn}-0d5b6f8e-1111-4222-8333-944455556666` },
      });
      if (!parsed.ok) throw new Error(parsed.reason);
      return handleRotationEvent(parsed.event, deps);
    }),
  );
  const elapsed = performance.now() - t0;
  clearInterval(sampler);
  const posts = slack.callsTo('chat.postMessage').filter((c) => c.ok);
  const span = (posts.at(-1)!.at - posts[0]!.at) / 1000;
  await store.close();
  await aws.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
  return { posted: outcomes.filter((o) => o === 'posted').length, posts: posts.length, elapsed, perSec: (posts.length - 1) / span, peakMb: peak / 2 ** 20 };
}

async function main() {
  console.log('whybot bench (loopback doubles; this machine)\n');
  const handoff = await ackLatency(500, false);
  console.log(`(a) ack latency, 500 signed /why-db-down over HTTP, job handed off (as on Lambda):`);
  console.log(`    p50 ${ms(handoff.p50)}  p99 ${ms(handoff.p99)}  max ${ms(handoff.max)}  (target p99 < 30 ms)`);
  const busy = await ackLatency(60, true);
  console.log(`    with each investigation running in the same process (60 commands):`);
  console.log(`    p50 ${ms(busy.p50)}  p99 ${ms(busy.p99)}  max ${ms(busy.max)}`);

  const v = await timeToVerdict(100, 5);
  console.log(`\n(b) time to verdict, incident 003, 100 ms injected per AWS call (5 runs):`);
  console.log(`    median ${ms(v.median)}  worst ${ms(v.worst)}  critical path ${dbDown.criticalPathCalls} calls = ${v.bound} ms`);
  console.log(`    ratio median/bound ${(v.median / v.bound).toFixed(3)}  (target ≤ 1.15)`);

  const total = Object.values(v.calls).reduce((a, b) => a + b, 0);
  console.log(`\n(c) AWS calls per investigation (incident 003): ${total}`);
  for (const [op, n] of Object.entries(v.calls).sort()) console.log(`    ${op.padEnd(40)} ${n}`);

  const modal = await clickToModal(200);
  console.log(`\n(d) click-to-modal latency, 200 signed button clicks (verify, authorise, views.open):`);
  console.log(`    p50 ${ms(modal.p50)}  p99 ${ms(modal.p99)}  max ${ms(modal.max)}  (budget: trigger_id valid 3000 ms)`);

  const t = await storeThroughput();
  console.log(`\n(e) claim-once throughput (concurrency 16; contention = every claim on one nonce, exactly 1 wins):`);
  console.log(`    SQLite file        ${t.onSqlite.claimsPerSec.toFixed(0)} claims/s distinct, ${t.onSqlite.contentionClaimsPerSec.toFixed(0)} claims/s contended (${t.onSqlite.contentionWins} win)`);
  console.log(`    DynamoDB/dynalite  ${t.onDynamo.claimsPerSec.toFixed(0)} claims/s distinct, ${t.onDynamo.contentionClaimsPerSec.toFixed(0)} claims/s contended (${t.onDynamo.contentionWins} win)`);

  const burst = await alertBurst(1000, 50);
  console.log(`\n(f) rotation alerts: 1,000 RotationSucceeded events for 50 secrets, at once:`);
  console.log(`    ${burst.posts} posts (${burst.posted} alerts), last one after ${(burst.elapsed / 1000).toFixed(1)} s, ${burst.perSec.toFixed(2)} posts/s in the channel, peak RSS ${burst.peakMb.toFixed(0)} MB`);

  console.log('\n(g) Lambda bundles (zipped size, module init median of 7 fresh processes):');
  await measureBundles();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench failed:', err);
    process.exit(1);
  },
);
