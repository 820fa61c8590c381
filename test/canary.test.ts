// The secret canary (issue 11): one canary value is planted in every secret-like place the
// scenarios can carry (CloudFormation failure reasons and stack status reasons, CloudTrail
// errorMessages and request parameters, RDS event messages, secret descriptions, SSM
// SecureString values, the rotation function's log lines, a RotationFailed errorMessage),
// in the forms whybot's redactor must recognise: a URL's password, user/password@host,
// password=, "with password X", JSON members. Then the real paths run — the built CLI (text,
// --json, stderr), the bot over HTTP (slash commands, buttons, the Slack double), the alert
// handler — with logs at trace, and the canary must appear in no Slack call, no
// response_url post, no ack, no log line, no store row, no CLI output.
//
// ECS task definitions carry secret names and valueFrom ARNs only (never values): not planted.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRotationEvent } from '../src/alerts/events.js';
import { handleRotationEvent } from '../src/alerts/handle.js';
import { AwsClients } from '../src/aws/clients.js';
import type { Config } from '../src/config.js';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { createLogger, type LogDestination } from '../src/logger.js';
import { REDACTED, redactText } from '../src/redact/index.js';
import { ssmRecreateParameter } from '../src/remediations/kms-guidance.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Scenario } from '../src/sandbox/scenario.js';
import { startSlackDouble, type SlackDouble, type SlackMessage } from '../src/sandbox/slack/server.js';
import { slackClientOptions } from '../src/slack/client-options.js';
import { slackWriteReporter } from '../src/slack/write-report.js';
import { slackResultPoster } from '../src/slack/alert-result.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { awsWorld, BOT_TOKEN, interactionBody, post, SIGNING_SECRET, signedHeaders, slashCommandBody, testConfig } from './helpers/harness.js';

/** Shaped like a generated password; too short and too word-like for the shape rules alone. */
const CANARY = 'CANARY-PW-7f3a9c41e2b8';
/** Any part of it: a cut that left half the canary behind is a leak too. */
const LEAK = /CANARY|7f3a9c41e2b8/;

// ---------------------------------------------------------------- planting

/** The forms a secret takes in the text AWS hands back. */
const forms = {
  url: `postgres://admin:${CANARY}@myapp-db.cluster-abc.ap-northeast-1.rds.amazonaws.com:5432/app`,
  kv: `password=${CANARY}`,
  prose: `with password ${CANARY}`,
  oracle: `sqlplus admin/${CANARY}@prod-db:1521/ORCL`,
  json: JSON.stringify({ username: 'admin', password: CANARY }),
};
const allForms = Object.values(forms).join('; ');

/** Plants the canary everywhere this scenario can carry a secret; counts the places. */
function plant(s: Scenario): number {
  let n = 0;
  for (const stack of s.cloudformation?.stacks ?? []) {
    if (stack.statusReason !== undefined) {
      stack.statusReason += ` Custom resource said: login failed ${forms.prose} (${forms.url})`;
      n++;
    }
    for (const ev of stack.events ?? []) {
      if (ev.reason !== undefined && ev.reason !== 'User Initiated') {
        // the canary past any cut a renderer makes (120, 600, 1000 characters): redaction must happen before the cut
        ev.reason = `${ev.reason} Message returned: could not connect to ${forms.url} ${forms.kv} ${forms.oracle}`;
        n++;
      }
    }
  }
  for (const ev of s.cloudtrail.events) {
    if (ev.errorMessage !== undefined) {
      ev.errorMessage += ` (request used ${forms.kv}, ${forms.prose})`;
      n++;
    }
    if (/PutSecretValue|UpdateSecret|CreateSecret/.test(ev.eventName)) {
      ev.requestParameters = { ...(ev.requestParameters ?? {}), secretString: forms.json, password: CANARY };
      n++;
    }
  }
  for (const ev of s.rds.events) {
    ev.message = `${ev.message} (${forms.prose})`;
    n++;
  }
  for (const secret of s.secretsManager.secrets) {
    secret.description = `${secret.description ?? ''} bootstrap: ${forms.url}`;
    n++;
  }
  for (const p of s.ssm?.parameters ?? []) {
    if (p.type === undefined || p.type === 'SecureString') {
      p.value = CANARY;
      n++;
    }
  }
  return n;
}

