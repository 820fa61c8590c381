/**
 * AWS restJson1 (Lambda): the operation is named by the HTTP method and path
 * (`POST /2015-03-31/functions/{FunctionName}/invocations`), members travel in path labels
 * (percent-encoded by the SDK: an ARN arrives as `arn%3Aaws%3Alambda%3A…`), query
 * parameters, headers (`X-Amz-Invocation-Type`) and the body: either a JSON object of the
 * remaining members or, for an `httpPayload` member (Invoke's `Payload` blob), the raw body.
 * Responses bind members the same way: an operation with HTTP bindings returns an
 * `HttpResult` (status, headers, raw body); plain data becomes a 200 JSON object.
 *
 * Errors: HTTP 4xx/5xx with an `x-amzn-ErrorType: <Code>` header and a JSON body holding
 * the message and the error's other members. The SDK takes the code from the header first
 * (then `code`, then `__type`), and the message from `message` or `Message`.
 */
import { AwsError } from '../errors.js';
import { RouteTable, type RestRouteBase, type RouteMatch } from './rest-routes.js';
import { toJsonWire } from './json11.js';
import type { CommonErrors, Protocol, WireRequest, WireResponse } from './types.js';

export const REST_JSON_CONTENT_TYPE = 'application/json';

export interface RestRoute extends RestRouteBase {
  /** the member bound to the whole body as text (httpPayload); without one the body is a JSON object of members */
  payload?: string;
}

/** A result with HTTP bindings: status, headers and the raw body, sent as they are. */
export class HttpResult {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string> = {},
    readonly body = '',
  ) {}
}

export function httpResult(status: number, headers: Record<string, string> = {}, body = ''): HttpResult {
  return new HttpResult(status, headers, body);
}

export interface RestJsonOptions {
  routes: readonly RestRoute[];
  errors: CommonErrors;
  /** the member name of an error's message, per error code (default "message") */
  messageKey?: (code: string) => 'message' | 'Message';
  /** members every error body carries besides its own (Lambda: `Type`) */
  errorFields?: (error: AwsError) => Record<string, unknown>;
}

export class RestJsonProtocol implements Protocol {
  readonly id = 'restJson1' as const;
  readonly errors: CommonErrors;
  private readonly routes: RouteTable<RestRoute>;

  constructor(private readonly options: RestJsonOptions) {
    this.errors = options.errors;
    this.routes = new RouteTable(options.routes, 'SerializationException');
  }

  private match(req: WireRequest): RouteMatch<RestRoute> | undefined {
    return this.routes.match(req);
  }

  operationOf(req: WireRequest): string | undefined {
    return this.match(req)?.route.operation;
  }

  parseParams(req: WireRequest): Record<string, unknown> {
    const hit = this.match(req);
    if (!hit) return {};
    const { route } = hit;
    const params: Record<string, unknown> = {};
    if (route.payload !== undefined) {
      params[route.payload] = req.body;
    } else if (req.body.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.body);
      } catch {
        throw new AwsError('SerializationException', 'The request body is not valid JSON.', 400);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new AwsError('SerializationException', 'The request body must be a JSON object.', 400);
      }
      Object.assign(params, parsed);
    }
    for (const [name, member] of Object.entries(route.headers ?? {})) {
      const value = req.headers[name.toLowerCase()];
      if (value !== undefined) params[member] = Array.isArray(value) ? value.join(',') : value;
    }
    for (const [name, member] of Object.entries(route.query ?? {})) {
      const value = hit.query.get(name);
      if (value !== null) params[member] = value;
    }
    for (const [name, raw] of Object.entries(hit.labels)) params[name] = this.routes.decodeLabel(raw);
    return params;
  }

  encodeResult(_operation: string, result: unknown, requestId: string): WireResponse {
    if (result instanceof HttpResult) {
      return { status: result.status, headers: { ...result.headers, 'x-amzn-requestid': requestId }, body: result.body };
    }
    return {
      status: 200,
      headers: { 'content-type': REST_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId },
      body: JSON.stringify(toJsonWire(result ?? {})),
    };
  }

  encodeError(error: AwsError, requestId: string): WireResponse {
    const messageKey = this.options.messageKey?.(error.code) ?? 'message';
    return {
      status: error.status,
      headers: {
        'content-type': REST_JSON_CONTENT_TYPE,
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.code,
        ...error.headers,
      },
      body: JSON.stringify({ ...this.options.errorFields?.(error), ...error.fields, [messageKey]: error.message }),
    };
  }
}
