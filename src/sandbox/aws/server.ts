/**
 * A local AWS API double: an HTTP server on 127.0.0.1 that real AWS SDK v3 clients reach
 * through AWS_ENDPOINT_URL, answering in each service's wire protocol from a scenario.
 *
 *   const aws = await startAwsDouble({ scenario: await loadScenario('incident-003') });
 *   process.env.AWS_ENDPOINT_URL = aws.url;
 *   // … new RDSClient({}) etc. …
 *   await aws.close();
 *
 * Requests are routed by the SigV4 credential scope's signing name
 * (`Credential=AKID/20261123/ap-northeast-1/rds/aws4_request`), which every SDK client
 * sends, so no per-service endpoint configuration is needed. The scope's Region selects the
 * world: the scenario's Region holds the scenario, any other Region is empty (as in AWS, a
 * call in the wrong Region finds nothing). Signatures are not checked.
 *
 * Published rate quotas (quotas.ts: CloudTrail LookupEvents 2/s per account and Region,
 * Route 53 per account) are enforced by default with token buckets on the double's clock;
 * a throttled call is answered with the service's own throttling error and recorded in
 * `calls` with `error` and `quota`. `quotas: false` (or `setQuotas(false)`) turns them off.
 *
 * Lambda functions have no code of their own: `onInvoke(handler)` supplies it, and
 * `invocations` records every Invoke the double accepted.
 */
import { listenOnLoopback } from '../loopback.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSchema, ScenarioSchema, type Fault, type Scenario } from '../scenario.js';
import { AwsError, isAwsError } from './errors.js';
import { FaultSet } from './faults.js';
import { newRequestId } from './ids.js';
import { AWS_QUOTAS, QuotaLimiter, describeQuota, type QuotaTable } from './quotas.js';
import { Json11Protocol } from './protocols/json11.js';
import { QueryXmlProtocol } from './protocols/query-xml.js';
import type { Protocol, WireRequest, WireResponse } from './protocols/types.js';
import { SERVICES, type InvokeHandler, type LambdaInvocation, type LambdaRuntime, type ServiceModule, type SqsMessage, type SqsRuntime } from './services/index.js';
import { buildWorld, type World } from './world.js';
import { shareGlobalState } from './world-dns.js';
import { ISSUED_KEY } from './services/sts.js';

export interface AwsCall {
  /** signing name from the credential scope ("unknown" when the request had none) */
  service: string;
  /** Region from the credential scope */
  region?: string;
  /** the account the call was answered in (the scenario's, or one reached through AssumeRole) */
  account?: string;
  /** operation name ("" when the request named none) */
  operation: string;
  /** request members as the double parsed them (query lists as arrays) */
  params: Record<string, unknown>;
  /** arrival time on the double's clock, epoch ms */
  at: number;
  /** HTTP status of the answer (0 while the call is in progress) */
  status: number;
  /** when the answer was sent, on the double's clock, epoch ms (absent while in progress) */
  doneAt?: number;
  /** the error code returned, if any (e.g. "ThrottlingException") */
  error?: string;
  /** set when a rate quota (not an injected fault) throttled the call: the quota, described */
  quota?: string;
}

