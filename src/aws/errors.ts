// Every AWS failure becomes one of these, so a check can say why it failed and which IAM
// action it needs, instead of surfacing an SDK stack trace.
export type FailureKind =
  | 'access-denied'
  | 'throttled'
  | 'timeout'
  | 'not-found'
  | 'credentials'
  | 'unsupported'
  | 'server'
  | 'network'
  | 'invalid-request';

export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  constructor(
    readonly kind: FailureKind,
    readonly iamAction: string,
    message: string,
    readonly awsCode?: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

const accessDenied = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'NotAuthorized',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
]);
const throttled = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

/** AWS said "too many requests" (an SDK error, before whybot classifies it). */
export const isThrottling = (err: unknown): boolean => throttled.has((err as { name?: string } | null)?.name ?? '');
const unsupported = new Set(['UnknownOperationException', 'InvalidAction', 'UnsupportedOperation']);

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function classifyAwsError(err: unknown, iamAction: string): AwsCallError {
  if (err instanceof AwsCallError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SdkLikeError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  const message = e.message ?? name;
  const make = (kind: FailureKind, text: string) => new AwsCallError(kind, iamAction, text, name, requestId);
  if (accessDenied.has(name)) return make('access-denied', `access denied: needs ${iamAction}`);
  if (throttled.has(name)) return make('throttled', `throttled by AWS (${name}) after the SDK's retries`);
  if (name === 'AbortError' || name === 'TimeoutError') return make('timeout', 'timed out');
  // The SDK could not parse the answer (a truncated or garbled body): AWS's side, not the request's.
  if (typeof err === 'object' && err !== null && '$response' in err && /Deserialization error/.test(message))
    return make('server', `AWS answered${status ? ` HTTP ${status}` : ''}, but the answer could not be read (${message.split('\n')[0]!.replace(/^@aws-sdk /, '')})`);
  if (name === 'CredentialsProviderError') return make('credentials', `no AWS credentials: ${message}`);
  if (unsupported.has(name)) return make('unsupported', `${iamAction} is not supported by this endpoint (${name})`);
  if (/NotFound/.test(name)) return make('not-found', message);
  if (status !== undefined && status >= 500) return make('server', `AWS error ${status} ${name}: ${message}`);
  const code = e.code ?? '';
  if (/^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN)$/.test(code) || /ECONNREFUSED|ENOTFOUND/.test(message))
    return make('network', `cannot reach AWS: ${message}`);
  return make('invalid-request', `${name}: ${message}`);
}

/** Runs one AWS call (or one paginated walk) and maps any failure to AwsCallError. */
export async function awsCall<T>(iamAction: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classifyAwsError(err, iamAction);
  }
}
