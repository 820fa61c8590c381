// The sandbox page in a real browser: playwright-core driving Debian's Chromium
// (/usr/bin/chromium, `apt-get install -y chromium`; nothing here downloads a browser).
// 1. The whole story a visitor tries: pick incident 003, ask /why-db-down prod-db, read the
//    stale-credentials verdict, open the thread, Redeploy api, confirm in the modal, see it
//    verified, ask again and see it healthy, rotate the secret and see the alert in #alerts.
// 2. The page is not an XSS hole: a crafted state full of markup renders as text.
// Screenshots go to test/artifacts/ (git-ignored).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/app/server.js';
import { listenOnLoopback } from '../src/sandbox/loopback.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`sandbox.browser.test: SKIPPED: no Chromium at ${CHROMIUM} (install it: apt-get install -y chromium)`);

const ARTIFACTS = path.resolve('test/artifacts');
const PUBLIC = path.resolve('src/sandbox/app/public');
const INCIDENT_003 = 'Database password rotated under running tasks (incident 003)';

let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  // launch() runs on a fresh temporary profile (its own user-data-dir), removed on close
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

/** A page that may reach only `origin`: anything else is aborted and recorded, as are page errors. */
async function openPage(origin: string): Promise<{ context: BrowserContext; page: Page; foreign: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  const foreign: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  return { context, page, foreign, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

describe.skipIf(!hasChromium)('sandbox page in Chromium', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    // starts on another scenario, so the picker really switches to incident 003
    sandbox = await startSandbox({ port: 0, scenario: 'healthy', deployDelayMs: 300, logLevel: 'silent' });
  }, 30_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('incident 003: verdict → thread → Redeploy api → confirm → verified → healthy re-run → rotation alert in #alerts', { timeout: 120_000 }, async () => {
    const { context, page, foreign, errors } = await openPage(sandbox.url);
    try {
      await page.goto(sandbox.url);
      await page.locator('#scenario option').first().waitFor({ state: 'attached' });
      await expect.poll(() => page.locator('#channels .channel-label').allInnerTexts()).toEqual(['oncall', 'alerts']);

      // the scenario picker names scenarios in words
      const titles = await page.locator('#scenario option').allInnerTexts();
      expect(titles).toContain(INCIDENT_003);
      await page.selectOption('#scenario', { label: INCIDENT_003 });
      await expect.poll(async () => ((await (await fetch(`${sandbox.url}/api/state`)).json()) as { scenario: { name: string } }).scenario.name, { timeout: 20_000 }).toBe('incident-003');
      await expect.poll(() => page.locator('#scenario-description').innerText()).toMatch(/\w/);
      await expect.poll(() => page.locator('#scenario').inputValue()).toBe('incident-003');
      await shot(page, '01-scenario');

      // ask
      await page.locator('#composer').fill('/why-db-down prod-db');
      await page.locator('#composer').press('Enter');
      const verdict = page.locator('#messages .message:not(.ephemeral)', { hasText: 'Likely cause' });
      await verdict.waitFor({ timeout: 40_000 });
      expect(await verdict.innerText()).toMatch(/🔴[\s\S]*old password/);
      await expect.poll(() => page.locator('#busy').isHidden(), { timeout: 40_000 }).toBe(true);
      const replies = verdict.locator('.replies');
      await replies.waitFor();
      expect(await replies.innerText()).toMatch(/\d+ repl(y|ies)/);
      await shot(page, '02-verdict');

      // the thread: findings, timeline, checks, the buttons
      await replies.click();
      const thread = page.locator('#thread-messages');
      const redeploy = thread.locator('button.bk-button', { hasText: 'Redeploy api' });
      await redeploy.waitFor();
      await expect.poll(() => thread.innerText()).toMatch(/Timeline/);
      await page.locator('#thread-messages').evaluate((el) => (el.scrollTop = 0));
      await shot(page, '03-thread');
      // the README's picture (docs/sandbox.png is a copy): the verdict, its thread down to the button
      await page.setViewportSize({ width: 1600, height: 1200 });
      await redeploy.evaluate((el) => el.scrollIntoView({ block: 'end' }));
      await page.locator('#thread-messages').evaluate((el) => (el.scrollTop += 24));
      await shot(page, 'sandbox-readme');
      await page.setViewportSize({ width: 1600, height: 1000 });

      // Redeploy api → the confirmation modal, rendered from the view whybot opened
      await redeploy.click();
      const modal = page.locator('.modal');
      await modal.waitFor({ timeout: 20_000 });
      expect(await modal.innerText()).toMatch(/ecs:UpdateService/);
      await shot(page, '04-modal');
      await modal.locator('button.modal-submit').click();
      await modal.waitFor({ state: 'detached', timeout: 20_000 });

      // the button's place in the thread says it ran and was verified
      await expect.poll(() => thread.innerText(), { timeout: 60_000 }).toMatch(/✅ Redeploy api: verified/);
      await expect.poll(() => page.locator('#audit').innerText(), { timeout: 20_000 }).toMatch(/verified/);
      expect(await page.locator('#aws-calls').innerText()).toMatch(/UpdateService/);
      await expect.poll(() => page.locator('#busy').isHidden(), { timeout: 40_000 }).toBe(true);
      await shot(page, '05-verified');

      // again: healthy now
      await page.locator('#composer').fill('/why-db-down prod-db');
      await page.locator('#composer').press('Enter');
      const roots = page.locator('#messages .message:not(.ephemeral)');
      await expect.poll(() => roots.count(), { timeout: 30_000 }).toBe(2);
      await expect.poll(() => roots.nth(1).innerText(), { timeout: 60_000 }).toMatch(/✅[\s\S]*every consumer started after the last password change/);
      expect(await roots.nth(1).innerText()).not.toMatch(/Likely cause/);
      await shot(page, '06-healthy');

      // a rotation, through the EventBridge path: the alert lands in #alerts
      await page.locator('#rotate').click();
      const alertsLink = page.locator('#channels .channel-link[data-channel="alerts"]');
      await expect.poll(() => alertsLink.locator('.badge').count(), { timeout: 20_000 }).toBe(1);
      await alertsLink.click();
      await expect.poll(() => page.locator('#channel-name').innerText()).toBe('#alerts');
      await expect.poll(() => page.locator('#messages').innerText(), { timeout: 20_000 }).toMatch(/rotated/);
      await shot(page, '07-alert');

      // as a non-responder: whybot refuses the click, in an ephemeral only they see
      await page.selectOption('#role', 'observer');
      await expect.poll(() => page.locator('#user-line').innerText()).toMatch(/U0OBSERVER/);
      await page.locator('#channels .channel-link[data-channel="oncall"]').click();
      const ephemerals = page.locator('#messages .message.ephemeral, #thread-messages .message.ephemeral');
      const before = await ephemerals.count();
      await thread.locator('button.bk-button', { hasText: 'Rotate every 30 days' }).click();
      await expect.poll(() => ephemerals.count(), { timeout: 20_000 }).toBeGreaterThan(before);
      const refusal = await ephemerals.last().innerText();
      expect(refusal).toMatch(/Only visible to you/);
      await shot(page, '08-observer');
      expect(await page.locator('#audit').innerText()).not.toMatch(/rotation-interval|rotate-every/i);

      expect(foreign, 'requests outside the sandbox origin').toEqual([]);
      expect(errors, 'page errors').toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe.skipIf(!hasChromium)('sandbox page: the target picker', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, scenario: 'many-dbs', deployDelayMs: 300, logLevel: 'silent' });
  }, 30_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('/why-db-down with no target asks which database in a static_select; choosing one gets its verdict', { timeout: 90_000 }, async () => {
    const { context, page, foreign, errors } = await openPage(sandbox.url);
    try {
      await page.goto(sandbox.url);
      await expect.poll(() => page.locator('#scenario').inputValue()).toBe('many-dbs');
      await page.locator('#composer').fill('/why-db-down');
      await page.locator('#composer').press('Enter');
      const picker = page.locator('#messages select.bk-select');
      await picker.waitFor({ timeout: 30_000 });
      const options = await picker.locator('option:not([disabled])').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(options.length).toBeGreaterThan(1);
      await picker.selectOption(options[0]!);
      await expect
        .poll(() => page.locator('#messages .message:not(.ephemeral)').allInnerTexts(), { timeout: 60_000 })
        .toEqual(expect.arrayContaining([expect.stringContaining(options[0]!)]));
      await expect.poll(() => page.locator('#busy').isHidden(), { timeout: 40_000 }).toBe(true);
      await shot(page, 'picker');
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

// ------------------------------------------------------------------------------------------
// XSS: the page's own files, served with a crafted /api/state where every string a scenario,
// AWS or Slack could carry is markup. The CSP meta tag is stripped so that the test proves the
// DOM building itself (textContent only), not just the policy.

const EVIL = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=2</script>';
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function craftedState() {
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
  return {
    version: 1,
    scenario: { name: 'evil', title: `Evil ${EVIL}`, description: `desc ${SCRIPT}`, command: `/why-db-down ${EVIL}` },
    scenarios: [{ name: 'evil', title: `Evil ${EVIL}`, description: `desc ${SCRIPT}`, command: `/why-db-down ${EVIL}` }],
    user: { id: 'U0SANDBOX', name: `you ${EVIL}`, role: 'responder' },
    users: [],
    channels: [
      { id: 'C0ONCALL', name: `oncall${EVIL}` },
      { id: 'C0ALERTS', name: 'alerts' },
    ],
    messages: [
      {
        channel: 'C0ONCALL',
        ts: '1700000000.000100',
        text: 'fallback',
        updates: 0,
        ephemeral: false,
        blocks: [
          // escaped as whybot escapes a resource name: must show the markup as text
          section(`:red_circle: *db-down \`${esc(EVIL)}\`*\nLikely cause: secret ${esc(EVIL)} rotated ${esc(SCRIPT)}`),
          // not escaped at all (what a bug upstream would send): still text, never markup
          section(`raw ${EVIL} and ${SCRIPT} and <javascript:window.__xss=3|click me> and <data:text/html,hi|data link> and <https://example.com/a?b=1&amp;c=2|a real link>`),
          { type: 'section', fields: [{ type: 'mrkdwn', text: `*Resource*\n${esc(EVIL)}` }, { type: 'plain_text', text: EVIL }] },
          { type: 'header', text: { type: 'plain_text', text: SCRIPT } },
          { type: 'context', elements: [{ type: 'mrkdwn', text: `<!date^1700000000^{date_short}|${esc(EVIL)}> <@U0SANDBOX> :no_entry: :not_an_emoji:` }] },
          {
            type: 'actions',
            elements: [
              { type: 'button', action_id: 'a', text: { type: 'plain_text', text: EVIL }, value: 'v', style: 'danger', confirm: { title: { type: 'plain_text', text: SCRIPT }, text: { type: 'mrkdwn', text: esc(EVIL) }, confirm: { type: 'plain_text', text: 'Yes' }, deny: { type: 'plain_text', text: 'No' } } },
              { type: 'static_select', action_id: 's', options: [{ text: { type: 'plain_text', text: EVIL }, value: 'x' }] },
            ],
          },
          { type: 'divider' },
          section(`\`\`\`${EVIL}\n${esc(SCRIPT)}\`\`\``),
        ],
      },
      { channel: 'C0ONCALL', ts: '1700000001.000100', threadTs: '1700000000.000100', text: `reply ${EVIL}`, updates: 1, ephemeral: false },
      { channel: 'C0ONCALL', ts: '1700000002.000100', text: `:warning: ephemeral ${esc(EVIL)}`, updates: 0, user: 'U0SANDBOX', ephemeral: true },
    ],
    views: [
      {
        id: 'V1',
        open: true,
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: `T ${SCRIPT}` },
          submit: { type: 'plain_text', text: EVIL },
          close: { type: 'plain_text', text: 'Cancel' },
          blocks: [
            section(`*Resource*\n${esc(EVIL)}`),
            { type: 'input', block_id: 'b', label: { type: 'plain_text', text: EVIL }, element: { type: 'static_select', action_id: 'c', options: [{ text: { type: 'plain_text', text: SCRIPT }, value: 'o' }], initial_option: { text: { type: 'plain_text', text: SCRIPT }, value: 'o' } } },
            { type: 'input', block_id: 'r', label: { type: 'plain_text', text: 'radio' }, element: { type: 'radio_buttons', action_id: 'rb', options: [{ text: { type: 'mrkdwn', text: esc(EVIL) }, value: 'one' }] } },
          ],
        },
      },
    ],
    awsCalls: [{ service: `rds${EVIL}`, operation: SCRIPT, status: 500, error: EVIL, at: '2026-01-01T00:00:00.000Z', ms: 3 }],
    audit: [{ id: 'a1', at: '2026-01-01T00:00:00.000Z', actor: EVIL, action: SCRIPT, params: { resource: EVIL }, outcome: 'ran', result: EVIL }],
    busy: false,
  };
}

describe.skipIf(!hasChromium)('sandbox page: XSS', () => {
  let server: Server;
  let origin = '';
  const posts: string[] = [];
  let viewOpen = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/api/state') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const st = craftedState();
        st.views[0]!.open = viewOpen;
        st.version = viewOpen ? 1 : 2;
        return res.end(JSON.stringify(st));
      }
      if (url.pathname.startsWith('/api/')) {
        posts.push(url.pathname);
        if (url.pathname === '/api/view-close') viewOpen = false;
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"ok":true}');
      }
      const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      if (!['index.html', 'app.js', 'app.css'].includes(file)) {
        res.writeHead(404);
        return res.end();
      }
      let body = readFileSync(path.join(PUBLIC, file), 'utf8');
      if (file === 'index.html') body = body.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : 'text/css' });
      res.end(body);
    });
    const port = await listenOnLoopback(server, 0);
    origin = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('renders markup from scenarios, AWS, Slack and the audit as text: no handler runs, no element is made', { timeout: 60_000 }, async () => {
    const { context, page, foreign, errors } = await openPage(origin);
    try {
      await page.goto(origin);
      const messages = page.locator('#messages');
      await expect.poll(() => messages.innerText()).toContain('Likely cause');
      expect(await page.evaluate(() => !document.querySelector('meta[http-equiv="Content-Security-Policy"]'))).toBe(true);
      const modal = page.locator('.modal');
      await modal.waitFor();
      const modalText = await modal.innerText();
      expect(modalText).toContain(EVIL);
      expect(modalText).toContain(SCRIPT);
      await page.waitForTimeout(800); // several polls and re-renders
      await shot(page, 'xss-modal');
      await modal.locator('.modal-close').click();
      await modal.waitFor({ state: 'detached' });
      expect(posts).toContain('/api/view-close');

      await page.locator('#messages .replies').click();
      await page.locator('#thread-messages .message').nth(1).waitFor();
      // the confirm dialog of the danger button shows its markup as text too
      await messages.locator('button.bk-button.danger').click();
      const confirm = page.locator('.confirm-dialog');
      await confirm.waitFor();
      expect(await confirm.innerText()).toContain(SCRIPT);
      await shot(page, 'xss-confirm');
      await confirm.locator('button', { hasText: 'No' }).click();
      expect(posts).not.toContain('/api/action');

      const text = await page.locator('body').innerText();
      expect(text).toContain(EVIL); // shown, as text
      expect(text).toContain(SCRIPT);
      expect(text).toContain('Only visible to you');
      expect(text).toContain('⛔'); // a known shortcode, and an unknown one as typed
      expect(text).toContain(':not_an_emoji:');
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      // nothing the data carried became an element
      expect(await page.locator('img, iframe, object, embed').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(1); // app.js only
      const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      expect(new Set(hrefs)).toEqual(new Set(['https://example.com/a?b=1&c=2'])); // in the channel and in the thread
      const link = page.locator('#messages a', { hasText: 'a real link' });
      expect(await link.getAttribute('rel')).toContain('noopener');
      expect(await link.getAttribute('target')).toBe('_blank');
      // the javascript: and data: links are their labels, as text
      expect(text).toContain('click me');
      expect(text).toContain('data link');
      await shot(page, 'xss-thread');

      // a control: the same string through innerHTML does run here, so the checks above can fail
      await page.evaluate((evil) => {
        const d = document.createElement('div');
        d.innerHTML = evil.replace('__xss', '__xssControl');
        document.body.append(d);
      }, EVIL);
      await expect.poll(() => page.evaluate(() => (window as unknown as { __xssControl?: unknown }).__xssControl)).toBe(1);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
