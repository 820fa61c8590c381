/**
 * Posts to a response_url (`/response/<id>` on the double, minted by `responseUrl()`): at most
 * `responseUrlMaxUses` per URL (then HTTP 404 `used_url`), content checked like a message. With
 * a channel in the URL's context a post becomes a message: ephemeral by default, `in_channel`,
 * or `replace_original` / `delete_original` of the message the action was on.
 */
import type { SlackState } from '../state.js';
import { checkMessage } from './chat.js';
import { isObj, str, truthy, type ApiResult } from './types.js';

/** Answers one post whose body server.ts has parsed (and no injected failure took). */
export function post(s: SlackState, id: string, path: string, body: unknown): ApiResult {
  const max = s.workspace.responseUrlMaxUses;
  const uses = (s.responseUses.get(id) ?? 0) + 1;
  s.responseUses.set(id, uses);
  if (uses > max) {
    s.violations.push(`response_url ${path}: used ${uses} times (max ${max})`);
    return { status: 404, body: { ok: false, error: 'used_url' } };
  }
  if (!isObj(body)) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
  const bad = checkMessage(s, `response_url ${path}`, body['text'], body['blocks']);
  if (bad) return { status: 400, body: bad.body };
  apply(s, id, body);
  return { status: 200, body: { ok: true } };
}

/** Reflect a response_url post in `messages` when the URL was minted with a channel. */
function apply(s: SlackState, id: string, body: Record<string, unknown>): void {
  const ctx = s.responseCtx.get(id);
  if (ctx?.channel === undefined) return;
  const channel = ctx.channel;
  const text = typeof body['text'] === 'string' ? body['text'] : undefined;
  const blocks = Array.isArray(body['blocks']) ? body['blocks'] : undefined;
  const target = ctx.messageTs !== undefined ? s.findMessage(channel, ctx.messageTs) : undefined;
  if (truthy(body['delete_original'])) {
    if (target) s.messages.splice(s.messages.indexOf(target), 1);
    return;
  }
  if (truthy(body['replace_original']) && target) {
    if (text !== undefined) target.text = text;
    if (blocks !== undefined) target.blocks = blocks;
    target.updates += 1;
    return;
  }
  const inChannel = body['response_type'] === 'in_channel';
  s.addMessage({
    channel,
    ts: s.nextTs(),
    threadTs: s.threadRoot(channel, str(body['thread_ts'])),
    ...(text !== undefined ? { text } : {}),
    ...(blocks !== undefined ? { blocks } : {}),
    ...(!inChannel && ctx.user !== undefined ? { user: ctx.user } : {}),
    ephemeral: !inChannel,
    source: 'response_url',
  });
}
