/**
 * AWS restXml (Route 53): the operation is named by the HTTP method and path
 * (`GET /2013-04-01/hostedzone/{Id}`), members travel in path labels (the Route 53 client
 * strips the `/hostedzone/` and `/change/` prefixes of ids before it builds the path),
 * query parameters (`?dnsname=…&maxitems=…`) and, for a POST, an XML body whose root
 * element is the request shape (`<ChangeResourceRecordSetsRequest xmlns="…">`) and whose
 * children are the members. Lists are wrapped: `<Changes><Change>…</Change></Changes>`.
 *
 * Responses are XML with the output shape as the root (`<GetHostedZoneResponse xmlns>`):
 * unlike the query protocol there is no `<…Result>` wrapper and no ResponseMetadata (the
 * request id travels in `x-amzn-requestid`). Lists use `xmlList(memberName, items)` from
 * the query protocol; timestamps are ISO-8601, booleans `true`/`false`.
 *
 * Errors: `<ErrorResponse xmlns><Error><Type>Sender|Receiver</Type><Code/><Message/>
 * </Error><RequestId/></ErrorResponse>` with the HTTP status. The SDK finds the error class
 * by `<Code>` (e.g. `NoSuchHostedZone`, `AccessDenied`, `Throttling`).
 */
import { AwsError } from '../errors.js';
import { RouteTable, type RestRouteBase, type RouteMatch } from './rest-routes.js';
import { errorResponseXml, toXmlContent } from './query-xml.js';
import type { CommonErrors, Protocol, WireRequest, WireResponse } from './types.js';

export const REST_XML_CONTENT_TYPE = 'text/xml';

/** A trailing slash in `uri` is optional for restXml (e.g. "/2013-04-01/hostedzone/"). */
export type RestXmlRoute = RestRouteBase;

export interface RestXmlOptions {
  routes: readonly RestXmlRoute[];
  errors: CommonErrors;
  /** the namespace of responses, e.g. "https://route53.amazonaws.com/doc/2013-04-01/" */
  xmlns: string;
  /** list wrappers in request bodies → their member element: { Changes: 'Change' } */
  bodyLists?: Record<string, string>;
}

// ---------------------------------------------------------------- a small XML reader

/** An element: its name, its child elements in order and its text. */
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

const malformed = () => new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', 400);

/**
 * Parses the XML the SDK sends: a prolog, elements with attributes (ignored), text with
 * entities and CDATA. No DTDs, no processing instructions besides the prolog.
 */
export function parseXml(source: string): XmlNode {
  const root: XmlNode = { name: '#document', children: [], text: '' };
  const stack: XmlNode[] = [root];
  const tag = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\/\s*([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(source); m !== null; m = tag.exec(source)) {
    const between = source.slice(last, m.index);
    if (/[<>]/.test(between)) throw malformed();
    stack[stack.length - 1]!.text += decodeEntities(between);
    last = tag.lastIndex;
    const [whole, cdata, closing, opening, , selfClosing] = m;
    if (whole.startsWith('<?') || whole.startsWith('<!--')) continue;
    if (cdata !== undefined) {
      stack[stack.length - 1]!.text += cdata;
    } else if (closing !== undefined) {
      const open = stack.pop();
      if (!open || open === root || open.name !== closing) throw malformed();
    } else if (opening !== undefined) {
      const node: XmlNode = { name: opening.replace(/^[^:]+:/, ''), children: [], text: '' };
      stack[stack.length - 1]!.children.push(node);
      if (!selfClosing) stack.push(node);
    }
  }
  if (stack.length !== 1 || /[<>]/.test(source.slice(last)) || root.children.length !== 1) throw malformed();
  return root.children[0]!;
}

const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * An element's content as plain data: text for a leaf, an object of members otherwise;
 * the wrappers named in `lists` become arrays of their members.
 */
export function xmlToData(node: XmlNode, lists: Record<string, string> = {}): unknown {
  const member = lists[node.name];
  if (member !== undefined) return node.children.filter((c) => c.name === member).map((c) => xmlToData(c, lists));
  if (node.children.length === 0) return node.text;
  const out: Record<string, unknown> = {};
  for (const child of node.children) {
    if (unsafeKeys.has(child.name)) continue;
    out[child.name] = xmlToData(child, lists);
  }
  return out;
}

// ---------------------------------------------------------------- routing

export class RestXmlProtocol implements Protocol {
  readonly id = 'restXml' as const;
  readonly errors: CommonErrors;
  private readonly routes: RouteTable<RestXmlRoute>;

  constructor(private readonly options: RestXmlOptions) {
    this.errors = options.errors;
    this.routes = new RouteTable(options.routes, 'InvalidInput', true);
  }

  private match(req: WireRequest): RouteMatch<RestXmlRoute> | undefined {
    return this.routes.match(req);
  }

  operationOf(req: WireRequest): string | undefined {
    return this.match(req)?.route.operation;
  }

  parseParams(req: WireRequest): Record<string, unknown> {
    const hit = this.match(req);
    if (!hit) return {};
    const params: Record<string, unknown> = {};
    if (req.body.trim() !== '') {
      const data = xmlToData(parseXml(req.body), this.options.bodyLists);
      if (typeof data === 'object' && data !== null && !Array.isArray(data)) Object.assign(params, data);
    }
    for (const [name, member] of Object.entries(hit.route.headers ?? {})) {
      const value = req.headers[name.toLowerCase()];
      if (value !== undefined) params[member] = Array.isArray(value) ? value.join(',') : value;
    }
    for (const [name, member] of Object.entries(hit.route.query ?? {})) {
      const value = hit.query.get(name);
      if (value !== null) params[member] = value;
    }
    for (const [name, raw] of Object.entries(hit.labels)) params[name] = this.routes.decodeLabel(raw);
    return params;
  }

  encodeResult(operation: string, result: unknown, requestId: string): WireResponse {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<${operation}Response xmlns="${this.options.xmlns}">${toXmlContent(result ?? {})}</${operation}Response>\n`;
    return { status: 200, headers: { 'content-type': REST_XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body };
  }

  encodeError(error: AwsError, requestId: string): WireResponse {
    return {
      status: error.status,
      headers: { 'content-type': REST_XML_CONTENT_TYPE, 'x-amzn-requestid': requestId, ...error.headers },
      body: errorResponseXml(error, requestId, this.options.xmlns),
    };
  }
}
