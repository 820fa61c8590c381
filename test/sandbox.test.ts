// The sandbox behind `npm start` with nothing configured, through its JSON API only (no
// browser): a command, the verdict, a click, the modal, the verification, the healthy re-run,
// a rotation alert, a reset, the static files and the loopback-only listener.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/app/server.js';
import { publicDir } from '../src/sandbox/app/static.js';

interface Msg {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  ephemeral: boolean;
}
interface State {
  version: number;
  scenario: { name: string; title: string };
  scenarios: Array<{ name: string; title: string; description: string }>;
  user: { id: string; role: string };
  channels: Array<{ id: string; name: string }>;
  messages: Msg[];
  views: Array<{ id: string; view: Record<string, unknown>; open: boolean }>;
  awsCalls: Array<{ service: string; operation: string; status: number; ms?: number }>;
  audit: Array<{ outcome: string; actor: string }>;
  busy: boolean;
}

let sandbox: Sandbox;
let base = '';
let files = '';

beforeAll(async () => {
  // the page's own files are another suite's business: these stand in for them
  files = mkdtempSync(path.join(tmpdir(), 'whybot-sandbox-public-'));
  for (const [name, text] of [['index.html', '<!doctype html><title>whybot</title>'], ['app.js', '// app'], ['app.css', 'body{}']] as const)
    writeFileSync(path.join(files, name), text);
  writeFileSync(path.join(files, '..', 'whybot-sandbox-outside.txt'), 'outside');
  sandbox = await startSandbox({ port: 0, deployDelayMs: 100, logLevel: 'silent', publicDir: files });
  base = sandbox.url;
}, 30_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(files, { recursive: true, force: true });
  rmSync(path.join(files, '..', 'whybot-sandbox-outside.txt'), { force: true });
});

