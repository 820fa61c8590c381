/**
 * A service error as the double raises it: an AWS error code (`DBClusterNotFoundFault`,
 * `ResourceNotFoundException`…), the message AWS writes, and the HTTP status. The
 * protocol layer (protocols/*.ts) turns it into the service's wire format.
 */
export interface AwsErrorExtra {
  /** further members of the error body (restJson1, e.g. Lambda's `Type` or `Reason`) */
  fields?: Record<string, unknown>;
  /** further response headers */
  headers?: Record<string, string>;
}

export class AwsError extends Error {
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    extra: AwsErrorExtra = {},
  ) {
    super(message);
    this.name = code;
    this.fields = extra.fields ?? {};
    this.headers = extra.headers ?? {};
  }

  /** query protocol `<Type>`: who is at fault */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export function isAwsError(value: unknown): value is AwsError {
  return value instanceof AwsError;
}
