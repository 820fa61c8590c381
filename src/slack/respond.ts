import { redactSlackJson } from '../redact/index.js';

/**
 * Ephemeral reply through a slash command's or action's response_url (no channel membership
 * needed). response_url posts do not pass the Web API's fetch: the body is redacted here.
 */
export async function respondEphemeral(url: string | undefined, body: { text: string; blocks?: unknown[] }): Promise<void> {
  if (!url) return;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(redactSlackJson({ response_type: 'ephemeral', replace_original: false, ...body })),
  });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}
