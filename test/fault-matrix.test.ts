// Fault matrix (issue 11): every playbook × every AWS operation it calls × every way AWS
// fails — AccessDenied, throttling past the SDK's retries, a timeout, a 500 and a malformed
// body — must still give a valid PlaybookResult that names the check that could not run
// (with the IAM action for a denial), leaves no check "running", says in the verdict what
// could not run, and cuts the timed-out call's connection instead of waiting for it.
//
// The matrix is generated, not listed: each playbook in the catalog runs once against its
// scenario, and every (service, operation) it calls, with the check that called it (the
// check context every AWS call carries, aws/abort.ts), becomes a row.
//
// Wiring: each case has its own AWS double and its own account (whybot's rate limits are per
// account), reached through a small HTTP proxy that sees what the double cannot: a client
// that aborts its request (the timeout rows) and a body cut in half (the malformed rows).
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, describe, it } from 'vitest';
import { currentCheck } from '../src/aws/abort.js';
import { AwsClients, type ClientConfig } from '../src/aws/clients.js';
import { MemoryRateGate, useRateGate } from '../src/platform/rate-gate.js';
import { PlaybookResultSchema, type PlaybookResult } from '../src/findings.js';
import { PLAYBOOK_CATALOG } from '../src/playbooks/catalog.js';
import { loadPlaybook, type Playbook } from '../src/playbooks/index.js';
import type { CheckProgress } from '../src/engine/investigation.js';
import { listenOnLoopback } from '../src/sandbox/loopback.js';
import { credentialScopeOf, startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { SERVICES } from '../src/sandbox/aws/services/index.js';
import { loadScenario, type Fault } from '../src/sandbox/scenario.js';

/** The check timeout of the timeout rows (room for the calls before the delayed one on a loaded 2-core machine); every other row gets room for the SDK's backoff. */
const TIMEOUT_MS = 2_000;
const ROOMY_TIMEOUT_MS = 8_000;
/** The timeout rows' delay: if the call were not aborted, the run's connection would hang this long. */
const DELAY_MS = 30_000;

/** Where each playbook of the catalog finds its incident. */
const SUBJECTS: Record<string, { scenario: string; target: string }> = {
  'db-down': { scenario: 'incident-003', target: 'prod-db' },
  'decrypt-denied': { scenario: 'incident-001-kms', target: 'AppStack' },
  'cert-pending': { scenario: 'incident-001-dns', target: 'example-shop.com' },
  'deploy-failed': { scenario: 'incident-001-deploy', target: 'MyAppStack' },
  // stalled after createSecret: every check runs (secret, function, stack, logs, network, DB, parameters, DB groups)
  'rotation-failed': { scenario: 'incident-002-stalled', target: 'prod/orders-db/app' },
  'build-failed': { scenario: 'incident-000', target: 'web-app-build' },
};

type FaultKind = 'AccessDenied' | 'Throttling' | 'Timeout' | 'InternalError' | 'MalformedBody';
const FAULT_KINDS: readonly FaultKind[] = ['AccessDenied', 'Throttling', 'Timeout', 'InternalError', 'MalformedBody'];

// ---------------------------------------------------------------- wiring

interface Op {
  service: string;
  operation: string;
}
const opKey = (o: Op) => `${o.service}:${o.operation}`;

/** What the double's service module answers AccessDenied with: the IAM action of the call. */
function iamActionOf(o: Op): string {
  const m = SERVICES.get(o.service)!;
  return `${m.iamPrefix ?? m.signingName}:${m.iamActions?.[o.operation] ?? o.operation}`;
}

interface ProxyRecord extends Op {
  /** the client closed the connection before the answer was sent */
  aborted: boolean;
  /** ms after the request arrived at which it ended (answered or aborted) */
  endedAfterMs?: number;
}

/** An HTTP proxy in front of the double: records each request's fate; can cut one operation's bodies in half. */
async function wireProxy(upstream: string, malform?: Op) {
  const records: ProxyRecord[] = [];
  const target = new URL(upstream);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = credentialScopeOf(req.headers.authorization)?.service ?? 'unknown';
      const module = SERVICES.get(service);
      const operation = module?.protocol.operationOf({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: body.toString('utf8') }) ?? '';
      const record: ProxyRecord = { service, operation, aborted: false };
      records.push(record);
      const started = performance.now();
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            let out = Buffer.concat(parts);
            if (malform && opKey(malform) === opKey(record)) out = out.subarray(0, Math.floor(out.length / 2));
            const headers = { ...answer.headers, 'content-length': String(out.length) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(out);
          });
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      res.on('close', () => {
        record.endedAfterMs = performance.now() - started;
        if (!res.writableFinished) {
          record.aborted = true;
          up.destroy();
        }
      });
      up.end(body);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let accounts = 0;

/**
 * Clients for one case: their own endpoint (the case's proxy) and their own account, so
 * concurrent cases share neither a double nor whybot's per-account rate limits. Every call
 * is recorded with the check it was made for.
 */
class CaseClients extends AwsClients {
  readonly calls: Array<Op & { check: string }> = [];

  constructor(
    region: string,
    private readonly endpoint: string,
  ) {
    // the profile names whybot's account (limits' scope); it never reaches the SDK
    super({ region, maxAttempts: 2, profile: `fault-matrix-${++accounts}` });
  }

  override client<C extends { middlewareStack: any }>(key: string, make: (config: ClientConfig) => C, region?: string): C { // eslint-disable-line @typescript-eslint/no-explicit-any -- as AwsClients
    return super.client(
      key,
      (config) => {
        const { profile: _account, ...sdk } = config;
        const c = make({ ...sdk, endpoint: this.endpoint } as ClientConfig);
        const stack = c.middlewareStack as {
          add(mw: unknown, opts: { step: string; priority?: string; name: string }): void;
        };
        // which check asked (read where the call starts), then the signed request's service
        stack.add(
          (next: (a: unknown) => Promise<unknown>, context: Record<string, unknown>) => (args: unknown) => {
            context.faultMatrixCheck = currentCheck()?.check ?? '(none)';
            return next(args);
          },
          { step: 'initialize', priority: 'high', name: 'faultMatrixCheck' },
        );
        stack.add(
          (next: (a: unknown) => Promise<unknown>, context: Record<string, unknown>) => (args: { request: { headers: Record<string, string> } }) => {
            const service = credentialScopeOf(args.request.headers.authorization)?.service ?? 'unknown';
            const operation = String(context.commandName ?? '').replace(/Command$/, '');
            this.calls.push({ service, operation, check: String(context.faultMatrixCheck) });
            return next(args);
          },
          { step: 'deserialize', priority: 'low', name: 'faultMatrixRecord' },
        );
        return c;
      },
      region,
    );
  }
}

interface Run {
  result?: PlaybookResult;
  thrown?: unknown;
  internal: Array<{ check: string; err: unknown }>;
  lastProgress: readonly CheckProgress[];
  clients: CaseClients;
  proxy: Awaited<ReturnType<typeof wireProxy>>;
  aws: AwsDouble;
  playbook: Playbook;
}

async function runCase(name: string, opts: { fault?: Fault; malform?: Op; timeoutMs: number }): Promise<Run> {
  const { scenario: scenarioName, target } = SUBJECTS[name]!;
  const playbook = (await loadPlaybook(name))!;
  const scenario = await loadScenario(scenarioName);
  const aws = await startAwsDouble({ scenario });
  if (opts.fault) aws.inject(opts.fault);
  const proxy = await wireProxy(aws.url, opts.malform);
  const clients = new CaseClients(scenario.region, proxy.url);
  const run: Run = { internal: [], lastProgress: [], clients, proxy, aws, playbook };
  try {
    run.result = await playbook.run(
      clients,
      { target, region: scenario.region, hours: 24 },
      {
        timeoutMs: opts.timeoutMs,
        onProgress: (checks) => (run.lastProgress = checks),
        onInternalError: (check, err) => run.internal.push({ check, err }),
      },
    );
  } catch (err) {
    run.thrown = err;
  }
  return run;
}

async function closeRun(run: Run): Promise<void> {
  run.clients.destroy();
  await run.proxy.close();
  await run.aws.close();
}

// ---------------------------------------------------------------- the matrix, from the playbooks

interface Row extends Op {
  playbook: string;
  /** the checks that made this call in the fault-free run ("outer/inner" inside a nested playbook) */
  checks: string[];
}

useRateGate(new MemoryRateGate());

async function discover(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const name of Object.keys(PLAYBOOK_CATALOG)) {
    if (!SUBJECTS[name]) throw new Error(`the fault matrix has no scenario for playbook ${name}: add it to SUBJECTS`);
    const run = await runCase(name, { timeoutMs: ROOMY_TIMEOUT_MS });
    try {
      if (!run.result) throw new Error(`${name} threw on its own scenario: ${String(run.thrown)}`);
      const failed = run.result.checks.filter((c) => c.status === 'failed');
      if (failed.length > 0) throw new Error(`${name} has failed checks without any fault: ${JSON.stringify(failed)}`);
      // the double saw exactly what the clients sent (so the matrix misses no operation)
      const sent = new Set(run.clients.calls.map(opKey));
      const seen = new Set(run.aws.calls.map(opKey));
      if ([...sent].sort().join() !== [...seen].sort().join()) throw new Error(`${name}: clients sent ${[...sent]} but the double saw ${[...seen]}`);
      const byOp = new Map<string, Row>();
      for (const c of run.clients.calls) {
        const row = byOp.get(opKey(c)) ?? { playbook: name, service: c.service, operation: c.operation, checks: [] };
        if (!row.checks.includes(c.check)) row.checks.push(c.check);
        byOp.set(opKey(c), row);
      }
      rows.push(...[...byOp.values()].sort((a, b) => opKey(a).localeCompare(opKey(b))));
    } finally {
      await closeRun(run);
    }
  }
  return rows;
}

