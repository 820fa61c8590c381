import type { IncomingHttpHeaders } from 'node:http';
import type { AwsError } from '../errors.js';

export interface WireRequest {
  /** HTTP method, upper case */
  method: string;
  /** request target as sent: path and query string, still percent-encoded */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The error codes each protocol family uses for the faults every service shares. */
export interface CommonErrors {
  accessDenied(message: string): AwsError;
  throttling(): AwsError;
  internal(): AwsError;
  unknownOperation(operation: string | undefined): AwsError;
  /** a required request member is absent */
  missingParameter(name: string): AwsError;
  /** a request member has a value the service rejects */
  invalidParameter(message: string): AwsError;
}

/** One AWS wire protocol: request parsing plus response and error encoding. */
export interface Protocol {
  readonly id: 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'restJson1' | 'ec2Query' | 'restXml';
  /** the operation named by the request, or undefined when it names none */
  operationOf(req: WireRequest): string | undefined;
  /** the request members as plain data (throws AwsError on a malformed body) */
  parseParams(req: WireRequest): Record<string, unknown>;
  encodeResult(operation: string, result: unknown, requestId: string): WireResponse;
  encodeError(error: AwsError, requestId: string, operation?: string): WireResponse;
  readonly errors: CommonErrors;
}
