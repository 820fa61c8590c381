// Fuzz with fast-check, seeded. Pure functions in-process (Slack payload parsing, button values,
// slash-command texts, CLI arguments, EventBridge events, rendering of hostile AWS strings) and a
// few hundred signed requests of every shape against one running bot (the real receiver and Bolt
// app, the Slack double; jobs are counted, not run: nothing reaches AWS).
//   npm test:      FUZZ_RUNS unset → 200 cases per pure property, 300 HTTP requests (≥ 1,000 in all)
//   npm run soak:  FUZZ_RUNS=10000 → 10,000 per pure property, 1,000 HTTP requests
// FUZZ_SEED replays another seed; a failure prints the seed and the path to shrink it again.
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRotationEvent } from '../src/alerts/events.js';
import type { Lane } from '../src/engine/job-pool.js';
import { startBot, type RunningBot } from '../src/entry/bot.js';
import { unknownPlaybookText } from '../src/slack/app.js';
import type { PlaybookResult } from '../src/findings.js';
import { PLAYBOOK_CATALOG } from '../src/playbooks/catalog.js';
import { parseInvocation, tokenize } from '../src/playbooks/invocation.js';
import { ActionSigner, type ActionPayload } from '../src/remediations/signed-value.js';
import { collectMrkdwn, findUnescapedSpecials, validateMessage } from '../src/sandbox/slack/block-kit.js';
import { startSlackDouble, type SlackDouble } from '../src/sandbox/slack/server.js';
import type { Job } from '../src/slack/jobs.js';
import { BODY_LIMIT_BYTES, parseSlackBody } from '../src/slack/payloads.js';
import { CONFIRM_CALLBACK } from '../src/slack/render-remediation.js';
import { errorText, threadMessages, verdictMessage, type SlackMessageBody } from '../src/slack/render.js';
import { decodePickContext, decodePickValue, decodeShowCli, encodePickContext, encodePickValue, encodeShowCli } from '../src/slack/values.js';
import { BOT_TOKEN, interactionBody, post, signedHeaders, SIGNING_SECRET, slashCommandBody, testConfig } from './helpers/harness.js';

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 200));
const HTTP_RUNS = process.env.FUZZ_RUNS ? Math.max(300, Math.floor(RUNS / 10)) : 300;
const SEED = Number(process.env.FUZZ_SEED ?? 20251209);
const TIMEOUT = 60_000 + RUNS * 30;
const ACTION_SECRET = 'fuzz-action-secret-0123456789abcdef-0123456789';
const signer = new ActionSigner(ACTION_SECRET);

let cases = 0;
function check<Ts extends [unknown, ...unknown[]]>(prop: fc.IPropertyWithHooks<Ts>, numRuns = RUNS): void {
  fc.assert(prop, { numRuns, seed: SEED });
  cases += numRuns;
}
async function checkAsync<Ts extends [unknown, ...unknown[]]>(prop: fc.IAsyncPropertyWithHooks<Ts>, numRuns: number): Promise<void> {
  await fc.assert(prop, { numRuns, seed: SEED });
  cases += numRuns;
}

// ---------- arbitraries ----------

const SPECIALS = ['<!channel>', '<!here|here>', '<!everyone>', '<@U0ALICE>', '<!subteam^S0123|oncall>', '<https://evil.example|click here>', '<http://x|y>', '&', '<', '>', '&amp;', '&lt;', '*bold*', '_i_', '`', '```', '~s~', '\u202e', '\u0000', '\n', '😀', 'e\u0301', '\ud800', '"', '\\', '%', '+', '=', '%00'];
const special = fc.constantFrom(...SPECIALS);
const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: special },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  // 10 KB strings, made of the worst pieces
  { weight: 1, arbitrary: fc.tuple(special, fc.integer({ min: 500, max: 10_000 })).map(([s, n]) => s.repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, n)) },
);
const hostileText = fc.array(hostile, { maxLength: 5 }).map((parts) => parts.join(' '));
const nonEmpty = hostileText.map((s) => (s.trim() ? s : 'x'));
const isoTime = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const paramValue = fc.oneof(hostile, fc.integer(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)));
const params = fc.dictionary(fc.oneof(fc.constantFrom('cluster', 'service', 'region', 'secretId', 'keyId', 'domain'), fc.string({ maxLength: 12 })), paramValue, { maxKeys: 5 });