export interface AwsDouble {
  /** e.g. http://127.0.0.1:43123 */
  url: string;
  /** every request, in arrival order (including faulted ones) */
  calls: AwsCall[];
  /** every Lambda Invoke the double accepted (not faulted or failed ones), in arrival order */
  invocations: LambdaInvocation[];
  /** every SQS SendMessage the double accepted, in arrival order; nothing consumes them (services/sqs.ts) */
  sqsMessages: SqsMessage[];
  /**
   * The code of every Lambda function (replaces the previous handler). For `Event` the double
   * answers 202 first and then calls the handler, logging what it throws; for
   * `RequestResponse` it awaits the handler and returns its result as JSON, or a function
   * error (`X-Amz-Function-Error: Unhandled`) if it throws. Without a handler, a
   * RequestResponse invocation returns `null`.
   */
  onInvoke(handler: InvokeHandler): void;
  /** resolves once the work started after answering (asynchronous invocations' handlers) has finished */
  idle(): Promise<void>;
  /** the live, mutable state of the scenario's Region (resolved times as Date) */
  world: World;
  /** the live state of one account's Region (made empty on first use, as in worldIn) */
  worldOf(accountId: string, region?: string): World;
  /** AssumeRole into this account's roles is refused (AccessDenied naming sts:AssumeRole), or allowed again */
  denyAssumeRole(accountId: string, deny?: boolean): void;
  /** add a fault at runtime */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** added delay on every call (for benchmarks) */
  setLatency(ms: number): void;
  /** replaces the enforced rate quotas (`false`: none); every bucket starts full */
  setQuotas(quotas: QuotaTable | false): void;
  /** clear calls and invocations; every quota bucket starts full again */
  reset(): void;
  /** the double's clock: `now` at start plus the real time elapsed since */
  now(): Date;
  close(): Promise<void>;
}

export interface AwsDoubleOptions {
  scenario: Scenario;
  /** anchors the scenario's relative times; the double's clock runs on from it (default: the real time) */
  now?: Date;
  latencyMs?: number;
  /** default: a free port */
  port?: number;
  /** how long a simulated ECS rollout takes after UpdateService (default 50 ms) */
  deployDelayMs?: number;
  /** the principal named in AccessDenied messages (default: assumed-role/whybot/whybot-sandbox in the scenario's account) */
  callerArn?: string;
  /**
   * Rate quotas answered with the service's throttling error (quotas.ts; default
   * `AWS_QUOTAS`: CloudTrail LookupEvents, Route 53). `false` turns them off, for tests
   * about something else; a table replaces them.
   */
  quotas?: QuotaTable | false;
  /**
   * Other accounts, each a scenario with its own `accountId` and Region, reached with
   * credentials from STS AssumeRole (services/sts.ts). Any other account assumed is empty.
   */
  accounts?: Scenario[];
  /** account ids whose roles AssumeRole refuses */
  denyAssumeRole?: string[];
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
const CREDENTIAL_KEY = /Credential=([^/,\s]+)\//;

/** The account a request is for: the one named by credentials from the double's AssumeRole, else undefined (the scenario's). */
function accountOf(authorization: string | undefined): string | undefined {
  const key = authorization === undefined ? undefined : CREDENTIAL_KEY.exec(authorization)?.[1];
  return key === undefined ? undefined : ISSUED_KEY.exec(key)?.[1];
}

/** The SigV4 credential scope (Region and signing name) of an Authorization header, if any. */
export function credentialScopeOf(authorization: string | undefined): { region: string; service: string } | undefined {
  const m = authorization === undefined ? null : CREDENTIAL_SCOPE.exec(authorization);
  return m ? { region: m[1]!, service: m[2]! } : undefined;
}

const genericJson = new Json11Protocol({ messageKey: 'message' });
const genericQuery = new QueryXmlProtocol({ version: '', xmlns: 'https://aws.amazon.com/' });

function protocolFor(module: ServiceModule | undefined, contentType: string | undefined): Protocol {
  if (module) return module.protocol;
  return contentType?.includes('x-amz-json') ? genericJson : genericQuery;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new AwsError('RequestEntityTooLarge', 'Request body too large.', 413);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAwsDouble(opts: AwsDoubleOptions): Promise<AwsDouble> {
  const startedAt = performance.now();
  const origin = (opts.now ?? new Date()).getTime();
  const clock = () => new Date(origin + (performance.now() - startedAt));

  const world = buildWorld(opts.scenario, new Date(origin));
  // Other Regions (and other accounts) exist but are empty, as an account's other Regions
  // would be for this data; worlds are keyed by account and Region.
  const worlds = new Map<string, World>([[`${world.accountId}|${world.region}`, world]]);
  /** per account, the world its global state (Route 53, IAM) lives in */
  const homes = new Map<string, World>([[world.accountId, world]]);
  for (const other of opts.accounts ?? []) {
    const w = buildWorld(other, new Date(origin));
    if (worlds.has(`${w.accountId}|${w.region}`)) throw new Error(`The AWS double has two scenarios for account ${w.accountId} in ${w.region}.`);
    worlds.set(`${w.accountId}|${w.region}`, w);
    homes.set(w.accountId, w);
  }
  const worldOf = (account: string, region: string): World => {
    let w = worlds.get(`${account}|${region}`);
    if (!w) {
      const empty = ScenarioSchema.parse({ name: `${opts.scenario.name} (${account} ${region})`, description: '', accountId: account, region });
      w = buildWorld(empty, new Date(origin));
      const home = homes.get(account);
      if (home) {
        // Route 53 and Route 53 Domains are global; ACM certificates carry their own Region.
        shareGlobalState(home, w);
        // IAM is global too (clients pointed at the double sign with their own Region).
        w.iam = home.iam;
      } else homes.set(account, w);
      worlds.set(`${account}|${region}`, w);
    }
    return w;
  };
  const worldIn = (region: string | undefined, account = world.accountId): World =>
    region === undefined ? (account === world.accountId ? world : (homes.get(account) ?? worldOf(account, world.region))) : worldOf(account, region);
  const faults = new FaultSet(opts.scenario.faults);
  const quotas = new QuotaLimiter(opts.quotas ?? AWS_QUOTAS, () => clock().getTime());
  const calls: AwsCall[] = [];
  const lambda: LambdaRuntime = { invocations: [] };
  const sqs: SqsRuntime = { messages: [] };
  /** work started after an answer was sent, until it settles */
  const background = new Set<Promise<void>>();
  const callerArn = opts.callerArn ?? `arn:aws:sts::${world.accountId}:assumed-role/whybot/whybot-sandbox`;
  const simulation = { deployDelayMs: opts.deployDelayMs ?? 50, accounts: { callerArn, denyAssumeRole: new Set(opts.denyAssumeRole ?? []) } };
  let latencyMs = opts.latencyMs ?? 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const advanceAll = () => {
    const now = clock();
    for (const w of worlds.values()) for (const m of SERVICES.values()) m.advance?.(w, now);
  };
  // Simulated changes also happen without requests, so a test inspecting `world` sees them.
  const scheduleAdvance = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed) return;
    const due = [...worlds.values()]
      .flatMap((w) => [...SERVICES.values()].map((m) => m.nextChangeAt?.(w)?.getTime()))
      .filter((t): t is number => t !== undefined);
    if (due.length === 0) return;
    const wait = Math.max(0, Math.min(...due) - clock().getTime());
    timer = setTimeout(() => {
      advanceAll();
      scheduleAdvance();
    }, wait + 1);
    timer.unref();
  };