const state = async (): Promise<State> => (await fetch(`${base}/api/state`)).json() as Promise<State>;
async function api(route: string, body: unknown): Promise<Record<string, unknown> & { status?: number }> {
  const res = await fetch(`${base}/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  return { httpStatus: res.status, ...json };
}
async function until(what: string, predicate: (s: State) => boolean, timeoutMs = 20_000): Promise<State> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state();
    if (predicate(s)) return s;
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${timeoutMs} ms; messages: ${JSON.stringify(s.messages.map((m) => m.text))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const textOf = (m: Msg) => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;
const roots = (s: State, channel = 'C0ONCALL') => s.messages.filter((m) => m.channel === channel && !m.threadTs && !m.ephemeral);
const thread = (s: State, rootTs: string) => s.messages.filter((m) => m.ts === rootTs || m.threadTs === rootTs);
const settled = (s: State) => !s.busy;

describe('sandbox', () => {
  it('serves the state of incident-003 with every scenario, the channels and the sandbox user', async () => {
    const s = await state();
    expect(s.scenario.name).toBe('incident-003');
    expect(s.scenario.title).toMatch(/incident 003/);
    expect(s.scenarios.length).toBeGreaterThanOrEqual(12);
    expect(s.channels.map((c) => c.id)).toEqual(['C0ONCALL', 'C0ALERTS']);
    expect(s.user.role).toBe('responder');
    expect(s.messages).toEqual([]);
    expect(typeof s.version).toBe('number');
  });

  it('command → verdict with buttons → Redeploy → modal → verified → re-run healthy → rotation alert → reset', { timeout: 90_000 }, async () => {
    const cmd = await api('command', { channel: 'C0ONCALL', text: '/why-db-down prod-db' });
    expect(cmd).toMatchObject({ ok: true, status: 200 });
    let s = await until('a verdict with buttons', (x) => settled(x) && roots(x).some((m) => /Likely cause/.test(textOf(m))) && thread(x, roots(x)[0]!.ts).some((m) => /remediate:ecs-redeploy/.test(textOf(m))));
    const root = roots(s).find((m) => /Likely cause/.test(textOf(m)))!;
    expect(textOf(root)).toMatch(/stale|old password|started before/i);
    expect(s.awsCalls.some((c) => c.operation === 'DescribeDBClusters' && c.status === 200 && typeof c.ms === 'number')).toBe(true);

    // Redeploy, as the button sits in the thread
    const holder = thread(s, root.ts).find((m) => /remediate:ecs-redeploy/.test(textOf(m)))!;
    const button = (holder.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .find((e) => e.action_id.startsWith('remediate:ecs-redeploy'))!;
    // a non-responder is told who may, and nothing opens
    await api('user', { role: 'observer' });
    expect(await api('action', { channel: 'C0ONCALL', messageTs: holder.ts, actionId: button.action_id, value: button.value })).toMatchObject({ ok: true });
    s = await until('the refusal', (x) => x.messages.some((m) => m.ephemeral && m.user === 'U0OBSERVER' && /Only responders/.test(textOf(m))));
    expect(s.views).toEqual([]);
    await api('user', { role: 'responder' });
    const click = await api('action', { channel: 'C0ONCALL', messageTs: holder.ts, actionId: button.action_id, value: button.value });
    expect(click).toMatchObject({ ok: true, status: 200 });
    s = await until('the confirmation modal', (x) => x.views.some((v) => v.open));
    const modal = s.views.find((v) => v.open)!;
    expect(JSON.stringify(modal.view)).toContain('ecs:UpdateService');
    const submit = await api('view-submit', { viewId: modal.id, values: {} });
    expect(submit).toMatchObject({ ok: true, status: 200, open: false });
    s = await until('verified', (x) => thread(x, root.ts).some((m) => /verified/.test(textOf(m))));
    expect(thread(s, root.ts).map(textOf).join('\n')).toMatch(/:white_check_mark: Redeploy api: verified/);
    expect(s.views.find((v) => v.id === modal.id)!.open).toBe(false);
    s = await until('the audit', (x) => x.audit.some((r) => r.outcome === 'verified'));
    expect(s.audit.map((r) => r.outcome)).toEqual(['refused', 'ran', 'verified']);
    expect(s.audit.map((r) => r.actor)).toEqual(['U0OBSERVER', 'U0SANDBOX', 'U0SANDBOX']);
    await until('settled', settled);

    // Again: the write dropped the shared reads, so the new tasks are seen
    await api('command', { channel: 'C0ONCALL', text: '/why-db-down prod-db' });
    s = await until('a second verdict', (x) => settled(x) && roots(x).length === 2 && !/Checking|:hourglass/.test(textOf(roots(x)[1]!)));
    const second = roots(s)[1]!;
    expect(textOf(second)).not.toMatch(/Likely cause/);
    expect(textOf(second)).toMatch(/every consumer started after the last password change/);

    // A rotation, as EventBridge would deliver it
    const event = await api('event', { kind: 'rotation-succeeded' });
    expect(event).toMatchObject({ ok: true, outcome: 'posted' });
    s = await state();
    const alerts = roots(s, 'C0ALERTS');
    expect(alerts).toHaveLength(1);
    expect(textOf(alerts[0]!)).toMatch(/rotated/);
    expect(s.awsCalls.some((c) => c.operation === 'UpdateService')).toBe(true);

    // Reset: back to the scenario, nothing said yet
    expect(await api('reset', {})).toMatchObject({ ok: true });
    s = await state();
    expect(s.messages).toEqual([]);
    expect(s.audit).toEqual([]);
    expect(s.awsCalls).toEqual([]);
  });

  it('an observer is refused; the ack of a bad command is kept as an ephemeral', { timeout: 60_000 }, async () => {
    expect(await api('user', { role: 'observer' })).toMatchObject({ ok: true, user: { id: 'U0OBSERVER' } });
    const bad = await api('command', { channel: 'C0ONCALL', text: '/why nope' });
    expect(bad).toMatchObject({ ok: true, status: 200 });
    const s = await state();
    expect(s.messages.some((m) => m.ephemeral && m.user === 'U0OBSERVER' && /nope/.test(textOf(m)))).toBe(true);
    await api('user', { role: 'responder' });
  });

  it('switches scenario', { timeout: 30_000 }, async () => {
    expect(await api('scenario', { name: 'healthy' })).toMatchObject({ ok: true });
    expect((await state()).scenario.name).toBe('healthy');
    expect((await api('scenario', { name: '../etc' })).httpStatus).toBe(400);
    expect((await api('scenario', { name: 'incident-003' })).ok).toBe(true);
  });

  it('rejects bad bodies, other content types and other hosts', async () => {
    expect((await api('command', { channel: 'C0ONCALL', text: 'no slash' })).httpStatus).toBe(400);
    const form = await fetch(`${base}/api/reset`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
    const cross = await fetch(`${base}/api/reset`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{}' });
    expect(cross.status).toBe(403);
    const rebound = await rawGet('/api/state', 'evil.example');
    expect(rebound.status).toBe(403);
  });

  it('serves the page files with their content types and refuses traversal', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await fetch(`${base}/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/nope.html`)).status).toBe(404);
    for (const p of ['/../whybot-sandbox-outside.txt', '/%2e%2e/whybot-sandbox-outside.txt', '/..%2fwhybot-sandbox-outside.txt', '/.%2e/whybot-sandbox-outside.txt', '/..%5cwhybot-sandbox-outside.txt'])
      expect([403, 404], p).toContain((await rawGet(p)).status); // a bare `..` is normalised away by the URL parser: 404
    expect((await rawGet('/..%2fwhybot-sandbox-outside.txt')).status).toBe(403);
    expect(publicDir()).toBe(path.resolve('src/sandbox/app/public'));
  });

  it('listens on 127.0.0.1 only', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    const botPort = sandbox.bot().port!;
    for (const address of others) {
      await expect(fetch(`http://${address}:${sandbox.port}/api/state`)).rejects.toThrow();
      await expect(fetch(`http://${address}:${botPort}/slack/events`, { method: 'POST' })).rejects.toThrow();
    }
    expect((await fetch(`http://127.0.0.1:${botPort}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(401);
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
  });
});

/** A GET with the path and Host exactly as given (fetch would normalise `..`). */
function rawGet(p: string, host = `127.0.0.1:${sandbox.port}`): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: sandbox.port, path: p, method: 'GET', headers: { host } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}