/** Rich text whose every piece (code, emphasis, link targets included) may be hostile. */
const span = fc.oneof(
  hostileText,
  fc.record({ code: hostileText }),
  fc.record({ strong: hostileText }),
  fc.record({ link: fc.oneof(hostile, fc.constant('https://console.aws.amazon.com/')), text: hostileText }),
);
const markup = fc.array(fc.oneof(fc.record({ p: fc.array(span, { maxLength: 6 }) }), fc.record({ list: fc.array(fc.array(span, { maxLength: 4 }), { maxLength: 5 }) }), fc.record({ pre: hostileText })), { maxLength: 4 });

const playbookResult: fc.Arbitrary<PlaybookResult> = fc.record({
  schemaVersion: fc.constant(1),
  playbook: fc.oneof(fc.constantFrom(...Object.keys(PLAYBOOK_CATALOG)), hostile),
  // targets pass the playbook's pattern (slash commands) or are AWS names picked from candidates
  target: fc.oneof(fc.constantFrom('prod-db', 'alias/app-key', 'role/Deploy+CI=x,y.z@w_v-1', 'example-shop.com', 'MyAppStack'), fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,62}$/)),
  region: fc.option(hostile, { nil: undefined }),
  startedAt: isoTime,
  finishedAt: isoTime,
  verdict: fc.record({ severity: fc.constantFrom('critical', 'warning', 'info', 'ok'), summary: hostileText }),
  findings: fc.array(
    fc.record({
      id: fc.oneof(fc.constantFrom('stale-credentials', 'duplicate-zone'), hostile),
      severity: fc.constantFrom('critical', 'warning', 'info', 'ok'),
      title: hostileText,
      detail: hostileText,
      markup: markup,
      evidence: fc.array(fc.record({ source: hostile, time: fc.option(isoTime, { nil: undefined }), text: hostileText }, { requiredKeys: ['source', 'text'] }), { maxLength: 20 }),
      // remediation ids are whybot's own (the playbooks name them); their labels and params carry AWS strings
      remediations: fc.uniqueArray(fc.record({ id: fc.constantFrom('show-cli', 'ecs-redeploy', 'rotation-schedule', 'ecs-redeploy-all'), label: nonEmpty, params }), { maxLength: 4, selector: (r) => r.id }),
    }),
    { maxLength: 8 },
  ),
  checks: fc.array(
    fc.record({ id: hostile, title: fc.option(hostile, { nil: undefined }), status: fc.constantFrom('ok', 'failed', 'skipped'), reason: fc.option(hostileText, { nil: undefined }), iamAction: fc.option(hostile, { nil: undefined }) }, { requiredKeys: ['id', 'status'] }),
    { maxLength: 12 },
  ),
  timeline: fc.array(fc.record({ time: isoTime, source: hostile, text: hostileText }), { maxLength: 40 }),
}) as fc.Arbitrary<PlaybookResult>;

/** Mostly what Slack sends, sometimes anything. */
const mostly = <T,>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: hostile });
const slackId = (prefix: string) => mostly(fc.constantFrom(`${prefix}0ALICE`, `${prefix}0BOB`, `${prefix}0ONCALL`));
const ts = mostly(fc.constantFrom('1700000000.000100', '1700000001.000200', '1'));
/** A value of any JSON type, to put where a field of another type belongs. */
const wrong = fc.oneof(fc.constant(null), fc.constant([]), fc.constant({}), fc.integer(), fc.boolean(), hostile, fc.jsonValue({ maxDepth: 2 }));
/** Drops, replaces with a wrong type, or keeps each field of a record. */
function mangled<T extends Record<string, unknown>>(base: fc.Arbitrary<T>): fc.Arbitrary<Record<string, unknown>> {
  return base.chain((obj) =>
    fc.tuple(...Object.keys(obj).map((k) => fc.tuple(fc.constant(k), fc.constantFrom('keep', 'keep', 'keep', 'keep', 'drop', 'wrong'), wrong))).map((fields) => {
      const out: Record<string, unknown> = {};
      for (const [k, how, w] of fields) if (how === 'keep') out[k] = obj[k];
      else if (how === 'wrong') out[k] = w;
      return out;
    }),
  );
}

