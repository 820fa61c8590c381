/**
 * AWS Lambda (restJson1): Invoke, GetFunctionConfiguration, UpdateFunctionConfiguration, ListTags. The functions are the scenario's `lambda.functions`; their
 * code is whatever `AwsDouble.onInvoke` registers (none: every invocation returns `null`).
 *
 *  - `X-Amz-Invocation-Type: Event` → 202, empty body; the handler runs after the answer
 *    has been sent, and its errors are logged, not returned (Lambda's asynchronous
 *    invocation; the double does not retry).
 *  - `RequestResponse` (the default) → 200 with the handler's result as JSON; if the handler
 *    throws, 200 with `X-Amz-Function-Error: Unhandled` and the Node.js runtime's
 *    `{errorType, errorMessage, trace}` payload.
 *  - `DryRun` → 204: the function exists and the call is allowed; nothing runs.
 *
 * FunctionName may be a name, a full ARN or a partial ARN (`ACCOUNT:function:NAME`), with
 * an optional `:qualifier` ($LATEST or one of the function's aliases), or the qualifier in
 * `Qualifier`. Every accepted invocation (DryRun included) is recorded in
 * `AwsDouble.invocations`.
 *
 * GetFunctionConfiguration and ListTags serve the scenario's configuration (runtime,
 * timeout, VPC, environment, tags; defaults in world-rotation.ts), environment values
 * included, as AWS does.
 *
 * UpdateFunctionConfiguration (`PUT …/configuration`) changes `Timeout` (1–900; the only
 * member modelled, others are refused) and answers the configuration with
 * `LastUpdateStatus: InProgress`; GetFunctionConfiguration reports InProgress for
 * UPDATE_SETTLE_MS of the double's clock, then Successful. A second update meanwhile →
 * `ResourceConflictException` 409, as Lambda answers.
 */
import { AwsError } from '../errors.js';
import { httpResult, RestJsonProtocol, type RestRoute } from '../protocols/rest-json.js';
import type { CommonErrors } from '../protocols/types.js';
import { arns, type LambdaFunction, type World } from '../world.js';
import { stableUuid } from '../ids.js';
import { lambdaConfiguration } from '../world-rotation.js';
import { ParamReader } from './params.js';
import type { InvokeHandler, OperationContext, Params, ServiceModule } from './types.js';

const errors: CommonErrors = {
  accessDenied: (message) => new AwsError('AccessDeniedException', message, 403),
  throttling: () => new AwsError('TooManyRequestsException', 'Rate exceeded', 429, { fields: { Reason: 'CallerRateLimitExceeded' } }),
  internal: () => new AwsError('ServiceException', 'Lambda encountered an internal error. Please try again.', 500),
  unknownOperation: (operation) =>
    new AwsError('UnknownOperationException', operation ? `Unknown operation ${operation}` : 'Unknown operation', 404),
  missingParameter: (name) =>
    new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
      400,
    ),
  invalidParameter: (message) => new AwsError('InvalidParameterValueException', message, 400),
};

/** Lambda's errors spell the message member "Message" for these, "message" for the rest. */
const CAPITAL_MESSAGE = new Set(['ResourceNotFoundException', 'ServiceException', 'AccessDeniedException']);