// ---------------------------------------------------------------- where it must not be

const seen = { slackCalls: 0, responses: 0, acks: 0, logLines: 0, storeRows: 0, cliRuns: 0, planted: 0 };

function assertNoCanary(where: string, text: string) {
  const m = LEAK.exec(text);
  if (m) {
    const at = Math.max(0, m.index - 160);
    expect.fail(`canary leaked in ${where}: …${text.slice(at, m.index + 60)}…`);
  }
}

/** Every row of every table of a SQLite file, as text. */
function sqliteRows(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>;
    const rows: string[] = [];
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all() as Array<Record<string, unknown>>) {
        rows.push(`${name}: ${JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : v))}`);
      }
    }
    return rows;
  } finally {
    db.close();
  }
}

function logCollector(): LogDestination & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line) };
}

// ---------------------------------------------------------------- the CLI

const cli = path.resolve((JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { whybot: string } }).bin.whybot);

function runCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env.PATH, HOME: mkdtempSync(path.join(tmpdir(), 'whybot-home-')), AWS_EC2_METADATA_DISABLED: 'true', WHYBOT_LOG_LEVEL: 'trace', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let aws: AwsDouble | undefined;
let slack: SlackDouble;
let bot: RunningBot | undefined;

beforeAll(async () => {
  slack = await startSlackDouble({ botToken: BOT_TOKEN });
});
afterAll(async () => {
  await slack.close();
  // the figures the README quotes
  console.info(`secret canary: ${JSON.stringify(seen)}`);
});
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await aws?.close();
  aws = undefined;
  slack.reset();
});

async function plantedWorld(name: string) {
  let planted = 0;
  const w = await awsWorld(name, (s) => {
    planted = plant(s);
  });
  aws = w.aws;
  expect(planted, `${name}: places planted`).toBeGreaterThan(0);
  seen.planted += planted;
  return w;
}

const CASES = [
  { playbook: 'deploy-failed', target: 'MyAppStack', scenario: 'incident-001-deploy', expect: /DbAuroraGetDbPassword/ },
  { playbook: 'decrypt-denied', target: 'AppStack', scenario: 'incident-001-kms', expect: /kms:Decrypt/ },
  { playbook: 'db-down', target: 'prod-db', scenario: 'incident-003', expect: /Reset master credentials/ },
  { playbook: 'db-down', target: 'prod-db', scenario: 'rotation-failed', expect: /prod-db/ },
] as const;

describe('secret canary: the CLI', () => {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${path.relative('.', cli)} is missing: run \`npm run build\` (npm test does)`);
  });

  it.each(CASES)('$playbook $target ($scenario): text, --json and logs at trace carry no canary', async (c) => {
    const w = await plantedWorld(c.scenario);
    const env = { AWS_ENDPOINT_URL: w.aws.url, AWS_REGION: w.scenario.region, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'x' };
    for (const args of [[c.playbook, c.target], [c.playbook, c.target, '--json']]) {
      const r = await runCli(args, env);
      seen.cliRuns++;
      expect(r.code, r.stderr).toBe(0);
      assertNoCanary(`whybot ${args.join(' ')} stdout`, r.stdout);
      assertNoCanary(`whybot ${args.join(' ')} stderr`, r.stderr);
      // still useful: the answer names what failed, and says where a secret was
      expect(r.stdout).toMatch(c.expect);
    }
  });

  it('the planted failure reason is visibly redacted, not dropped', async () => {
    const w = await plantedWorld('incident-001-deploy');
    const r = await runCli(['deploy-failed', 'MyAppStack'], { AWS_ENDPOINT_URL: w.aws.url, AWS_REGION: w.scenario.region, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'x' });
    seen.cliRuns++;
    expect(r.stdout).toContain(`postgres://admin:${REDACTED}@myapp-db`);
    assertNoCanary('deploy-failed stdout', r.stdout);
  });
});

