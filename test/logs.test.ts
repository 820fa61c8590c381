// CloudWatch Logs: the AWS double's FilterLogEvents (with the REAL CloudWatchLogsClient, reached
// through AWS_ENDPOINT_URL) and the lastLogLines adapter on top of it.
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  paginateFilterLogEvents,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsCallError } from '../src/aws/errors.js';
import { declaredIamActions } from '../src/aws/iam.js';
import { LOGS_IAM, lastLogLines } from '../src/aws/logs.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { compileFilterPattern } from '../src/sandbox/aws/services/logs.js';
import { buildWorld } from '../src/sandbox/aws/world.js';
import { listScenarios, loadScenario, resolveTime, ScenarioSchema, scenariosDir, type Scenario } from '../src/sandbox/scenario.js';
import { failure, startFor, T0 } from './helpers/aws-double.js';

const at = (rel: string) => resolveTime(rel, T0);
const ms = (rel: string) => at(rel).getTime();

const FN = 'SecretsManagerRDSPostgreSQLRotationSingleUser';
const GROUP = `/aws/lambda/${FN}`;
const GROUP_ARN = `arn:aws:logs:ap-northeast-1:123456789012:log-group:${GROUP}`;
const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/app/db-AbC123';
const REQ = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const VERSION = '0b7e5a7e-1c1d-4b1a-9f1e-2a3b4c5d6e7f';
const STREAM_A = '2026/11/23/[$LATEST]aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const STREAM_B = '2026/11/23/[$LATEST]bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

/** Incident 002's failure, as the AWS rotation template logs it, plus one careless line. */
const ROTATION_LINES = [
  { time: 'now-2h', stream: STREAM_A, message: `[INFO]\t2026-11-23T10:00:00.100Z\t${REQ}\tFound credentials in environment variables.\n` },
  {
    time: 'now-1h59m59s',
    stream: STREAM_A,
    message: `[INFO]\t2026-11-23T10:00:01.000Z\t${REQ}\tcreateSecret: Successfully put secret for ARN ${SECRET_ARN} and version ${VERSION}.\n`,
  },
  {
    time: 'now-1h59m58s',
    stream: STREAM_A,
    message: `[DEBUG]\t2026-11-23T10:00:02.000Z\t${REQ}\tconnecting with {'username': 'app', 'password': 'Sup3r"Secr3t!', 'host': 'db.cluster-abc.ap-northeast-1.rds.amazonaws.com'}\n`,
  },
  {
    time: 'now-1h59m53s',
    stream: STREAM_A,
    message: `[ERROR]\t2026-11-23T10:00:07.000Z\t${REQ}\tsetSecret: Unable to log into database with previous, current, or pending secret of secret arn ${SECRET_ARN}\n`,
  },
  { time: 'now-1h', stream: STREAM_B, message: `[INFO]\t2026-11-23T11:00:00.000Z\t${REQ}\tFound credentials in environment variables.\n` },
];

function logsScenario(extra: Partial<Pick<Scenario, 'logs'>> = {}): Scenario {
  return ScenarioSchema.parse({
    name: 'logs',
    description: 'a rotation function and its logs',
    logs: {
      groups: [
        {
          name: GROUP,
          events: [
            // out of order on purpose: the world sorts by time
            ...ROTATION_LINES.slice(3),
            ...ROTATION_LINES.slice(0, 3),
          ],
        },
        {
          name: '/aws/lambda/busy',
          events: Array.from({ length: 7 }, (_, i) => ({ time: `now-${70 - i * 10}m`, message: `tick ${i} ERROR code=${i % 2 === 0 ? 'EVEN' : 'ODD'}` })),
        },
        { name: '/aws/lambda/quiet' },
      ],
      ...extra.logs,
    },
  });
}


async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

// ---------------------------------------------------------------------------------------

