/**
 * AWS Query (RDS): POST / with `Content-Type: application/x-www-form-urlencoded` and a
 * body `Action=<Operation>&Version=<api version>&Member=value&List.Item.1=...`. The SDK
 * always sends `Version`, puts lists as `<Name>.<member name>.<n>` (n from 1, e.g.
 * `Filters.Filter.1.Values.Value.2`), sends an empty list as `Name=` and timestamps as
 * ISO-8601.
 *
 * Responses are XML: `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata>
 * <RequestId/></ResponseMetadata></OpResponse>`; the SDK drops the root element and reads
 * `<OpResult>`. A list member is `<Name><memberName>…</memberName>…</Name>`, timestamps
 * are ISO-8601, booleans `true`/`false`.
 *
 * Errors: `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error>
 * <RequestId/></ErrorResponse>`. The SDK finds the error class by `<Code>`, also through
 * the model's `awsQueryError` code (e.g. code `DBInstanceNotFound` → `DBInstanceNotFoundFault`).
 */
import { AwsError } from '../errors.js';
import type { CommonErrors, Protocol, WireRequest, WireResponse } from './types.js';

/** A list in an XML response: `<Key><member>…</member>…</Key>`. */
export class XmlList {
  constructor(
    readonly member: string,
    readonly items: readonly unknown[],
  ) {}
}

export function xmlList(member: string, items: readonly unknown[]): XmlList {
  return new XmlList(member, items);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

function scalarText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return escapeXml(String(value));
}

/** Encodes a value as the content of an element (children or text). */
export function toXmlContent(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlList) {
    return value.items.map((item) => element(value.member, item)).join('');
  }
  if (value instanceof Date || typeof value !== 'object') return scalarText(value);
  let out = '';
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    out += element(key, member);
  }
  return out;
}

function element(name: string, value: unknown): string {
  return `<${name}>${toXmlContent(value)}</${name}>`;
}

const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype']);

type Tree = { [key: string]: Tree | string };

function normalize(node: Tree | string, isRoot: boolean): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = normalize(node[key]!, false);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => out[k]);
  }
  // "Filters.Filter.N" → Filters: { Filter: [...] } → Filters: [...]
  if (!isRoot && keys.length === 1 && Array.isArray(out[keys[0]!])) return out[keys[0]!];
  return out;
}

/**
 * Form body → nested plain data. Lists come back as arrays (the member-name level is
 * dropped), an empty list as the empty string; `Action` and `Version` are left out.
 */
export function parseQueryBody(body: string): Record<string, unknown> {
  const root: Tree = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    if (parts.some((p) => unsafeKeys.has(p) || p === '')) continue;
    let node: Tree = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === 'object') node = next;
      else node = node[part] = {};
    }
    node[parts[parts.length - 1]!] = value;
  }
  return normalize(root, true) as Record<string, unknown>;
}

export const queryErrors: CommonErrors = {
  accessDenied: (message) => new AwsError('AccessDenied', message, 403),
  throttling: () => new AwsError('Throttling', 'Rate exceeded', 400),
  internal: () => new AwsError('InternalFailure', 'We encountered an internal error. Please try again.', 500),
  unknownOperation: (operation) =>
    new AwsError(
      'InvalidAction',
      operation ? `The action ${operation} is not valid for this web service.` : 'Could not find operation for request',
      400,
    ),
  missingParameter: (name) => new AwsError('MissingParameter', `The request must contain the parameter ${name}`, 400),
  invalidParameter: (message) => new AwsError('InvalidParameterValue', message, 400),
};

export interface QueryOptions {
  /** the API version the service speaks, e.g. "2014-10-31" */
  version: string;
  /** the XML namespace of responses, e.g. "http://rds.amazonaws.com/doc/2014-10-31/" */
  xmlns: string;
}

const XML_CONTENT_TYPE = 'text/xml';

/** The `<ErrorResponse>` body awsQuery and restXml services answer errors with. */
export function errorResponseXml(error: AwsError, requestId: string, xmlns: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${xmlns}">` +
    `<Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId>` +
    `</ErrorResponse>\n`
  );
}

/** The query protocols (awsQuery, ec2Query) name the operation in the form body's Action. */
export function queryAction(req: WireRequest): string | undefined {
  const action = new URLSearchParams(req.body).get('Action');
  return action === null || action === '' ? undefined : action;
}

export class QueryXmlProtocol implements Protocol {
  readonly id = 'awsQuery' as const;
  readonly errors = queryErrors;

  constructor(private readonly options: QueryOptions) {}

  operationOf(req: WireRequest): string | undefined {
    return queryAction(req);
  }

  parseParams(req: WireRequest): Record<string, unknown> {
    return parseQueryBody(req.body);
  }

  encodeResult(operation: string, result: unknown, requestId: string): WireResponse {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<${operation}Response xmlns="${this.options.xmlns}">` +
      `<${operation}Result>${toXmlContent(result)}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
      `</${operation}Response>\n`;
    return { status: 200, headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body };
  }

  encodeError(error: AwsError, requestId: string): WireResponse {
    return { status: error.status, headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: errorResponseXml(error, requestId, this.options.xmlns) };
  }
}