  type Task = () => void | Promise<void>;

  async function answer(req: IncomingMessage, body: string, call: AwsCall, requestId: string, after: Task[]): Promise<WireResponse> {
    const wire: WireRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    const scope = credentialScopeOf(req.headers.authorization);
    const signingName = scope?.service;
    const here = worldIn(scope?.region, accountOf(req.headers.authorization));
    const module = signingName === undefined ? undefined : SERVICES.get(signingName);
    const protocol = protocolFor(module, req.headers['content-type']);
    const operation = protocol.operationOf(wire);
    call.service = signingName ?? 'unknown';
    call.account = here.accountId;
    if (scope) call.region = scope.region;
    call.operation = operation ?? '';
    let params: Record<string, unknown> = {};
    let parseError: unknown;
    try {
      params = protocol.parseParams(wire);
    } catch (e) {
      parseError = e;
    }
    call.params = params;

    if (latencyMs > 0) await sleep(latencyMs);
    if (protocol.id !== 'restJson1' && protocol.id !== 'restXml' && req.method !== 'POST') {
      throw new AwsError('MethodNotAllowed', `The double serves POST requests only, not ${req.method ?? ''}.`, 405);
    }
    if (signingName === undefined) {
      throw protocol.id === 'awsQuery'
        ? new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403)
        : new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
    }
    if (!module) {
      const base = protocol.errors.unknownOperation(operation);
      throw new AwsError(base.code, `The AWS double does not serve the service "${signingName}".`, base.status);
    }
    const handler = operation === undefined ? undefined : module.operations[operation];
    if (operation === undefined || !handler) throw protocol.errors.unknownOperation(operation);

