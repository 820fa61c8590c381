// whybot's one redaction layer. Every string that leaves whybot passes here:
//   - Slack: every Web API request body (slack/client-options.ts pacedFetch → redactSlackBody),
//     response_url posts (slack/respond.ts), ack and respond texts (slack/render.ts errorText);
//   - CLI: the text renderer and the --json output (redactDeep on the PlaybookResult);
//   - logs: every line pino writes, at every level (logger.ts);
//   - store: audit records before they are written (store/common.ts prepareAudit).
// The text rules are in ./text.ts; this module applies them to values of any shape.
import { credentialKeyClass, REDACTED, redactText } from './text.js';

export { credentialKeyClass, looksRandom, REDACTED, redactLines, redactSecrets, redactText } from './text.js';

export interface RedactDeepOptions {
  /**
   * Keys whose string values are left as they are (machine values a redaction would break,
   * such as Slack's signed button values). Their objects and arrays are still walked.
   */
  keep?: ReadonlySet<string>;
  /** applied to each redacted string that changed: (before, after) → what to keep */
  fit?: (before: string, after: string) => string;
}

/** Is `value`, written under `key`, a credential by the text rules (password=…, "apiKey": "…")? */
function credentialUnder(key: string, value: string | number | boolean): boolean {
  const cls = credentialKeyClass(key);
  if (!cls) return false;
  const member = JSON.stringify({ [key]: value });
  return redactText(member) !== member && redactText(member).endsWith(`:${typeof value === 'string' ? `"${REDACTED}"` : REDACTED}}`);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with every string redacted (redactText), and the value of every
 * credential-named member (password, apiKey, SecretString …) replaced by "[redacted]" whatever
 * it holds. Errors become { type, message, stack } with both redacted. Other class instances
 * (Dates, Buffers …) are returned as they are; cycles become "[circular]".
 */
export function redactDeep<T>(value: T, options: RedactDeepOptions = {}): T {
  return walk(value, options, new WeakSet()) as T;
}

function walk(value: unknown, options: RedactDeepOptions, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') {
    const out = redactText(value);
    return options.fit && out !== value ? options.fit(value, out) : out;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, options, seen));
    if (value instanceof Error) {
      const out: Record<string, unknown> = { type: value.name, message: redactText(value.message) };
      if (value.stack) out.stack = redactText(value.stack);
      for (const [k, v] of Object.entries(value)) out[k] = member(k, v, options, seen);
      return out;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = member(k, v, options, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

function member(key: string, value: unknown, options: RedactDeepOptions, seen: WeakSet<object>): unknown {
  if (options.keep?.has(key) && typeof value === 'string') return value;
  const cls = credentialKeyClass(key);
  if (cls === 'password' || cls === 'secret') {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      if (credentialUnder(key, value)) return REDACTED;
    } else if (typeof value === 'object' && value !== null && !(value instanceof Error)) {
      return REDACTED;
    }
  } else if (cls === 'key' && typeof value === 'string' && credentialUnder(key, value)) {
    return REDACTED;
  }
  return walk(value, options, seen);
}

// ---------------------------------------------------------------- Slack request bodies

/**
 * Machine values in Slack payloads: ids, timestamps, signed button values, metadata that
 * comes back to whybot. Everything else (text, blocks, views, attachments) is redacted.
 */
const SLACK_KEEP = new Set([
  'channel', 'ts', 'thread_ts', 'user', 'users', 'usergroup', 'trigger_id', 'view_id', 'hash', 'external_id',
  'action_id', 'block_id', 'callback_id', 'private_metadata', 'value', 'type', 'style',
  'response_url', 'team_id', 'token', 'client_msg_id', 'unfurl_links', 'unfurl_media', 'reply_broadcast',
]);

/** Slack's text limits (button and option text 75, header 150, fields 2000, sections 3000, messages 40000; titles are whybot's own words). */
const SLACK_LIMITS = [75, 150, 300, 2000, 3000, 40_000];

/**
 * "[redacted]" can be longer than what it replaces, and the text was already cut to Slack's
 * limit: a redacted string is kept within the smallest limit its original fitted, so
 * redaction never makes Slack refuse a message (the cut end gets "…").
 */
export function fitSlackText(before: string, after: string): string {
  if (after.length <= before.length) return after;
  const limit = SLACK_LIMITS.find((l) => before.length <= l) ?? before.length;
  return after.length <= limit ? after : `${after.slice(0, Math.max(0, limit - 1))}…`;
}

const SLACK_OPTIONS: RedactDeepOptions = { keep: SLACK_KEEP, fit: fitSlackText };

/** One form field of a Web API call: JSON fields (blocks, view, attachments …) are walked, text is redacted. */
function redactSlackField(name: string, value: string): string {
  if (SLACK_KEEP.has(name)) return value;
  const trimmed = value.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      return JSON.stringify(redactDeep(parsed, SLACK_OPTIONS));
    } catch {
      // not JSON after all: redact it as text
    }
  }
  return fitSlackText(value, redactText(value));
}

export type SlackBody = string | URLSearchParams | FormData | unknown;

/**
 * A Web API request body with every human-readable field redacted, in the form it came:
 * a form-encoded string, URLSearchParams, FormData (file uploads: only string fields), or a
 * JSON string (application/json calls). Anything else is returned as it is.
 */
export function redactSlackBody<B>(body: B): B {
  if (typeof body === 'string') {
    const trimmed = body.trimStart();
    if (trimmed.startsWith('{')) {
      try {
        return JSON.stringify(redactSlackJson(JSON.parse(body) as unknown)) as B;
      } catch {
        return redactText(body) as B;
      }
    }
    const form = new URLSearchParams(body);
    const out = new URLSearchParams();
    for (const [k, v] of form) out.append(k, redactSlackField(k, v));
    return out.toString() as B;
  }
  if (body instanceof URLSearchParams) {
    const out = new URLSearchParams();
    for (const [k, v] of body) out.append(k, redactSlackField(k, v));
    return out as B;
  }
  if (body instanceof FormData) {
    const out = new FormData();
    for (const [k, v] of body) out.append(k, typeof v === 'string' ? redactSlackField(k, v) : v);
    return out as B;
  }
  return body;
}

/** A Slack payload as an object (a response_url post, an ack body): machine values kept, the rest redacted. */
export function redactSlackJson<T>(payload: T): T {
  return redactDeep(payload, SLACK_OPTIONS);
}
