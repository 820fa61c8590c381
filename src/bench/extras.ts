// (6) The cheap figures kept from the old bench, each against a baseline of the same run:
//  - click-to-modal: a signed remediation button click into the `npm start` child → views.open
//    at the Slack double, vs the bare node:http child's answer to the same request;
//  - claim-once throughput of both stores, contended (every claim on one nonce) vs distinct;
//  - CLI start: `whybot --help` and a usage error vs `node -e 0`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ActionSigner } from '../remediations/signed-value.js';
import { claimThroughput } from './store-claims.js';
import { createDynamoStore, ensureTable } from '../store/dynamodb.js';
import { openSqliteStore } from '../store/sqlite.js';
import { cliPath, runNode, startBareChild, startBotChild } from './children.js';
import { BOT_TOKEN, LoadGenerator, SIGNING_SECRET } from './slack-requests.js';
import { percentile } from './stats.js';
import type { World } from './world.js';

const ACTION_SECRET = 'bench-action-secret-0123456789abcdef-0123';

export interface ModalRun {
  clicks: number;
  p50: number;
  p99: number;
  bareP50: number;
  bareP99: number;
  opened: number;
}

function clickBody(world: World, signer: ActionSigner, i: number): string {
  const value = signer.sign({ a: 'ecs-redeploy', p: { cluster: 'prod', service: 'api', region: world.scenario.region }, c: 'C0MODAL', t: '1.0', ttlSeconds: 600 })!;
  return new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions', user: { id: 'U0BENCH' }, team: { id: 'T0BENCH' }, api_app_id: 'A0WHYBOT', token: 't', trigger_id: `trig-${i}-${Math.random().toString(36).slice(2)}`,
      channel: { id: 'C0MODAL' }, container: { type: 'message', message_ts: '2.0', channel_id: 'C0MODAL' },
      response_url: world.slack.responseUrl(`click-${i}`),
      actions: [{ type: 'button', action_id: 'remediate:ecs-redeploy', block_id: 'b', value, action_ts: '1' }],
    }),
  }).toString();
}

/** Clicks one at a time; each measured from sent to its views.open at the Slack double. */
export async function modalRun(world: World, clicks: number, tag: string): Promise<ModalRun> {
  const signer = new ActionSigner(ACTION_SECRET);
  const gen = new LoadGenerator();
  const bare = await startBareChild();
  try {
    const bodies = Array.from({ length: clicks }, (_, i) => clickBody(world, signer, i));
    await gen.send({ url: bare.url, bodies: bodies.slice(0, 5), mode: 'sequential' });
    const b = await gen.send({ url: bare.url, bodies, mode: 'sequential' });
    await bare.stop();
    const bot = await startBotChild({
      slackApiUrl: world.slack.url, awsUrl: world.aws.url, region: world.scenario.region,
      signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, dbPath: world.dbPath(`modal-${tag}`),
    });
    try {
      const times: number[] = [];
      for (let i = 0; i < clicks + 5; i++) {
        const before = world.slack.callsTo('views.open').length;
        const t0 = Date.now();
        await gen.send({ url: bot.url, bodies: [clickBody(world, signer, i)], mode: 'sequential' });
        await world.slack.waitFor(() => world.slack.callsTo('views.open').length > before, 5_000).catch(() => undefined);
        const opened = world.slack.callsTo('views.open');
        if (i >= 5 && opened.length > before) times.push(opened.at(-1)!.at - t0); // the first 5 warm up
      }
      return { clicks, p50: percentile(times, 50), p99: percentile(times, 99), bareP50: percentile(b.latencies, 50), bareP99: percentile(b.latencies, 99), opened: times.length };
    } finally {
      await bot.stop();
    }
  } finally {
    await bare.stop();
    await gen.close();
  }
}

export interface ClaimRun {
  sqlite: { distinct: number; contended: number };
  dynamo: { distinct: number; contended: number };
}

export async function claimRun(): Promise<ClaimRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'whybot-bench-claims-'));
  const sqlite = openSqliteStore(path.join(dir, 'claims.sqlite'));
  const s = await claimThroughput(sqlite, 3000, 16).finally(() => sqlite.close());
  rmSync(dir, { recursive: true, force: true });

  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  try {
    await ensureTable(client, 'whybot-bench-claims');
    const dynamo = createDynamoStore({ table: 'whybot-bench-claims', client });
    const d = await claimThroughput(dynamo, 500, 16).finally(() => dynamo.close());
    return {
      sqlite: { distinct: s.claimsPerSec, contended: s.contentionClaimsPerSec },
      dynamo: { distinct: d.claimsPerSec, contended: d.contentionClaimsPerSec },
    };
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface CliStartRun {
  nodeMs: number;
  helpMs: number;
  usageErrorMs: number;
}

export async function cliStartRun(world: World): Promise<CliStartRun> {
  const env = { PATH: process.env.PATH, HOME: world.dir, AWS_REGION: world.scenario.region, WHYBOT_LOG_LEVEL: 'silent' };
  const cli = await cliPath();
  const node = await runNode(['-e', '0'], env);
  const help = await runNode([cli, '--help'], env);
  const usage = await runNode([cli, 'no-such-playbook'], env);
  return { nodeMs: node.wallMs, helpMs: help.wallMs, usageErrorMs: usage.wallMs };
}