    // Quotas count every request that reaches the operation, including those a fault then fails.
    const quota = quotas.take({ service: signingName, operation, account: here.accountId, region: scope?.region });
    if (quota) {
      call.quota = describeQuota(quota);
      throw quota.error ? new AwsError(quota.error.code, quota.error.message ?? 'Rate exceeded', quota.error.status) : protocol.errors.throttling();
    }

    const outcome = faults.apply(signingName, operation, protocol.errors, () => ({
      callerArn,
      action: `${module.iamPrefix ?? module.signingName}:${module.iamActions?.[operation] ?? operation}`,
      resource: module.iamResource?.(operation, params, here) ?? '*',
    }));
    if (outcome.delayMs > 0) await sleep(outcome.delayMs);
    if (outcome.error) throw outcome.error;
    if (parseError) throw parseError;

    advanceAll();
    const result = await handler({
      world: here,
      now: clock(),
      params,
      protocol,
      options: simulation,
      lambda,
      sqs,
      afterResponse: (task) => after.push(task),
    });
    scheduleAdvance();
    return protocol.encodeResult(operation, result, requestId);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const call: AwsCall = { service: 'unknown', operation: '', params: {}, at: clock().getTime(), status: 0 };
    calls.push(call);
    const after: Task[] = [];
    let response: WireResponse;
    try {
      const body = await readBody(req);
      response = await answer(req, body, call, requestId, after);
    } catch (e) {
      after.length = 0;
      const module = SERVICES.get(call.service);
      const protocol = protocolFor(module, req.headers['content-type']);
      let error: AwsError;
      if (isAwsError(e)) error = e;
      else {
        console.error(`[aws-double] ${call.service}.${call.operation} failed:`, e);
        error = protocol.errors.internal();
      }
      call.error = error.code;
      response = protocol.encodeError(error, requestId, call.operation);
    }
    call.status = response.status;
    call.doneAt = clock().getTime();
    res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
    if (after.length === 0) {
      res.end(response.body);
      return;
    }
    // Only once the answer has been sent (or the client has gone) does the deferred work start.
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      for (const task of after) {
        const done: Promise<void> = Promise.resolve()
          .then(task)
          .catch((e: unknown) => console.error('[aws-double] background task failed:', e))
          .finally(() => background.delete(done));
        background.add(done);
      }
    };
    res.once('finish', start);
    res.once('close', start);
    res.end(response.body);
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      console.error('[aws-double] could not answer:', e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const port = await listenOnLoopback(server, opts.port);

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    invocations: lambda.invocations,
    sqsMessages: sqs.messages,
    onInvoke(handler: InvokeHandler) {
      lambda.onInvoke = handler;
    },
    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    world,
    worldOf: (accountId, region) => worldOf(accountId, region ?? homes.get(accountId)?.region ?? world.region),
    denyAssumeRole(accountId, deny = true) {
      if (deny) simulation.accounts.denyAssumeRole.add(accountId);
      else simulation.accounts.denyAssumeRole.delete(accountId);
    },
    inject(fault: Fault) {
      faults.add(FaultSchema.parse(fault));
    },
    clearFaults() {
      faults.clear();
    },
    setLatency(ms: number) {
      latencyMs = Math.max(0, ms);
    },
    setQuotas(table: QuotaTable | false) {
      quotas.set(table);
    },
    reset() {
      calls.length = 0;
      lambda.invocations.length = 0;
      sqs.messages.length = 0;
      quotas.refillAll();
    },
    now: clock,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
