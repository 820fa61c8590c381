/**
 * AWS JSON 1.1 (Secrets Manager, CloudTrail, ECS, SSM): POST / with
 * `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: <TargetPrefix>.<Operation>`
 * and the input as a JSON object. Timestamps travel as epoch seconds (numbers, with a
 * fraction for milliseconds) in both directions.
 *
 * Errors: HTTP 4xx/5xx with `{"__type": "<Code>", "<message key>": "..."}`. The SDK takes
 * the code from `__type` (then `code`, then the `x-amzn-ErrorType` header), strips any
 * `namespace#` prefix and `:suffix`, and looks it up in the client's error registry; the
 * message member is `Message` for Secrets Manager and CloudTrail but `message` for ECS, so
 * the key is per service.
 */
import { AwsError } from '../errors.js';
import type { CommonErrors, Protocol, WireRequest, WireResponse } from './types.js';

export const JSON11_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface Json11Options {
  /** AWS JSON 1.0 (SQS, DynamoDB) differs only in its content type (default 1.1) */
  version?: '1.0' | '1.1';
  /** the member name of the error message in this service's model: "Message" or "message" */
  messageKey: 'Message' | 'message';
  /** this service's own codes for common faults (e.g. SSM's InternalServerError) */
  errors?: Partial<CommonErrors>;
}

/** Dates become epoch seconds; everything else is copied, undefined members dropped. */
export function toJsonWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = toJsonWire(member);
    }
    return out;
  }
  return value;
}

export const json11Errors: CommonErrors = {
  accessDenied: (message) => new AwsError('AccessDeniedException', message, 400),
  throttling: () => new AwsError('ThrottlingException', 'Rate exceeded', 400),
  internal: () => new AwsError('InternalFailure', 'We encountered an internal error. Please try again.', 500),
  unknownOperation: (operation) =>
    new AwsError('UnknownOperationException', operation ? `Unknown operation ${operation}` : 'Missing X-Amz-Target header', 400),
  missingParameter: (name) =>
    new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
      400,
    ),
  invalidParameter: (message) => new AwsError('ValidationException', message, 400),
};

export class Json11Protocol implements Protocol {
  readonly id: 'awsJson1_0' | 'awsJson1_1';
  readonly errors: CommonErrors;
  private readonly contentType: string;

  constructor(private readonly options: Json11Options) {
    this.errors = { ...json11Errors, ...options.errors };
    this.id = options.version === '1.0' ? 'awsJson1_0' : 'awsJson1_1';
    this.contentType = options.version === '1.0' ? 'application/x-amz-json-1.0' : JSON11_CONTENT_TYPE;
  }

  operationOf(req: WireRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string' || target === '') return undefined;
    // "secretsmanager.DescribeSecret", "CloudTrail_20131101.LookupEvents",
    // "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
    const dot = target.lastIndexOf('.');
    return dot >= 0 ? target.slice(dot + 1) : target;
  }

  parseParams(req: WireRequest): Record<string, unknown> {
    if (req.body.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body);
    } catch {
      throw new AwsError('SerializationException', 'Start of structure or map found where not expected.', 400);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AwsError('SerializationException', 'Start of structure or map found where not expected.', 400);
    }
    return parsed as Record<string, unknown>;
  }

  encodeResult(_operation: string, result: unknown, requestId: string): WireResponse {
    return {
      status: 200,
      headers: { 'content-type': this.contentType, 'x-amzn-requestid': requestId },
      body: JSON.stringify(toJsonWire(result ?? {})),
    };
  }

  encodeError(error: AwsError, requestId: string): WireResponse {
    return {
      status: error.status,
      headers: {
        'content-type': this.contentType,
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.code,
        ...error.headers,
      },
      body: JSON.stringify({ ...error.fields, __type: error.code, [this.options.messageKey]: error.message }),
    };
  }
}
