// slackClient(config): every Web API client whybot makes outside Bolt retries a 429 (after
// the Retry-After Slack sends) instead of failing the first time Slack says "slow down".
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { slackClient } from '../src/slack/client.js';
import { BOT_TOKEN, testConfig } from './helpers/harness.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A Web API that answers 429 (Retry-After: 0) `limited` times, then ok. */
async function rateLimitedApi(limited: number): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      if (calls <= limited) {
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"ok":false,"error":"ratelimited"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"user_id":"U0BOT","team_id":"T0TEAM"}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api`, calls: () => calls };
}

describe('slackClient', () => {
  it('retries a rate-limited call and then succeeds', async () => {
    const api = await rateLimitedApi(2);
    const client = slackClient(testConfig({ SLACK_API_URL: api.url, SLACK_BOT_TOKEN: BOT_TOKEN }));
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: 'U0BOT' });
    expect(api.calls()).toBe(3);
  });

  it('uses the token it is given over the configured one', async () => {
    const api = await rateLimitedApi(0);
    const client = slackClient(testConfig({ SLACK_API_URL: api.url, SLACK_BOT_TOKEN: BOT_TOKEN }), 'xoxb-other');
    expect(client.token).toBe('xoxb-other');
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('is the only place in src/ that makes a WebClient (Bolt makes its own from slackClientOptions)', () => {
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const makers = files.filter((f) => /new WebClient\(/.test(readFileSync(path.join(src, f), 'utf8'))).map((f) => f.split(path.sep).join('/'));
    expect(makers).toEqual(['slack/client.ts']);
  });
});