// Invoke, GetFunctionConfiguration and ListTags have handlers; the other routes name the
// operation in `calls` and answer UnknownOperationException.
const routes: RestRoute[] = [
  {
    operation: 'Invoke',
    method: 'POST',
    uri: '/2015-03-31/functions/{FunctionName}/invocations',
    headers: { 'X-Amz-Invocation-Type': 'InvocationType', 'X-Amz-Log-Type': 'LogType', 'X-Amz-Client-Context': 'ClientContext' },
    query: { Qualifier: 'Qualifier' },
    payload: 'Payload',
  },
  { operation: 'GetFunction', method: 'GET', uri: '/2015-03-31/functions/{FunctionName}', query: { Qualifier: 'Qualifier' } },
  {
    operation: 'GetFunctionConfiguration',
    method: 'GET',
    uri: '/2015-03-31/functions/{FunctionName}/configuration',
    query: { Qualifier: 'Qualifier' },
  },
  { operation: 'UpdateFunctionConfiguration', method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
  { operation: 'ListFunctions', method: 'GET', uri: '/2015-03-31/functions' },
  { operation: 'ListFunctions', method: 'GET', uri: '/2015-03-31/functions/' },
  { operation: 'ListTags', method: 'GET', uri: '/2017-03-31/tags/{Resource}' },
];

const protocol = new RestJsonProtocol({
  routes,
  errors,
  messageKey: (code) => (CAPITAL_MESSAGE.has(code) ? 'Message' : 'message'),
  errorFields: (error) => (error.code === 'AccessDeniedException' ? {} : { Type: error.status >= 500 ? 'Service' : 'User' }),
});

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'];
/** Invoke's payload limits: 6 MB synchronous, 1 MB asynchronous. */
const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD = 1024 * 1024;

// The FunctionName pattern of the API reference, with groups for the parts.
const FUNCTION_NAME =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;

export interface FunctionRef {
  fn: LambdaFunction;
  /** undefined for $LATEST */
  qualifier?: string;
}

function notFound(world: World, name: string, qualifier: string | undefined): AwsError {
  const arn = arns.lambdaFunction(world, name) + (qualifier === undefined ? '' : `:${qualifier}`);
  return new AwsError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

/** FunctionName (name, full or partial ARN, optional :qualifier) plus Qualifier → the function. */
export function resolveFunction(world: World, functionName: string, qualifierParam?: string): FunctionRef {
  const m = functionName.length <= 170 ? FUNCTION_NAME.exec(functionName) : null;
  if (!m) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME.source}`,
    );
  }
  const [, region, account, name, derived] = m;
  if (derived !== undefined && qualifierParam !== undefined && qualifierParam !== derived) {
    throw new AwsError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = derived ?? qualifierParam;
  const fn = world.lambda.functions.find((f) => f.name === name);
  if (!fn || (region !== undefined && region !== world.region) || (account !== undefined && account !== world.accountId)) {
    throw notFound(world, name!, qualifier);
  }
  if (qualifier === undefined || qualifier === '$LATEST') return { fn };
  if (!fn.aliases.includes(qualifier)) throw notFound(world, name!, qualifier);
  return { fn, qualifier };
}

/** What the Node.js runtime reports for an uncaught error. */
function functionError(e: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (e instanceof Error) {
    return { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? `${e.name}: ${e.message}`).split('\n') };
  }
  return { errorType: typeof e, errorMessage: String(e), trace: [] };
}

async function invoke(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const functionName = p.str('FunctionName', true);
  const invocationType = p.str('InvocationType') ?? 'RequestResponse';
  if (!INVOCATION_TYPES.includes(invocationType)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`,
    );
  }
  const { fn, qualifier } = resolveFunction(ctx.world, functionName, p.str('Qualifier'));

  const body = p.str('Payload') ?? '';
  const size = Buffer.byteLength(body);
  const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  if (size > limit) {
    throw new AwsError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413);
  }
  let payload: unknown = {};
  if (body.trim() !== '') {
    try {
      payload = JSON.parse(body);
    } catch (e) {
      throw new AwsError(
        'InvalidRequestContentException',
        `Could not parse request body into json: Could not parse payload into json: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  ctx.lambda.invocations.push({ functionName: fn.name, invocationType, payload, at: ctx.now.getTime() });
  if (invocationType === 'DryRun') return httpResult(204);

  const handler = ctx.lambda.onInvoke;
  // The function gets its own copy of the event, as it would after deserialising it.
  const run = (h: InvokeHandler) => h({ functionName: fn.name, invocationType, payload: structuredClone(payload) });

  if (invocationType === 'Event') {
    if (handler) {
      ctx.afterResponse(async () => {
        try {
          await run(handler);
        } catch (e) {
          console.error(`[aws-double] asynchronous invocation of ${fn.name} failed:`, e);
        }
      });
    }
    return httpResult(202);
  }

  const headers = { 'content-type': 'application/json', 'x-amz-executed-version': qualifier === undefined ? '$LATEST' : '1' };
  try {
    const result = handler ? await run(handler) : null;
    return httpResult(200, headers, JSON.stringify(result) ?? 'null');
  } catch (e) {
    return httpResult(200, { ...headers, 'x-amz-function-error': 'Unhandled' }, JSON.stringify(functionError(e)));
  }
}

/** Lambda's LastModified: "2026-10-24T12:00:00.000+0000". */
function lastModified(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

/**
 * GetFunctionConfiguration: the function's FunctionConfiguration (a qualifier names the same
 * configuration: versions are not modelled). Environment values are served as AWS serves
 * them — whybot's adapter is what drops them.
 */
function getFunctionConfiguration(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { fn, qualifier } = resolveFunction(ctx.world, p.str('FunctionName', true), p.str('Qualifier'));
  return configurationOf(fn, qualifier, ctx.now);
}

/** How long an update stays InProgress, on the double's clock. */
export const UPDATE_SETTLE_MS = 50;
const UPDATABLE = new Set(['FunctionName', 'Timeout']);

/** UpdateFunctionConfiguration: Timeout only (see the module comment). */
function updateFunctionConfiguration(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { fn } = resolveFunction(ctx.world, p.str('FunctionName', true));
  const others = Object.keys(ctx.params).filter((k) => !UPDATABLE.has(k));
  if (others.length > 0) throw new AwsError('InvalidParameterValueException', `the AWS double updates Timeout only, not ${others.join(', ')}`);
  const timeout = p.int('Timeout');
  if (timeout !== undefined && (timeout < 1 || timeout > 900)) {
    const bound = timeout < 1 ? 'greater than or equal to 1' : 'less than or equal to 900';
    throw new AwsError('ValidationException', `1 validation error detected: Value '${timeout}' at 'timeout' failed to satisfy constraint: Member must have value ${bound}`);
  }
  const c = (fn.configuration ??= lambdaConfiguration(ctx.world, { name: fn.name }, ctx.now));
  if (c.updateSettlesAt && ctx.now < c.updateSettlesAt)
    throw new AwsError('ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`, 409);
  if (timeout !== undefined) c.timeout = timeout;
  c.lastModified = ctx.now;
  c.updateSettlesAt = new Date(ctx.now.getTime() + UPDATE_SETTLE_MS);
  return configurationOf(fn, undefined, ctx.now);
}

function configurationOf(fn: LambdaFunction, qualifier: string | undefined, now: Date) {
  const c = fn.configuration ?? lambdaConfiguration({ accountId: fn.arn.split(':')[4] ?? '' }, { name: fn.name }, now);
  return {
    FunctionName: fn.name,
    FunctionArn: qualifier === undefined ? fn.arn : `${fn.arn}:${qualifier}`,
    Runtime: c.runtime,
    Role: c.role,
    Handler: c.handler,
    CodeSize: 5_242,
    Description: '',
    Timeout: c.timeout,
    MemorySize: c.memorySize,
    LastModified: lastModified(c.lastModified),
    CodeSha256: c.codeSha256,
    Version: '$LATEST',
    ...(c.vpc && {
      VpcConfig: { SubnetIds: c.vpc.subnetIds, SecurityGroupIds: c.vpc.securityGroupIds, VpcId: c.vpc.vpcId, Ipv6AllowedForDualStack: false },
    }),
    ...(c.environment && { Environment: { Variables: c.environment } }),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: stableUuid(`lambda-revision:${fn.arn}`),
    State: 'Active',
    LastUpdateStatus: c.updateSettlesAt && now < c.updateSettlesAt ? 'InProgress' : 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  };
}

/** ListTags: Resource is a function ARN (a name is not accepted, as in AWS). */
function listTags(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const resource = p.str('Resource', true);
  if (!resource.startsWith('arn:')) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${resource}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:.*`);
  }
  const { fn } = resolveFunction(ctx.world, resource);
  return { Tags: { ...(fn.configuration?.tags ?? {}) } };
}

function iamResource(_operation: string, params: Params, world: World): string {
  const name = params.FunctionName ?? params.Resource;
  if (typeof name !== 'string' || name === '') return '*';
  const m = FUNCTION_NAME.exec(name);
  if (!m) return name;
  const [, region, account, fn, qualifier] = m;
  const base = `arn:aws:lambda:${region ?? world.region}:${account ?? world.accountId}:function:${fn!}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

export const lambda: ServiceModule = {
  signingName: 'lambda',
  protocol,
  operations: { Invoke: invoke, GetFunctionConfiguration: getFunctionConfiguration, UpdateFunctionConfiguration: updateFunctionConfiguration, ListTags: listTags },
  iamActions: { Invoke: 'InvokeFunction' },
  iamResource,
};