describe('scenario addition: logs', () => {
  it('defaults to no log groups, so existing scenario files stay valid', async () => {
    // scenario files that declare no logs (the rotation ones, incident 002, do) get none
    for (const name of await listScenarios()) {
      const raw = JSON.parse(await readFile(path.join(scenariosDir, `${name}.json`), 'utf8')) as { logs?: unknown };
      if (raw.logs === undefined) expect((await loadScenario(name)).logs, name).toEqual({ groups: [] });
    }
    expect(ScenarioSchema.parse({ name: 'x', description: '' }).logs).toEqual({ groups: [] });
  });

  it('resolves times, sorts events, derives ARN, stream, event id and ingestion time', () => {
    const world = buildWorld(logsScenario(), T0);
    const group = world.logs.groups[0]!;
    expect(group.name).toBe(GROUP);
    expect(group.arn).toBe(GROUP_ARN);
    expect(group.events.map((e) => e.time)).toEqual(ROTATION_LINES.map((e) => at(e.time)));
    expect(group.events[0]).toMatchObject({ stream: STREAM_A, ingestionTime: new Date(ms('now-2h') + 500) });
    for (const e of group.events) expect(e.eventId).toMatch(/^\d{56}$/);
    expect(new Set(group.events.map((e) => e.eventId)).size).toBe(group.events.length);
    // no stream given: a Lambda-style stream of the event's day, stable per group and day
    const busy = world.logs.groups[1]!;
    expect(busy.events[0]!.stream).toMatch(/^2026\/11\/23\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(new Set(busy.events.map((e) => e.stream)).size).toBe(1);
    expect(world.logs.groups[2]).toEqual({ name: '/aws/lambda/quiet', arn: `${GROUP_ARN.replace(GROUP, '/aws/lambda/quiet')}`, events: [] });
    // same scenario, same ids
    expect(buildWorld(logsScenario(), T0).logs).toEqual(world.logs);
  });

  it('a scenario tweaked in code gets the same defaults; duplicates and bad names are rejected', async () => {
    const scenario = await loadScenario('incident-003');
    scenario.logs = { groups: [{ name: '/aws/lambda/fn', events: [{ time: 'now-5m', message: 'hello' }] }] };
    expect(buildWorld(scenario, T0).logs.groups[0]!.events[0]).toMatchObject({ message: 'hello', time: at('now-5m') });
    scenario.logs.groups.push({ name: '/aws/lambda/fn' });
    expect(() => buildWorld(scenario, T0)).toThrow(/log group \/aws\/lambda\/fn is listed twice/);
    expect(ScenarioSchema.safeParse({ name: 'x', description: '', logs: { groups: [{ name: 'has space' }] } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ name: 'x', description: '', logs: { groups: [{ name: 'g', events: [{ time: 'yesterday', message: 'm' }] }] } }).success).toBe(
      false,
    );
  });
});

describe('filter patterns (supported subset)', () => {
  it('matches an AND of case-sensitive terms and quoted phrases, by substring', () => {
    const m = compileFilterPattern('ERROR "log into database"');
    expect(m('[ERROR] setSecret: Unable to log into database with …')).toBe(true);
    expect(m('[ERROR] setSecret: Unable to log in to database')).toBe(false);
    expect(m('[error] Unable to log into database')).toBe(false);
    expect(compileFilterPattern('ERROR')('Exiting with ERRORCODE: -1')).toBe(true);
    expect(compileFilterPattern('"say \\"hi\\"" x_1')('x_1 say "hi"')).toBe(true);
    expect(compileFilterPattern('"setSecret:"')('setSecret: Unable')).toBe(true);
    expect(compileFilterPattern('')('anything')).toBe(true);
    expect(compileFilterPattern('   ')('anything')).toBe(true);
    expect(compileFilterPattern(undefined)('anything')).toBe(true);
  });

  it('rejects what it does not support, naming it, and terms AWS would reject', () => {
    for (const [pattern, what] of [
      ['?ERROR ?WARN', /OR terms/],
      ['ERROR -DEBUG', /exclusion terms/],
      ['{ $.level = "ERROR" }', /JSON filter patterns/],
      ['[ip, user, ...]', /space-delimited/],
      ['%ERR(OR)?%', /regular expressions/],
      ['setSecret:', /Invalid character\(s\) in term 'setSecret:'/],
      ['"unterminated', /unterminated/],
    ] as const) {
      expect(() => compileFilterPattern(pattern), pattern).toThrow(what);
    }
  });
});

describe('CloudWatch Logs FilterLogEvents (double, real client)', () => {
  let aws: AwsDouble;
  let logs: CloudWatchLogsClient;
  let once: CloudWatchLogsClient;
  beforeAll(async () => {
    aws = await startFor(logsScenario());
    logs = new CloudWatchLogsClient({});
    once = new CloudWatchLogsClient({ maxAttempts: 1 });
  });
  afterAll(async () => aws.close());
  afterEach(() => {
    aws.clearFaults();
    aws.reset();
  });

  it('returns the events in the window, oldest first, with every member', async () => {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: ms('now-3h'), endTime: ms('now') }));
    expect(out.events?.map((e) => e.message)).toEqual(ROTATION_LINES.map((e) => e.message));
    const world = aws.world.logs.groups[0]!;
    expect(out.events?.[0]).toEqual({
      logStreamName: STREAM_A,
      timestamp: ms('now-2h'),
      message: ROTATION_LINES[0]!.message,
      ingestionTime: ms('now-2h') + 500,
      eventId: world.events[0]!.eventId,
    });
    expect(out.searchedLogStreams).toEqual([]);
    expect(out.nextToken).toBeUndefined();
    expect(aws.calls).toHaveLength(1);
    expect(aws.calls[0]).toMatchObject({
      service: 'logs',
      operation: 'FilterLogEvents',
      status: 200,
      params: { logGroupName: GROUP, startTime: ms('now-3h'), endTime: ms('now') },
    });
  });

  it('startTime and endTime are inclusive; no window means every event', async () => {
    const exact = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: ms('now-1h59m53s'), endTime: ms('now-1h') }));
    expect(exact.events?.map((e) => e.timestamp)).toEqual([ms('now-1h59m53s'), ms('now-1h')]);
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }));
    expect(all.events).toHaveLength(ROTATION_LINES.length);
    const none = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: ms('now-10m') }));
    expect(none.events).toEqual([]);
    const quiet = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/quiet' }));
    expect(quiet.events).toEqual([]);
  });

  it('filters by pattern (terms AND phrases), streams and stream prefix', async () => {
    const found = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'ERROR "Unable to log into database"' }));
    expect(found.events?.map((e) => e.message)).toEqual([ROTATION_LINES[3]!.message]);
    const both = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'INFO "Found credentials"' }));
    expect(both.events).toHaveLength(2);
    const streamB = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'INFO', logStreamNames: [STREAM_B] }));
    expect(streamB.events?.map((e) => e.logStreamName)).toEqual([STREAM_B]);
    const prefix = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNamePrefix: '2026/11/23/[$LATEST]a' }));
    expect(prefix.events).toHaveLength(4);
    const unsupported = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '?ERROR ?WARN' })));
    expect(unsupported).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(unsupported.message).toMatch(/does not support OR terms/);
    const exclusive = await failure(
      logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: [STREAM_A], logStreamNamePrefix: '2026' })),
    );
    expect(exclusive.name).toBe('InvalidParameterException');
  });

  it('pages with nextToken; paginateFilterLogEvents walks every page', async () => {
    const pages: FilteredLogEvent[][] = [];
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 3 }, { logGroupName: '/aws/lambda/busy', filterPattern: 'ERROR' })) {
      pages.push(page.events ?? []);
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((e) => e.message)).toEqual(Array.from({ length: 7 }, (_, i) => `tick ${i} ERROR code=${i % 2 === 0 ? 'EVEN' : 'ODD'}`));
    expect(aws.calls.map((c) => c.params.limit)).toEqual([3, 3, 3]);

    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/busy', limit: 2 }));
    // a token belongs to its request: other filters make it invalid
    const misuse = await failure(
      logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/busy', filterPattern: 'EVEN', nextToken: first.nextToken })),
    );
    expect(misuse).toMatchObject({ name: 'InvalidParameterException', message: 'The specified nextToken is invalid.' });
    expect((await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: 'garbage' })))).name).toBe('InvalidParameterException');
    // …but the page size may change between pages, as in AWS
    const second = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/busy', limit: 4, nextToken: first.nextToken }));
    expect(second.events?.map((e) => e.message?.slice(0, 6))).toEqual(['tick 2', 'tick 3', 'tick 4', 'tick 5']);
  });

  it('startFromHead: false pages newest first; the token keeps the direction', async () => {
    const first = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/busy', startTime: ms('now-1d'), startFromHead: false, limit: 3 }),
    );
    expect(first.events?.map((e) => e.message?.slice(0, 6))).toEqual(['tick 6', 'tick 5', 'tick 4']);
    const next = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/busy', startTime: ms('now-1d'), startFromHead: false, limit: 3, nextToken: first.nextToken }));
    expect(next.events?.map((e) => e.message?.slice(0, 6))).toEqual(['tick 3', 'tick 2', 'tick 1']);
    // AWS: newest first needs a startTime on or after 2024-01-01
    for (const startTime of [undefined, Date.UTC(2023, 11, 31)]) {
      const err = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/busy', startTime, startFromHead: false })));
      expect(err).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    }
  });

  it('names the group by logGroupIdentifier (name or ARN), never both', async () => {
    for (const id of [GROUP, GROUP_ARN, `${GROUP_ARN}:*`]) {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupIdentifier: id, filterPattern: 'setSecret' }));
      expect(out.events, id).toHaveLength(1);
    }
    const both = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logGroupIdentifier: GROUP })));
    expect(both).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    const neither = await failure(logs.send(new FilterLogEventsCommand({})));
    expect(neither.name).toBe('InvalidParameterException');
  });

  it('validates limit and the time range', async () => {
    for (const limit of [0, 10_001]) {
      expect((await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit })))).name).toBe('InvalidParameterException');
    }
    const backwards = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: ms('now'), endTime: ms('now-1h') })));
    expect(backwards.name).toBe('InvalidParameterException');
  });

  it('unknown group (or another Region, or another account): ResourceNotFoundException', async () => {
    const err = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/nope' })));
    expect(err).toMatchObject({ name: 'ResourceNotFoundException', status: 400, fault: 'client', message: 'The specified log group does not exist.' });
    const elsewhere = new CloudWatchLogsClient({ region: 'us-east-1' });
    expect((await failure(elsewhere.send(new FilterLogEventsCommand({ logGroupName: GROUP })))).name).toBe('ResourceNotFoundException');
    const otherAccount = GROUP_ARN.replace('123456789012', '210987654321');
    expect((await failure(logs.send(new FilterLogEventsCommand({ logGroupIdentifier: otherAccount })))).name).toBe('ResourceNotFoundException');
    elsewhere.destroy();
  });

  it('faults: AccessDenied names logs:FilterLogEvents and the log group; Throttling; InternalError is ServiceUnavailableException', async () => {
    aws.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'AccessDenied', times: 1 });
    const denied = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP })));
    expect(denied).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(denied.message).toBe(
      `User: arn:aws:sts::123456789012:assumed-role/whybot/whybot-sandbox is not authorized to perform: logs:FilterLogEvents on resource: ${GROUP_ARN}:log-stream: because no identity-based policy allows the logs:FilterLogEvents action`,
    );
    aws.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'Throttling', times: 1 });
    expect(await failure(once.send(new FilterLogEventsCommand({ logGroupName: GROUP })))).toMatchObject({ name: 'ThrottlingException', status: 400 });
    aws.inject({ service: 'logs', operation: '*', kind: 'InternalError', times: 1 });
    expect(await failure(once.send(new FilterLogEventsCommand({ logGroupName: GROUP })))).toMatchObject({
      name: 'ServiceUnavailableException',
      status: 500,
      fault: 'server',
    });
    // a throttle once is retried by the SDK
    aws.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'Throttling', times: 1 });
    const retried = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }));
    expect(retried.$metadata.attempts).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------