describe('secret canary: the bot over HTTP', () => {
  async function boot(scenario: string) {
    await plantedWorld(scenario);
    const logs = logCollector();
    // inline lanes: every job runs in this thread, on the logger given here
    const config = testConfig({ SLACK_API_URL: slack.url, AWS_REGION: process.env.AWS_REGION!, WHYBOT_WORKER_THREADS: '0', WHYBOT_LOG_LEVEL: 'trace' });
    bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, createLogger('trace', {}, logs));
    return { url: `http://127.0.0.1:${bot.port}/slack/events`, logs, dbPath: config.store.dbPath! };
  }

  async function clickShowCli(url: string, channel: string) {
    let clicks = 0;
    for (const m of slack.channelMessages(channel)) {
      const actions = ((m.blocks ?? []) as Array<{ type: string; block_id?: string; elements?: Array<{ action_id?: string; value?: string }> }>).filter((b) => b.type === 'actions');
      for (const a of actions) {
        const button = a.elements?.find((e) => e.action_id === 'show-cli');
        if (!button?.value) continue;
        const id = `click-${clicks++}`;
        const body = interactionBody({
          type: 'block_actions',
          user: { id: 'U0ALICE', username: 'alice', team_id: 'T0001' },
          api_app_id: 'A0WHYBOT',
          token: 'legacy',
          team: { id: 'T0001', domain: 'acme' },
          container: { type: 'message', message_ts: m.ts, channel_id: channel, is_ephemeral: false, thread_ts: m.threadTs ?? m.ts },
          trigger_id: `trigger-${id}`,
          channel: { id: channel, name: 'oncall' },
          message: { type: 'message', ts: m.ts, thread_ts: m.threadTs ?? m.ts, text: m.text, blocks: m.blocks },
          response_url: slack.responseUrl(id, { channel, user: 'U0ALICE' }),
          actions: [{ type: 'button', action_id: 'show-cli', block_id: a.block_id ?? 'b', value: button.value, action_ts: '1' }],
        });
        const res = await post(url, body, signedHeaders(body));
        seen.acks++;
        assertNoCanary('show-cli ack', res.text);
      }
    }
    return clicks;
  }

  function assertSlackClean(logs: string[], dbPath: string) {
    for (const c of slack.calls) {
      seen.slackCalls++;
      assertNoCanary(`Slack call ${c.method}`, JSON.stringify(c.args));
    }
    for (const r of slack.responses) {
      seen.responses++;
      assertNoCanary(`response_url post ${r.id}`, JSON.stringify(r.body));
    }
    for (const m of slack.messages as SlackMessage[]) assertNoCanary(`message ${m.ts}`, JSON.stringify(m));
    for (const line of logs) {
      seen.logLines++;
      assertNoCanary('log line', line);
    }
    for (const row of sqliteRows(dbPath)) {
      seen.storeRows++;
      assertNoCanary('store row', row);
    }
  }

  it.each(CASES)('/why-$playbook $target ($scenario): no Slack call, response, ack, log line or store row carries the canary', async (c) => {
    const { url, logs, dbPath } = await boot(c.scenario);
    const body = slashCommandBody(`/why-${c.playbook}`, c.target, slack.responseUrl('r1', { channel: 'C0ONCALL', user: 'U0ALICE' }));
    const ack = await post(url, body, signedHeaders(body));
    seen.acks++;
    expect(ack.status).toBe(200);
    assertNoCanary('slash command ack', ack.text);
    await bot!.jobs.idle();
    const thread = slack.channelMessages('C0ONCALL');
    expect(thread.length, 'the answer was posted').toBeGreaterThan(1);
    expect(thread.map((m) => JSON.stringify(m.blocks ?? []) + (m.text ?? '')).join('\n')).toMatch(c.expect);
    await clickShowCli(url, 'C0ONCALL');
    await bot!.jobs.idle();
    // trace logging was on, and the Web API's request bodies were not among the lines
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.some((l) => l.includes('http request body'))).toBe(false);
    assertSlackClean(logs.lines, dbPath);
  });

  it('a slash command that quotes a password is answered without it (the ack passes the redactor)', async () => {
    const { url, logs, dbPath } = await boot('incident-003');
    const body = slashCommandBody('/why-db-down', `prod-db --bogus ${forms.kv}`, slack.responseUrl('r2', { channel: 'C0ONCALL', user: 'U0ALICE' }));
    const ack = await post(url, body, signedHeaders(body));
    seen.acks++;
    expect(ack.status).toBe(200);
    expect(ack.text).toMatch(/:warning:/);
    assertNoCanary('error ack', ack.text);
    await bot!.jobs.idle();
    assertSlackClean(logs.lines, dbPath);
  });
});