const ROWS = await discover();
const CASES = ROWS.flatMap((row) => FAULT_KINDS.map((kind) => ({ ...row, kind, label: `${row.playbook} × ${row.service}:${row.operation} × ${kind}` })));

const durations: number[] = [];
afterAll(() => {
  // eslint-disable-next-line no-console -- the figure the README quotes
  console.log(`fault matrix: ${ROWS.length} (playbook, operation) rows × ${FAULT_KINDS.length} faults = ${CASES.length} cases; slowest case ${Math.round(Math.max(...durations))} ms`);
});

/** The check, or the outer check it ran inside, as the result names it. */
const selfOrOuter = (path: string): string[] => path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));

describe('fault matrix', () => {
  it('covers every playbook of the catalog and each one’s checks that call AWS', ({ expect }) => {
    expect(new Set(ROWS.map((r) => r.playbook))).toEqual(new Set(Object.keys(PLAYBOOK_CATALOG)));
    expect(ROWS.every((r) => r.checks.every((c) => c !== '(none)'))).toBe(true);
  });

  it.concurrent.for(CASES.map((c) => [c.label, c] as const))('%s', async ([, { playbook: name, service, operation, kind, checks }], { expect }) => {
    const op = { service, operation };
    const fault: Fault | undefined =
      kind === 'Timeout'
        ? { service, operation, kind: 'Delay', delayMs: DELAY_MS }
        : kind === 'MalformedBody'
          ? undefined
          : { service, operation, kind };
    const started = performance.now();
    const run = await runCase(name, { ...(fault && { fault }), ...(kind === 'MalformedBody' && { malform: op }), timeoutMs: kind === 'Timeout' ? TIMEOUT_MS : ROOMY_TIMEOUT_MS });
    try {
      // no exception, a valid result, no bug reported
      expect(run.thrown).toBeUndefined();
      const result = PlaybookResultSchema.parse(run.result);
      expect(run.internal.map((i) => `${i.check}: ${String(i.err)}`)).toEqual([]);
      // no check left running (the live checklist's last state) or reported without a state
      expect(run.lastProgress.filter((c) => c.state === 'running').map((c) => c.id)).toEqual([]);
      const declared = new Set(run.playbook.checks.map((c) => c.id));
      for (const c of result.checks) expect(declared.has(c.id) || declared.has(c.id.split('/')[0]!), c.id).toBe(true);

      // the check that made the call (or the outer check it ran inside) is named as failed, with why
      const candidates = new Set(checks.flatMap(selfOrOuter));
      const failed = result.checks.filter((c) => c.status === 'failed' && candidates.has(c.id));
      expect(failed.length, `one of ${[...candidates].join(', ')} failed; checks: ${JSON.stringify(result.checks)}`).toBeGreaterThan(0);
      const reasons: Record<FaultKind, RegExp> = {
        AccessDenied: /^access denied: needs /,
        Throttling: /^throttled by AWS/,
        Timeout: /^timed out/,
        InternalError: /^AWS error 5\d\d /,
        MalformedBody: /^AWS answered .*could not be read/,
      };
      expect(failed.some((c) => reasons[kind].test(c.reason ?? '')), JSON.stringify(failed)).toBe(true);
      if (kind === 'AccessDenied') {
        const action = iamActionOf(op);
        expect(failed.some((c) => c.iamAction === action && c.reason === `access denied: needs ${action}`), `${action} in ${JSON.stringify(failed)}`).toBe(true);
      }

      // the verdict says what could not run
      for (const c of result.checks.filter((x) => x.status === 'failed')) expect(result.verdict.summary).toContain(c.id);

      if (kind === 'Timeout') {
        // the delayed call was cut by the client, long before the double would have answered…
        const delayed = run.proxy.records.filter((r) => opKey(r) === opKey(op));
        expect(delayed.length).toBeGreaterThan(0);
        await expect.poll(() => delayed.every((r) => r.aborted), { timeout: 5_000, interval: 20 }).toBe(true);
        // (any request for it sent after the timeout, a retry or a next page, would have hung unaborted)
        for (const r of delayed) expect(r.endedAfterMs!).toBeLessThan(DELAY_MS / 2);
      }
    } finally {
      durations.push(performance.now() - started);
      await closeRun(run);
    }
  });
});
