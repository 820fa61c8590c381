import { redactSlackJson } from '../redact/index.js';

/**
 * How long a response_url post may take. Slack answers in well under a second; without a
 * limit a post that hangs holds its caller until Lambda stops the function, and whatever
 * the caller meant to do next (fall back to the bot token, record the outcome) never runs.
 */
export const RESPOND_TIMEOUT_MS = 5_000;

/**
 * Ephemeral reply through a slash command's or action's response_url (no channel membership
 * needed). response_url posts do not pass the Web API's fetch: the body is redacted here.
 * Rejects when Slack refuses it or does not answer within `timeoutMs`.
 */
export async function respondEphemeral(url: string | undefined, body: { text: string; blocks?: unknown[] }, opts: { timeoutMs?: number } = {}): Promise<void> {
  if (!url) return;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(redactSlackJson({ response_type: 'ephemeral', replace_original: false, ...body })),
    signal: AbortSignal.timeout(opts.timeoutMs ?? RESPOND_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}
