// The REST protocols (restJson1, restXml) name an operation by HTTP method and URI template;
// both route requests the same way.
import { AwsError } from '../errors.js';
import type { WireRequest } from './types.js';

/** A REST operation's HTTP binding, shared by restJson1 and restXml routes. */
export interface RestRouteBase {
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  /** URI template: "/2013-04-01/hostedzone/{Id}/rrset"; "{Key+}" is greedy */
  uri: string;
  /** query parameter → member */
  query?: Record<string, string>;
  /** request header (any case) → member */
  headers?: Record<string, string>;
}

export interface RouteMatch<R> {
  route: R;
  labels: Record<string, string>;
  query: URLSearchParams;
}

interface Compiled<R> {
  route: R;
  pattern: RegExp;
  labels: string[];
}

export class RouteTable<R extends RestRouteBase> {
  private readonly compiled: Compiled<R>[];

  /** `trailingSlash`: a trailing slash is optional (restXml URIs such as "/hostedzone/"). */
  constructor(
    routes: readonly R[],
    private readonly badLabelCode: string,
    trailingSlash = false,
  ) {
    this.compiled = routes.map((route) => {
      const labels: string[] = [];
      const source = (trailingSlash ? route.uri.replace(/\/$/, '') : route.uri)
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const label = /^\{([^}+]+)(\+?)\}$/.exec(part);
          if (!label) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          labels.push(label[1]!);
          return label[2] ? '(.+)' : '([^/]+)';
        })
        .join('');
      return { route, pattern: new RegExp(trailingSlash ? `^${source}/?$` : `^${source}$`), labels };
    });
  }

  match(req: WireRequest): RouteMatch<R> | undefined {
    const q = req.url.indexOf('?');
    const path = q >= 0 ? req.url.slice(0, q) : req.url;
    const query = new URLSearchParams(q >= 0 ? req.url.slice(q + 1) : '');
    for (const c of this.compiled) {
      if (c.route.method !== req.method) continue;
      const m = c.pattern.exec(path);
      if (!m) continue;
      const labels: Record<string, string> = {};
      c.labels.forEach((name, i) => (labels[name] = m[i + 1]!));
      return { route: c.route, labels, query };
    }
    return undefined;
  }

  decodeLabel(raw: string): string {
    try {
      return decodeURIComponent(raw);
    } catch {
      throw new AwsError(this.badLabelCode, 'A path label is not valid percent-encoding.', 400);
    }
  }
}
