/** What every method module of the Slack double shares: the handler shape, results, argument readers. */
import type { SlackState } from '../state.js';

/** A Web API answer: HTTP status (200 when left out), extra headers, JSON body. */
export interface ApiResult {
  status?: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

/** One Web API method: arguments (JSON fields decoded, token removed) → answer. */
export type MethodHandler = (s: SlackState, args: Record<string, unknown>) => ApiResult;

export const ok = (body: Record<string, unknown> = {}): ApiResult => ({ body: { ok: true, ...body } });
export const fail = (error: string, extra: Record<string, unknown> = {}): ApiResult => ({
  body: { ok: false, error, ...extra },
});

/** Errors as Slack reports them in `response_metadata.messages`. */
export function errorMessages(violations: string[]): Record<string, unknown> {
  return { response_metadata: { messages: violations.map((v) => `[ERROR] ${v}`) } };
}

/** A non-empty string argument (numbers as their text), else undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** A boolean argument, sent as true, "true", "1" or 1. */
export function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
