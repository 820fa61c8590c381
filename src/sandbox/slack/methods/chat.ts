/**
 * chat.postMessage, chat.update, chat.postEphemeral, chat.delete; and the message content check
 * (Block Kit limits, `text` fallback) that response_url posts go through too.
 */
import { validateMessage } from '../block-kit.js';
import type { SlackMessage, SlackState } from '../state.js';
import { errorMessages, fail, ok, str, type ApiResult, type MethodHandler } from './types.js';

/** A message as Slack returns it (`message` in postMessage / update answers). */
function messageJson(s: SlackState, m: SlackMessage): Record<string, unknown> {
  const { teamId, botUserId, botId, appId } = s.workspace;
  return {
    type: 'message',
    ...(m.ephemeral || m.source === 'injected' ? { user: m.user } : { user: botUserId, bot_id: botId, app_id: appId }),
    team: teamId,
    ts: m.ts,
    text: m.text ?? '',
    ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
    ...(m.threadTs !== undefined ? { thread_ts: m.threadTs } : {}),
    ...(m.replyCount > 0 ? { reply_count: m.replyCount } : {}),
  };
}

/**
 * Validate message content. Returns a failing result, or undefined when the
 * message may be accepted. Records violations and fallback warnings.
 */
export function checkMessage(s: SlackState, where: string, text: unknown, blocks: unknown): ApiResult | undefined {
  if (typeof blocks === 'string') {
    const v = `${where}: blocks is not valid JSON`;
    s.violations.push(v);
    return fail('invalid_blocks_format', errorMessages([v]));
  }
  const result = validateMessage({ text, blocks });
  for (const w of result.warnings) s.violations.push(`${where}: ${w}`);
  if (result.errors.length > 0) {
    const vs = result.errors.map((e) => `${where}: ${e}`);
    s.violations.push(...vs);
    return fail(result.textTooLong ? 'msg_too_long' : 'invalid_blocks', errorMessages(vs));
  }
  return undefined;
}

/** A new message needs text, blocks or attachments, and valid content. */
function checkNewMessage(s: SlackState, where: string, args: Record<string, unknown>): ApiResult | undefined {
  const { text, blocks } = args;
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if ((typeof text !== 'string' || text.length === 0) && !hasBlocks && args['attachments'] === undefined) {
    return fail('no_text');
  }
  return checkMessage(s, where, text, blocks);
}

/** A new message (in a thread when `thread_ts` names one), as a post or an ephemeral. */
function addNewMessage(s: Parameters<MethodHandler>[0], channel: string, args: Parameters<MethodHandler>[1], who: { user?: string; ephemeral: boolean }) {
  const { text, blocks } = args;
  return s.addMessage({
    channel,
    ts: s.nextTs(),
    threadTs: s.threadRoot(channel, str(args['thread_ts'])),
    ...(typeof text === 'string' ? { text } : {}),
    ...(Array.isArray(blocks) ? { blocks } : {}),
    ...who,
    source: 'api',
  });
}

export const postMessage: MethodHandler = (s, args) => {
  const channel = str(args['channel']);
  if (channel === undefined) return fail('channel_not_found');
  const bad = checkNewMessage(s, 'chat.postMessage', args);
  if (bad) return bad;
  const msg = addNewMessage(s, channel, args, { ephemeral: false });
  return ok({ channel, ts: msg.ts, message: messageJson(s, msg) });
};

export const update: MethodHandler = (s, args) => {
  const channel = str(args['channel']);
  const ts = str(args['ts']);
  if (channel === undefined) return fail('channel_not_found');
  if (ts === undefined) return fail('message_not_found');
  const msg = s.findMessage(channel, ts);
  if (!msg) return fail('message_not_found');
  const text = args['text'];
  const blocks = args['blocks'];
  // Slack keeps the previous blocks when `blocks` is omitted; [] removes them.
  const newText = typeof text === 'string' ? text : msg.text;
  const newBlocks = blocks !== undefined ? blocks : msg.blocks;
  const bad = checkMessage(s, 'chat.update', newText, newBlocks);
  if (bad) return bad;
  if (typeof text === 'string') msg.text = text;
  if (Array.isArray(blocks)) {
    if (blocks.length > 0) msg.blocks = blocks;
    else delete msg.blocks;
  }
  msg.updates += 1;
  return ok({ channel, ts, text: msg.text ?? '', message: messageJson(s, msg) });
};

export const postEphemeral: MethodHandler = (s, args) => {
  const channel = str(args['channel']);
  const user = str(args['user']);
  if (channel === undefined) return fail('channel_not_found');
  if (user === undefined) return fail('user_not_found');
  const bad = checkNewMessage(s, 'chat.postEphemeral', args);
  if (bad) return bad;
  const msg = addNewMessage(s, channel, args, { user, ephemeral: true });
  return ok({ message_ts: msg.ts });
};

export const deleteMessage: MethodHandler = (s, args) => {
  const channel = str(args['channel']);
  const ts = str(args['ts']);
  const msg = channel !== undefined && ts !== undefined ? s.findMessage(channel, ts) : undefined;
  if (!msg || channel === undefined) return fail('message_not_found');
  s.messages.splice(s.messages.indexOf(msg), 1);
  return ok({ channel, ts });
};