describe('lastLogLines (adapter)', () => {
  let aws: AwsDouble;
  let client: CloudWatchLogsClient;
  beforeAll(async () => {
    aws = await startFor(logsScenario());
    client = new CloudWatchLogsClient({ maxAttempts: 1 });
  });
  afterAll(async () => aws.close());
  afterEach(() => {
    aws.clearFaults();
    aws.reset();
  });

  it('declares its IAM action', () => {
    expect(LOGS_IAM.filterLogEvents).toBe('logs:FilterLogEvents');
    expect(declaredIamActions()).toContain('logs:FilterLogEvents');
  });

  it('returns the newest max lines, oldest first, redacted and without the trailing newline', async () => {
    const lines = await lastLogLines(client, { logGroupName: GROUP, since: at('now-3h'), until: at('now'), max: 3 });
    expect(lines.map((l) => l.time)).toEqual([at('now-1h59m58s'), at('now-1h59m53s'), at('now-1h')]);
    expect(lines.map((l) => l.stream)).toEqual([STREAM_A, STREAM_A, STREAM_B]);
    expect(lines[0]!.message).toBe(
      `[DEBUG]\t2026-11-23T10:00:02.000Z\t${REQ}\tconnecting with {'username': 'app', 'password': '[redacted]', 'host': 'db.cluster-abc.ap-northeast-1.rds.amazonaws.com'}`,
    );
    expect(lines.map((l) => l.message).join('\n')).not.toContain('Sup3r');
    // incident 002's message survives intact, ARN included
    expect(lines[1]!.message).toBe(ROTATION_LINES[3]!.message.trimEnd());
    expect(lines.groupNotFound).toBe(false);
    expect(lines.truncated).toBe(false);
    expect(lines.pages).toBe(1);
    // one newest-first call, page size = max, the window in epoch ms
    expect(aws.calls).toHaveLength(1);
    expect(aws.calls[0]!.params).toEqual({ logGroupName: GROUP, startTime: ms('now-3h'), endTime: ms('now'), startFromHead: false, limit: 3 });
  });

  it('passes the filter pattern and returns fewer lines when fewer match', async () => {
    const lines = await lastLogLines(client, { logGroupName: GROUP, since: at('now-3h'), until: at('now'), max: 10, filterPattern: '"setSecret"' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toContain('setSecret: Unable to log into database with previous, current, or pending secret of secret arn');
    expect(aws.calls[0]!.params.filterPattern).toBe('"setSecret"');
  });

  it('keeps to the window', async () => {
    const lines = await lastLogLines(client, { logGroupName: GROUP, since: at('now-2h'), until: at('now-1h59m58s'), max: 10 });
    expect(lines.map((l) => l.time)).toEqual([at('now-2h'), at('now-1h59m59s'), at('now-1h59m58s')]);
    expect(await lastLogLines(client, { logGroupName: GROUP, since: at('now'), until: at('now-1h'), max: 10 })).toHaveLength(0);
    expect(await lastLogLines(client, { logGroupName: GROUP, since: at('now-3h'), until: at('now'), max: 0 })).toHaveLength(0);
    expect(aws.calls).toHaveLength(1);
  });

  it('walks several pages within the bound (oldest-first walk for a window starting before 2024)', async () => {
    const scenario = logsScenario();
    scenario.logs.groups.push({
      name: '/aws/lambda/old',
      events: Array.from({ length: 9 }, (_, i) => ({ time: `2023-12-31T23:5${i}:00Z`, message: `old ${i}` })),
    });
    const old = await startFor(scenario);
    const oldClient = new CloudWatchLogsClient({ maxAttempts: 1 });
    try {
      const since = new Date('2023-12-31T00:00:00Z');
      const until = new Date('2024-01-01T00:00:00Z');
      const all = await lastLogLines(oldClient, { logGroupName: '/aws/lambda/old', since, until, max: 2 });
      expect(all.map((l) => l.message)).toEqual(['old 7', 'old 8']);
      expect(all).toMatchObject({ truncated: false, pages: 5 });
      expect(old.calls.every((c) => c.params.startFromHead === undefined && c.params.limit === 2)).toBe(true);

      const bounded = await lastLogLines(oldClient, { logGroupName: '/aws/lambda/old', since, until, max: 2, maxPages: 2 });
      expect(bounded.map((l) => l.message)).toEqual(['old 2', 'old 3']);
      expect(bounded).toMatchObject({ truncated: true, pages: 2 });
    } finally {
      oldClient.destroy();
      await old.close();
      process.env.AWS_ENDPOINT_URL = aws.url;
    }
  });

  it('a missing log group gives no lines and groupNotFound', async () => {
    const lines = await lastLogLines(client, { logGroupName: '/aws/lambda/never-ran', since: at('now-3h'), until: at('now'), max: 5 });
    expect([...lines]).toEqual([]);
    expect(lines.groupNotFound).toBe(true);
    expect(lines.truncated).toBe(false);
  });

  it('other failures become AwsCallError naming logs:FilterLogEvents', async () => {
    aws.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'AccessDenied', times: 1 });
    const denied = await rejection(lastLogLines(client, { logGroupName: GROUP, since: at('now-3h'), until: at('now'), max: 5 }));
    expect(denied).toBeInstanceOf(AwsCallError);
    expect(denied).toMatchObject({ kind: 'access-denied', iamAction: 'logs:FilterLogEvents', awsCode: 'AccessDeniedException' });
    aws.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'Throttling', times: 1 });
    expect(await rejection(lastLogLines(client, { logGroupName: GROUP, since: at('now-3h'), until: at('now'), max: 5 }))).toMatchObject({
      kind: 'throttled',
    });
    const bad = await rejection(lastLogLines(client, { logGroupName: GROUP, since: at('now-3h'), until: at('now'), max: 5, filterPattern: '?a ?b' }));
    expect(bad).toMatchObject({ kind: 'invalid-request', awsCode: 'InvalidParameterException' });
  });

  it('honours an abort signal', async () => {
    aws.inject({ service: 'logs', operation: 'FilterLogEvents', kind: 'Delay', delayMs: 500, times: 1 });
    const controller = new AbortController();
    const pending = lastLogLines(client, { logGroupName: GROUP, since: at('now-3h'), until: at('now'), max: 5, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await rejection(pending)).toMatchObject({ kind: 'timeout' });
  });
});