// ---------- pure properties ----------

describe('fuzz: pure functions', () => {
  it('parseSlackBody never throws on arbitrary bytes and content types', () => {
    check(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s))), fc.constantFrom(undefined, 'application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=utf-8'), (raw, ct) => {
        const r = parseSlackBody(raw, ct);
        expect([true, false]).toContain(r.ok);
        if (!r.ok) expect([200, 400]).toContain(r.status);
      }),
    );
  });

  it('interactive payloads of every shape: refused or, when dispatched, of the shape Bolt and the listeners read', () => {
    const payload = fc.oneof(
      fc.constant(null),
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      mangled(blockActions()),
      mangled(viewSubmission()),
      blockActions(),
      viewSubmission(),
    );
    check(
      fc.property(payload, (p) => {
        const r = parseSlackBody(Buffer.from(interactionBody(p)), 'application/x-www-form-urlencoded');
        if (!r.ok) return;
        const b = r.body;
        expect(['event', 'name', 'function_data', 'command'].filter((k) => b[k] !== undefined)).toEqual([]);
        const user = b['user'] as { id: unknown };
        expect(typeof user.id).toBe('string');
        const urls = b['response_urls'];
        if (urls !== undefined) for (const u of urls as Array<{ response_url: unknown }>) expect(typeof u.response_url).toBe('string');
        if (r.kind === 'block_actions') {
          const action = (b['actions'] as Array<Record<string, unknown>>)[0]!;
          expect(typeof action['action_id']).toBe('string');
          expect(typeof action['block_id']).toBe('string');
          expect(['undefined', 'string']).toContain(typeof action['value']);
          expect(typeof b['trigger_id']).toBe('string');
        } else {
          expect(r.kind).toBe('view_submission');
          const view = b['view'] as { callback_id: unknown; private_metadata: unknown; state: { values: unknown } };
          expect(view.callback_id).toBe(CONFIRM_CALLBACK);
          expect(typeof view.private_metadata).toBe('string');
          expect(typeof view.state.values).toBe('object');
        }
      }),
    );
  });

  it('button values: sign → verify round-trips; any other spelling or edit is refused; arbitrary strings never verify', () => {
    const payload = fc.record({ a: fc.string({ maxLength: 64 }), p: params, c: fc.string({ maxLength: 32 }), t: fc.string({ maxLength: 32 }), r: fc.option(fc.string({ maxLength: 32 }), { nil: undefined }) });
    const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'pad', 'space', 'alphabet'), fc.constantFrom('A', '=', ' ', '+', '/', '-', '_', '.', '\n', 'é'));
    check(
      fc.property(payload, edit, (p, [at, how, ch]) => {
        const args = { a: p.a, p: p.p, c: p.c, t: p.t, ...(p.r === undefined ? {} : { r: p.r }) };
        const value = signer.sign({ ...args, ttlSeconds: 600 });
        if (value === undefined) return; // over Slack's 2000 characters: sign() says so
        const ok = signer.verify(value);
        expect(ok.ok).toBe(true);
        if (ok.ok) expect(ok.payload).toEqual({ v: 1, ...args, n: ok.payload.n, e: ok.payload.e });
        const i = at % (value.length + 1);
        const variant =
          how === 'insert' ? value.slice(0, i) + ch + value.slice(i)
          : how === 'delete' ? value.slice(0, i) + value.slice(i + 1)
          : how === 'replace' ? value.slice(0, i) + ch + value.slice(i + 1)
          : how === 'pad' ? `${value}=`
          : how === 'space' ? `${value} `
          : value.replace(/-/g, '+').replace(/_/g, '/');
        if (variant !== value) expect(signer.verify(variant).ok).toBe(false);
      }),
    );
    check(
      fc.property(fc.oneof(fc.string({ maxLength: 2100 }), fc.string({ unit: 'binary', maxLength: 200 })), (s) => {
        expect(signer.verify(s).ok).toBe(false);
      }),
    );
  });

  it('show-cli and pick-target values: decoding never throws; what decodes re-encodes', () => {
    check(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))), (s) => {
        const cli = decodeShowCli(s);
        if (cli) expect(cli.r.length).toBeGreaterThan(0);
        const pick = decodePickContext(`pick:${s}`);
        if (pick) expect(decodePickContext(encodePickContext(pick))).toBeDefined();
        decodePickContext(s);
      }),
    );
    check(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('payments-prod', 'a', 'x.y_z-1'), fc.constantFrom('us-east-1', 'ap-northeast-1'), fc.boolean(), (id, account, region, m) => {
        decodePickValue(id, m);
        // a target menu value comes back as it went, whatever '@' the id holds, or is not offered
        const v = encodePickValue({ id, account, region });
        if (v !== undefined && id) expect(decodePickValue(v, true)).toEqual({ target: id, account, region });
        if (v === undefined) expect(id.length + account.length + region.length + 2).toBeGreaterThan(150);
      }),
    );
    check(
      fc.property(fc.array(fc.record({ id: hostile, label: hostile, params }), { maxLength: 4 }), fc.option(hostile, { nil: undefined }), (refs, region) => {
        const v = encodeShowCli(refs, region);
        if (v !== undefined) {
          expect(v.length).toBeLessThanOrEqual(2000);
          expect(decodeShowCli(v)).toBeDefined();
        }
      }),
    );
  });

  it('slash-command texts: parsed without throwing; every warning is escaped mrkdwn', () => {
    const text = fc.oneof(hostileText, fc.array(fc.oneof(hostile, fc.constantFrom('--hours', '--region', '--secret', '--json', '--', '-h', '--hours=1', '--bogus', '999999', '-1', 'prod-db')), { maxLength: 8 }).map((t) => t.join(' ')));
    check(
      fc.property(text, fc.constantFrom(...Object.values(PLAYBOOK_CATALOG)), (t, entry) => {
        const parsed = parseInvocation(tokenize(t), { hours: 24 }, false, entry.target);
        if (parsed.ok) {
          expect(parsed.value.hours).toBeGreaterThanOrEqual(1);
          if (parsed.value.target) expect(entry.target.pattern.test(parsed.value.target)).toBe(true);
        } else expect(findUnescapedSpecials(errorText(`${parsed.message} Usage: /why-${entry.name}`))).toEqual([]);
        const [first] = tokenize(t);
        // what /why answers for a first word that is no playbook: the closest names and the list
        if (first) expect(findUnescapedSpecials(unknownPlaybookText(first))).toEqual([]);
      }),
    );
  });

  it('CLI arguments: the CLI’s parser (parseInvocation with --json) never throws', () => {
    const arg = fc.oneof(hostile, fc.constantFrom('--json', '--hours', '--hours=0', '--hours=337', '--region', 'us-east-1', '--secret', '--', '-', '--since', '7d', '--once', 'prod-db'));
    check(
      fc.property(fc.array(arg, { maxLength: 10 }), fc.constantFrom(...Object.values(PLAYBOOK_CATALOG)), (args, entry) => {
        const parsed = parseInvocation(args, { hours: 24 }, true, entry.target);
        if (!parsed.ok) expect(typeof parsed.message).toBe('string');
        else expect(parsed.value.hours).toBeLessThanOrEqual(336);
      }),
    );
  });

  it('EventBridge events: parseRotationEvent never throws, whatever arrives', () => {
    const detail = fc.record({
      eventName: fc.oneof(fc.constantFrom('RotationSucceeded', 'RotationFailed', 'RotationStarted', 'PutSecretValue'), wrong),
      eventTime: fc.oneof(isoTime, wrong),
      additionalEventData: fc.oneof(fc.record({ SecretId: fc.oneof(hostile, wrong) }), wrong),
      requestID: fc.oneof(hostile, wrong),
      errorMessage: fc.oneof(hostileText, wrong),
    });
    const event = mangled(
      fc.record({
        version: fc.constant('0'),
        id: hostile,
        'detail-type': fc.constant('AWS Service Event via CloudTrail'),
        source: fc.constantFrom('aws.secretsmanager', 'aws.kms'),
        account: fc.constantFrom('123456789012'),
        time: isoTime,
        region: fc.constantFrom('ap-northeast-1', 'us-east-1'),
        resources: fc.array(hostile, { maxLength: 3 }),
        detail: mangled(detail),
      }),
    );
    check(
      fc.property(fc.oneof(event, fc.anything({ maxDepth: 3 })), (e) => {
        const r = parseRotationEvent(e);
        if (r.ok) expect(typeof r.event.secretId).toBe('string');
        else expect(typeof r.reason).toBe('string');
      }),
    );
  });

  const buttonFor = (ref: { id: string; params: ActionPayload['p'] }) => signer.sign({ a: ref.id.slice(0, 64), p: ref.params, c: 'C0ONCALL', t: '1700000000.000100', ttlSeconds: 600 });
  const rendered = (r: PlaybookResult): SlackMessageBody[] => [verdictMessage(r), ...threadMessages(r, buttonFor)];

  it('hostile AWS strings in rendered findings: 0 unescaped mrkdwn in blocks, Block Kit limits held, a click on any of it fits the body limit', () => {
    check(
      fc.property(playbookResult, (r) => {
        for (const m of rendered(r)) {
          expect(validateMessage(m).errors).toEqual([]);
          for (const { path, text } of collectMrkdwn({ blocks: m.blocks })) expect(findUnescapedSpecials(text), path).toEqual([]);
          // what Slack sends back when someone clicks a button on this message
          const click = interactionBody({ type: 'block_actions', user: { id: 'U0ALICE' }, trigger_id: 't', message: { ts: '1.0', text: m.text, blocks: m.blocks }, actions: [{ type: 'button', action_id: 'show-cli', block_id: 'b', value: 'v'.repeat(2000) }] });
          expect(Buffer.byteLength(click)).toBeLessThan(BODY_LIMIT_BYTES);
        }
      }),
      Math.max(50, Math.floor(RUNS / 2)),
    );
  });

  it('the top-level text fallbacks are escaped too (a summary can carry AWS text)', () => {
    fc.assert(
      fc.property(playbookResult, (r) => {
        for (const m of rendered(r)) expect(findUnescapedSpecials(m.text)).toEqual([]);
      }),
      { numRuns: 200, seed: SEED },
    );
  });
});