describe('secret canary: alerts and the store', () => {
  it('a RotationFailed alert: errorMessage and log lines quoting the password reach neither Slack nor the logs nor the store', async () => {
    const fn = 'arn:aws:lambda:ap-northeast-1:123456789012:function:SecretsManagerRDSRotation';
    let planted = 0;
    const w = await awsWorld('rotation-failed', (s) => {
      planted = plant(s);
      s.secretsManager.secrets[0]!.rotationLambdaArn = fn;
      // the alert runs rotation-failed, which reads the function and then its log
      s.lambda.functions.push({ name: 'SecretsManagerRDSRotation' });
      s.logs = {
        groups: [
          {
            name: '/aws/lambda/SecretsManagerRDSRotation',
            events: [
              { time: 'now-2h2m', message: `setSecret: connecting with ${forms.json}` },
              { time: 'now-2h1m', message: `setSecret: ALTER USER admin ${forms.prose}` },
              { time: 'now-2h30s', message: `testSecret: ${forms.url} refused; ${forms.oracle}` },
              { time: 'now-2h', message: 'setSecret: Unable to log into database with previous, current, or pending secret' },
            ],
          },
        ],
      };
      planted += 4;
    });
    aws = w.aws;
    seen.planted += planted;
    const dir = mkdtempSync(path.join(tmpdir(), 'whybot-canary-'));
    const dbPath = path.join(dir, 'store.sqlite');
    const store = openSqliteStore(dbPath);
    const logs = logCollector();
    try {
      const config: Config = testConfig({ AWS_REGION: w.scenario.region, SLACK_API_URL: slack.url, WHYBOT_ALERT_CHANNEL: 'C0ALERTS', WHYBOT_LOG_LEVEL: 'trace' });
      const client = new WebClient(BOT_TOKEN, { ...slackClientOptions(config), retryConfig: { retries: 0 } });
      const awsFor = (region: string) => new AwsClients({ region, maxAttempts: 2 });
      const deps = { client, store, config, log: createLogger('trace', {}, logs), awsFor, owner: 'canary-test', reportWrite: slackWriteReporter({ client, store, config }), postResult: slackResultPoster({ client, config }) };
      const time = new Date(w.aws.now().getTime() - 2 * 3_600_000);
      const secret = w.aws.world.secretsManager.secrets[0]!.arn;
      const parsed = parseRotationEvent({
        version: '0', id: 'evt-canary', 'detail-type': 'AWS Service Event via CloudTrail', source: 'aws.secretsmanager', account: '123456789012',
        time: time.toISOString(), region: w.scenario.region, resources: [],
        detail: {
          eventSource: 'secretsmanager.amazonaws.com', eventName: 'RotationFailed', eventTime: time.toISOString(), awsRegion: w.scenario.region,
          requestParameters: null, responseElements: null, additionalEventData: { SecretId: secret }, requestID: 'Rotation-canary-0d5b6f8e-1111-4222-8333-944455556666',
          eventID: 'id-canary', eventType: 'AwsServiceEvent',
          errorMessage: `setSecret: Unable to log into database: ${forms.kv}; ${forms.url}`,
        },
      });
      if (!parsed.ok) throw new Error(parsed.reason);
      seen.planted++;
      expect(await handleRotationEvent(parsed.event, deps)).toBe('posted');
      const post = slack.channelMessages('C0ALERTS').map((m) => JSON.stringify(m.blocks ?? []) + (m.text ?? '')).join('\n');
      expect(post).toMatch(/Rotation of secret .* failed/);
      expect(post).toMatch(/CloudTrail: setSecret: Unable to log into database/);
      expect(post).toContain(REDACTED);
      // the investigation read the log (where the other forms are planted) and answered in the thread
      expect(w.aws.calls.some((c) => c.operation === 'FilterLogEvents')).toBe(true);
      expect(slack.channelMessages('C0ALERTS').filter((m) => m.threadTs).length).toBeGreaterThan(0);

      // an audit record whose result quotes AWS's answer, written through the store's one path
      await store.appendAudit({
        id: 'audit-canary', at: new Date().toISOString(), actor: 'U0ALICE', action: 'ecs-redeploy', params: { cluster: 'prod', service: 'api', note: forms.prose },
        outcome: 'failed', result: `UpdateService failed: ${allForms}`,
      });
      seen.planted++;
      for (const c of slack.calls) {
        seen.slackCalls++;
        assertNoCanary(`Slack call ${c.method}`, JSON.stringify(c.args));
      }
      for (const line of logs.lines) {
        seen.logLines++;
        assertNoCanary('log line', line);
      }
    } finally {
      await store.close();
    }
    const rows = sqliteRows(dbPath);
    expect(rows.some((r) => r.includes('audit-canary'))).toBe(true);
    for (const row of rows) {
      seen.storeRows++;
      assertNoCanary('store row', row);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs: every level, messages, fields and errors are redacted; lines stay JSON', () => {
    const logs = logCollector();
    const log = createLogger('trace', { component: 'canary' }, logs);
    log.trace({ body: `text=${encodeURIComponent(forms.prose)}` }, 'http request body');
    log.debug({ reason: forms.url }, `stack failed: ${forms.kv}`);
    log.info({ nested: { list: [forms.json, { password: CANARY }] } }, 'nested');
    log.warn(new Error(`connect failed ${forms.oracle}`), 'warn with an error');
    log.error({ err: new Error(forms.prose), password: CANARY }, 'error');
    log.fatal(`${forms.url} ${forms.kv}`);
    expect(logs.lines).toHaveLength(6);
    for (const line of logs.lines) {
      seen.logLines++;
      assertNoCanary('log line', line);
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    expect(logs.lines.join('\n')).toContain(REDACTED);
  });
});

describe('guidance never corrupts a secret (issue 11 item 13)', () => {
  const commands = ssmRecreateParameter.cli({ name: '/app/db/password', region: 'ap-northeast-1' });
  const script = commands.join('\n');

  it('the value travels as a JSON string, never through --output text or --value file://', () => {
    expect(script).not.toMatch(/--output text/);
    expect(script).not.toMatch(/--value/);
    expect(script).not.toMatch(/\$\(aws /); // command substitution drops trailing newlines
    expect(script).toMatch(/aws ssm get-parameter .*--with-decryption --query '\{Name: Parameter\.Name, Value: Parameter\.Value\}' --output json > "\$tmp"/);
    expect(script).toMatch(/aws ssm put-parameter .*--cli-input-json "file:\/\/\$tmp" --type SecureString --key-id alias\/aws\/ssm --overwrite/);
    // the redactor leaves the guidance as written (it is shown in Slack and the terminal)
    expect(redactText(script)).toBe(script);
  });

  it('JSON round-trips every value exactly (what --cli-input-json reads is what get-parameter printed)', () => {
    for (const value of [CANARY, `${CANARY}\n`, ` ${CANARY} `, 'pa"ss\\word\t', 'ünïcødé-パスワード', '\n\n']) {
      const file = `${JSON.stringify({ Name: '/app/db/password', Value: value }, null, 4)}\n`;
      expect((JSON.parse(file) as { Value: string }).Value).toBe(value);
    }
  });
});
