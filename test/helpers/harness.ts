// Shared wiring for end-to-end tests: the AWS double on loopback behind AWS_ENDPOINT_URL,
// the Slack Web API double behind SLACK_API_URL, and signed Slack requests.
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsClients } from '../../src/aws/clients.js';
import { loadConfig, type Config } from '../../src/config.js';
import { MemoryRateGate, useRateGate } from '../../src/platform/rate-gate.js';
import { startAwsDouble, type AwsDouble } from '../../src/sandbox/aws/server.js';
import { loadScenario, type Scenario } from '../../src/sandbox/scenario.js';

export async function awsWorld(name: string, tweak?: (s: Scenario) => void): Promise<{ aws: AwsDouble; scenario: Scenario }> {
  const scenario = await loadScenario(name);
  tweak?.(scenario);
  const aws = await startAwsDouble({ scenario });
  // A new double is a new account with fresh quotas: so is whybot's schedule of them.
  useRateGate(new MemoryRateGate());
  process.env.AWS_ENDPOINT_URL = aws.url;
  process.env.AWS_REGION = scenario.region;
  return { aws, scenario };
}

export function clientsFor(region: string): AwsClients {
  // One attempt less than default keeps fault tests quick; retries are still exercised.
  return new AwsClients({ region, maxAttempts: 2 });
}

/** A store of its own for each bot a test starts (never the user's ~/.local/share/whybot). */
export function testDbPath(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'whybot-test-')), 'whybot.sqlite');
}

export function testConfig(env: Record<string, string> = {}): Config {
  const r = loadConfig({ WHYBOT_LOG_LEVEL: 'silent', WHYBOT_PROGRESS_INTERVAL_MS: '50', WHYBOT_DB_PATH: testDbPath(), ...env });
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.config;
}

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-token';

export function signedHeaders(body: string, opts: { secret?: string; timestamp?: number; contentType?: string } = {}) {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', opts.secret ?? SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}

/** A slash command's fields as Slack sends them (form fields over HTTP, a payload over Socket Mode). */
export function slashCommandFields(command: string, text: string, responseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: 'T0001',
    team_domain: 'acme',
    channel_id: 'C0ONCALL',
    channel_name: 'oncall',
    user_id: 'U0ALICE',
    user_name: 'alice',
    command,
    text,
    api_app_id: 'A0WHYBOT',
    response_url: responseUrl,
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    ...extra,
  };
}

export function slashCommandBody(command: string, text: string, responseUrl: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams(slashCommandFields(command, text, responseUrl, extra)).toString();
}

export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

/** incident 003 plus what the Lambda functions need: their SSM secrets and the worker function. */
export function lambdaWorld(prefix: string, workerFunction: string, tweak?: (s: Scenario) => void) {
  return awsWorld('incident-003', (s) => {
    tweak?.(s);
    s.ssm = {
      parameters: [
        { name: `${prefix}/slack-bot-token`, value: BOT_TOKEN, type: 'SecureString' },
        { name: `${prefix}/slack-signing-secret`, value: SIGNING_SECRET, type: 'SecureString' },
        { name: `${prefix}/action-secret`, value: 'ci-action-secret-0123456789abcdef-0123456789', type: 'SecureString' },
      ],
    };
    s.lambda = { functions: [{ name: workerFunction }] };
  });
}