// ---------- signed requests against one running bot ----------

/** Mentions whybot makes on purpose: the responders it names, the person who asked (validated ids). */
const unintended = (text: string) => findUnescapedSpecials(text).filter((m) => !/^<@U0(ALICE|BOB)>$/.test(m));

class CountingLane implements Lane<Job> {
  readonly capacity = 10_000;
  jobs = 0;
  async run(): Promise<void> {
    this.jobs += 1;
  }
  async close(): Promise<void> {}
}

function blockActions() {
  return fc.record({
    type: fc.constant('block_actions'),
    user: fc.record({ id: slackId('U'), team_id: fc.constant('T0001') }),
    team: fc.oneof(fc.constant(null), fc.record({ id: fc.constant('T0001') })),
    api_app_id: fc.constant('A0WHYBOT'),
    trigger_id: mostly(fc.constant('trigger-1')),
    channel: fc.record({ id: slackId('C') }),
    container: fc.record({ type: fc.constant('message'), message_ts: ts, channel_id: slackId('C') }),
    message: fc.record({ ts, thread_ts: ts, text: hostileText, blocks: fc.constant([]) }),
    actions: fc.array(
      fc.record({
        type: fc.constantFrom('button', 'static_select'),
        action_id: mostly(fc.constantFrom('show-cli', 'pick-target', 'remediate:ecs-redeploy:0', 'remediate:ecs-redeploy:approve', 'remediate:nope', 'value')),
        block_id: mostly(fc.constantFrom('b', 'pick:{"p":"db-down","h":24,"r":"ap-northeast-1"}', 'pick:{"p":"constructor","h":1,"r":"x"}')),
        value: fc.oneof(buttonValue(), hostile),
        selected_option: fc.oneof(fc.constant(null), fc.record({ value: mostly(fc.constantFrom('prod-db', 'staging-db')) })),
        action_ts: fc.constant('1'),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  });
}

function buttonValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(signer.sign({ a: 'ecs-redeploy', p: { cluster: 'prod', service: 'api', region: 'ap-northeast-1' }, c: 'C0ONCALL', t: '1700000000.000100', ttlSeconds: 600 })!),
    fc.record({ a: hostile, p: params, c: hostile, t: hostile }).map((p) => signer.sign({ ...p, ttlSeconds: 600 }) ?? 'x'),
    fc.constant(encodeShowCli([{ id: 'ecs-redeploy', label: 'Redeploy', params: { cluster: 'prod', service: 'api' } }], 'ap-northeast-1')!),
    fc.record({ v: fc.constant(1), a: fc.constant('show-cli'), r: fc.array(fc.record({ id: hostile, label: hostile, params }), { maxLength: 2 }) }).map((v) => JSON.stringify(v)),
  );
}

function viewSubmission() {
  const meta = fc.oneof(
    fc.record({ v: buttonValue(), c: slackId('C'), m: fc.option(ts, { nil: undefined }) }).map((m) => JSON.stringify(m)),
    hostile,
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  );
  return fc.record({
    type: fc.constant('view_submission'),
    user: fc.record({ id: slackId('U') }),
    team: fc.record({ id: fc.constant('T0001') }),
    trigger_id: fc.constant('trigger-2'),
    view: fc.record({
      id: fc.constant('V0001'),
      type: fc.constant('modal'),
      callback_id: mostly(fc.constant(CONFIRM_CALLBACK)),
      private_metadata: meta,
      state: fc.record({ values: fc.oneof(fc.constant({}), fc.record({ choice: fc.record({ value: fc.record({ type: fc.constant('static_select'), selected_option: fc.oneof(fc.constant(null), fc.record({ value: hostile })) }) }) })) }),
    }),
  });
}

describe('fuzz: signed requests of every shape against one running bot', () => {
  let slack: SlackDouble;
  let bot: RunningBot;
  let url: string;
  const lane = new CountingLane();
  const errors: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // nothing here may reach AWS
    slack = await startSlackDouble({ botToken: BOT_TOKEN, rateLimits: false });
    const log = pino({ level: 'warn' }, { write: (line: string) => void (JSON.parse(line).level >= 50 && errors.push(JSON.parse(line))) });
    const config = testConfig({ SLACK_API_URL: slack.url, AWS_REGION: 'ap-northeast-1', WHYBOT_ACTION_SECRET: ACTION_SECRET, WHYBOT_RESPONDERS: 'U0ALICE U0BOB' });
    bot = await startBot(config, { kind: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0 }, log, { lanes: [lane], watch: false });
    url = `http://127.0.0.1:${bot.port}/slack/events`;
  });
  afterAll(async () => {
    await bot?.stop();
    await slack?.close();
  });

  it(
    'no crash, no 5xx, escaped answers, Block Kit limits held, no listener error',
    async () => {
      let n = 0;
      const statuses = new Map<number, number>();
      const command = fc.record({
        command: fc.oneof(fc.constantFrom('/why', ...Object.keys(PLAYBOOK_CATALOG).map((p) => `/why-${p}`)), fc.constantFrom('/nope', 'why', '/WHY')),
        text: fc.oneof(hostileText, fc.constantFrom('', 'help', 'db-down prod-db', 'constructor x', 'prod-db --hours 2', '<!channel> --region <!here>')),
        extra: fc.oneof(fc.constant({}), fc.record({ user_id: hostile }), fc.record({ channel_id: hostile }), fc.record({ event: hostile }), fc.record({ response_url: hostile })),
      });
      const request = fc.oneof(
        { weight: 3, arbitrary: command.map((c) => ({ kind: 'command' as const, c })) },
        { weight: 3, arbitrary: fc.oneof({ weight: 2, arbitrary: blockActions() }, { weight: 1, arbitrary: mangled(blockActions()) }).map((p) => ({ kind: 'interaction' as const, p })) },
        { weight: 2, arbitrary: fc.oneof({ weight: 2, arbitrary: viewSubmission() }, { weight: 1, arbitrary: mangled(viewSubmission()) }).map((p) => ({ kind: 'interaction' as const, p })) },
        { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 }).map((v) => (v === undefined ? null : v))).map((p) => ({ kind: 'interaction' as const, p })) },
      );
      await checkAsync(
        fc.asyncProperty(request, async (req) => {
          n += 1;
          const responseUrl = slack.responseUrl(`fz${n}`, { channel: 'C0ONCALL', user: 'U0ALICE' });
          let body: string;
          if (req.kind === 'command') body = slashCommandBody(req.c.command, req.c.text, responseUrl, req.c.extra as Record<string, string>);
          else {
            const p = req.p && typeof req.p === 'object' && !Array.isArray(req.p) && 'type' in req.p ? { ...req.p, response_url: responseUrl } : req.p;
            let json: string;
            try {
              json = JSON.stringify(p) ?? 'null';
            } catch {
              json = 'null';
            }
            body = new URLSearchParams({ payload: json }).toString();
          }
          const res = await post(url, body, signedHeaders(body));
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, res.text).toBeLessThan(500);
          if (res.status === 200 && res.text.startsWith('{')) {
            const ack = JSON.parse(res.text) as { text?: string; blocks?: unknown[] };
            for (const { text } of collectMrkdwn(ack)) expect(unintended(text)).toEqual([]);
          }
        }),
        HTTP_RUNS,
      );
      // Listeners answer after the ack: let them finish, then look at everything they sent.
      await new Promise((r) => setTimeout(r, 500));
      const alive = slashCommandBody('/why', '', slack.responseUrl('alive'));
      expect((await post(url, alive, signedHeaders(alive))).status).toBe(200);
      if (process.env.FUZZ_VERBOSE) console.log({ statuses: Object.fromEntries(statuses), jobs: lane.jobs, slackCalls: slack.calls.length, responses: slack.responses.length });
      expect(errors.map((e) => e['msg'] ?? e['bolt'])).toEqual([]);
      // not vacuous: malformed input was refused, good input reached the listeners and they acted
      expect(statuses.get(400) ?? 0).toBeGreaterThan(HTTP_RUNS / 20);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(HTTP_RUNS / 5);
      expect(lane.jobs).toBeGreaterThan(0);
      expect(slack.responses.length + slack.calls.length).toBeGreaterThan(HTTP_RUNS / 20);
      expect(slack.violations).toEqual([]);
      for (const m of slack.messages) for (const { text } of collectMrkdwn(m)) expect(unintended(text)).toEqual([]);
      for (const r of slack.responses) if (r.body && typeof r.body === 'object') for (const { text } of collectMrkdwn(r.body as { text?: unknown; blocks?: unknown })) expect(unintended(text)).toEqual([]);
    },
    TIMEOUT + HTTP_RUNS * 100,
  );
});

describe('fuzz: totals', () => {
  it(`ran at least ${process.env.FUZZ_RUNS ? '10,000' : '1,000'} cases (seed ${SEED})`, () => {
    expect(cases).toBeGreaterThanOrEqual(process.env.FUZZ_RUNS && RUNS >= 10_000 ? 10_000 : 1000);
  });
});
