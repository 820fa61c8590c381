/**
 * A service error as the double raises it: an AWS error code (`DBClusterNotFoundFault`,
 * `ResourceNotFoundException`…), the message AWS writes, and the HTTP status. The
 * protocol layer (protocols/*.ts) turns it into the service's wire format.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }

  /** query protocol `<Type>`: who is at fault */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export function isAwsError(value: unknown): value is AwsError {
  return value instanceof AwsError;
}
