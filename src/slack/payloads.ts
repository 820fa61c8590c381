// What Slack may send to POST /slack/events, as zod schemas, and the one parser that turns a
// raw body into a request Bolt may see. The receiver (slack/receiver.ts) and the Lambda guard
// (lambda/guard.ts) run it on the verified raw body before Bolt does: Bolt parses the same bytes
// the same way (HTTPModuleFunctions.parseHTTPRequestBody), so what it hands to the listeners has
// the shape checked here. Objects are loose (Slack adds fields), but every field that Bolt's
// routing or whybot's listeners read is typed, and the fields that would make Bolt route a body
// elsewhere (`event`, `command`, `name`, `actions`, `function_data`) are pinned.
import { parse as parseQuery } from 'node:querystring';
import * as z from 'zod';
import { PLAYBOOK_CATALOG } from '../playbooks/catalog.js';
import { CONFIRM_CALLBACK } from './render-remediation.js';

/**
 * Slack publishes no request size limit. What it sends here is small: a slash command (form
 * fields), or an interaction carrying one of whybot's own messages (≤ 50 blocks of ≤ 3,000
 * characters, ≤ 40,000 characters of text) or modals (≤ 100 blocks, private_metadata ≤ 3,000).
 * 1 MiB holds the largest message whybot can render, form-encoded (test/fuzz.test.ts checks
 * it), with room to spare; Bolt's own default is 4 MB.
 */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Bodies of requests without signature headers are read only this far (Slack's ssl_check). */
export const UNSIGNED_BODY_LIMIT_BYTES = 4 * 1024;
/** Slash command text longer than this is answered with a warning, not run. */
export const COMMAND_TEXT_MAX = 8000;

const SlackId = z.string().regex(/^[A-Z0-9][A-Z0-9_]{1,39}$/, 'a Slack id (upper-case letters and digits)');
const Ts = z.string().regex(/^\d{1,16}(\.\d{1,10})?$/, 'a Slack timestamp');
const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const Absent = z.never().optional();

/** Keys that, when present, make Bolt route a body as something else. */
const notEvent = { event: Absent, name: Absent, function_data: Absent } as const;

export const SlashCommandSchema = z.looseObject({
  ...notEvent,
  command: z.string().regex(/^\/[a-z0-9_-]{1,40}$/i, 'a slash command'),
  text: z.string(),
  team_id: SlackId,
  channel_id: SlackId,
  user_id: SlackId,
  response_url: HttpUrl,
  trigger_id: z.string().min(1).max(255),
  enterprise_id: SlackId.optional(),
  is_enterprise_install: z.enum(['true', 'false']).optional(),
  api_app_id: z.string().max(64).optional(),
});
export type SlashCommand = z.infer<typeof SlashCommandSchema>;

const SelectedOption = z.looseObject({ value: z.string().max(2000) });

export const BlockActionSchema = z.looseObject({
  type: z.string().min(1).max(64),
  action_id: z.string().min(1).max(255),
  block_id: z.string().max(255),
  action_ts: z.string().max(64).optional(),
  value: z.string().max(2000).optional(),
  selected_option: SelectedOption.nullable().optional(),
});

const UserRef = z.looseObject({ id: SlackId, team_id: SlackId.optional() });
const TeamRef = z.looseObject({ id: SlackId, enterprise_id: SlackId.optional() }).nullable().optional();
const EnterpriseRef = z.looseObject({ id: SlackId }).nullable().optional();
const ResponseUrls = z.array(z.looseObject({ response_url: HttpUrl })).max(25).optional();
const BlockList = (max: number) => z.array(z.looseObject({ type: z.string().max(64) })).max(max);

export const ViewSchema = z.looseObject({
  id: z.string().max(64),
  type: z.string().max(32),
  callback_id: z.string().max(255),
  private_metadata: z.string().max(3000),
  state: z.looseObject({
    values: z.record(
      z.string().max(255),
      z.record(
        z.string().max(255),
        z.looseObject({
          type: z.string().max(64),
          value: z.string().max(3000).nullable().optional(),
          selected_option: SelectedOption.nullable().optional(),
        }),
      ),
    ),
  }),
  blocks: BlockList(100).optional(),
  app_installed_team_id: SlackId.optional(),
});

const interactionBase = {
  ...notEvent,
  command: Absent,
  user: UserRef,
  team: TeamRef,
  enterprise: EnterpriseRef,
  is_enterprise_install: z.boolean().optional(),
  api_app_id: z.string().max(64).optional(),
  response_url: HttpUrl.optional(),
  response_urls: ResponseUrls,
} as const;

export const BlockActionsSchema = z.looseObject({
  ...interactionBase,
  type: z.literal('block_actions'),
  trigger_id: z.string().min(1).max(255),
  actions: z.array(BlockActionSchema).min(1).max(25),
  channel: z.looseObject({ id: SlackId }).optional(),
  container: z
    .looseObject({
      type: z.string().max(64),
      message_ts: Ts.optional(),
      thread_ts: Ts.optional(),
      channel_id: SlackId.optional(),
      view_id: z.string().max(64).optional(),
    })
    .optional(),
  message: z
    .looseObject({
      ts: Ts,
      thread_ts: Ts.optional(),
      text: z.string().optional(),
      blocks: BlockList(50).optional(),
    })
    .optional(),
  view: ViewSchema.optional(),
});
export type BlockActions = z.infer<typeof BlockActionsSchema>;

export const ViewSubmissionSchema = z.looseObject({
  ...interactionBase,
  type: z.literal('view_submission'),
  actions: Absent,
  trigger_id: z.string().min(1).max(255).optional(),
  view: ViewSchema,
});
export type ViewSubmission = z.infer<typeof ViewSubmissionSchema>;

export const UrlVerificationSchema = z.looseObject({
  ...notEvent,
  type: z.literal('url_verification'),
  challenge: z.string().min(1).max(512),
  command: Absent,
  actions: Absent,
});

/** Which commands, actions and views whybot has listeners for; anything else is answered here. */
export interface SlackRoutes {
  commands: ReadonlySet<string>;
  action(actionId: string): boolean;
  view(callbackId: string): boolean;
}

export const WHYBOT_ROUTES: SlackRoutes = {
  commands: new Set(['/why', ...Object.keys(PLAYBOOK_CATALOG).map((name) => `/why-${name}`)]),
  action: (id) => id === 'show-cli' || id === 'pick-target' || /^remediate:[a-z0-9-]{1,64}(:[A-Za-z0-9_-]{1,32})?$/.test(id),
  view: (callbackId) => callbackId === CONFIRM_CALLBACK,
};

export type SlackRequestKind = 'command' | 'block_actions' | 'view_submission' | 'url_verification';

export type ParsedSlackBody =
  /** a shape Bolt may see: dispatch it */
  | { ok: true; kind: SlackRequestKind; body: Record<string, unknown> }
  /** answered here: status, a content type and a body for the HTTP response */
  | { ok: false; status: 200 | 400; contentType: string; body: string; reason: string };

const text = (status: 200 | 400, body: string, reason: string): ParsedSlackBody => ({ ok: false, status, contentType: 'text/plain; charset=utf-8', body, reason });
const ephemeral = (message: string, reason: string): ParsedSlackBody => ({
  ok: false,
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify({ response_type: 'ephemeral', text: `:warning: ${message}` }),
  reason,
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first problem zod found, as "path: message", without echoing the value. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.').slice(0, 80);
  return `${path || '(body)'}: ${issue.message.slice(0, 120)}`;
}

/** Decodes strictly: a body that is not UTF-8 is refused rather than repaired. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a verified raw body the way Bolt will, and checks its shape. Never throws.
 * `contentType` is the request's Content-Type header as given.
 */
export function parseSlackBody(raw: Uint8Array, contentType: string | undefined, routes: SlackRoutes = WHYBOT_ROUTES): ParsedSlackBody {
  let bodyText: string;
  try {
    bodyText = utf8.decode(raw);
  } catch {
    return text(400, 'whybot: the request body is not UTF-8.', 'not utf-8');
  }
  let parsed: unknown;
  let form = false;
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const fields = parseQuery(bodyText);
      if (typeof fields['payload'] === 'string') parsed = JSON.parse(fields['payload']);
      else {
        form = true;
        // Slack checks the certificate with an unsigned `ssl_check=1`: nothing to do.
        if (fields['ssl_check'] === '1' && fields['command'] === undefined) return text(200, '', 'ssl_check');
        // A repeated field arrives as an array: Slack never repeats one.
        for (const [key, value] of Object.entries(fields))
          if (typeof value !== 'string') return text(400, `whybot: form field ${key.slice(0, 40)} is repeated.`, 'repeated form field');
        parsed = { ...fields };
      }
    } else parsed = JSON.parse(bodyText);
  } catch {
    return text(400, 'whybot: the request body is not valid JSON or form data.', 'unparsable');
  }
  if (!isRecord(parsed)) return text(400, 'whybot: the request body is not an object.', 'not an object');

  if (form || 'command' in parsed) {
    if (typeof parsed['command'] !== 'string' && !form) return text(400, 'whybot: malformed slash command.', 'bad command');
    const cmd = SlashCommandSchema.safeParse(parsed);
    if (!cmd.success) {
      // A form body without `command` is not a command at all.
      if (!('command' in parsed)) return text(400, 'whybot: the form body is neither a slash command nor an interaction payload.', 'unknown form');
      return ephemeral(`whybot could not read this command (${firstIssue(cmd.error)}).`, `bad command: ${firstIssue(cmd.error)}`);
    }
    if (!routes.commands.has(cmd.data.command)) return ephemeral('whybot has no such command; try /why.', 'unknown command');
    if (cmd.data.text.length > COMMAND_TEXT_MAX) return ephemeral(`That command is too long (max ${COMMAND_TEXT_MAX} characters).`, 'command text too long');
    return { ok: true, kind: 'command', body: parsed };
  }

  const type = parsed['type'];
  if (typeof type !== 'string') return text(400, 'whybot: the payload has no type.', 'no type');
  switch (type) {
    case 'block_actions': {
      const r = BlockActionsSchema.safeParse(parsed);
      if (!r.success) return text(400, `whybot: malformed block_actions payload (${firstIssue(r.error)}).`, `bad block_actions: ${firstIssue(r.error)}`);
      // Bolt hands the listeners the first action; Slack sends exactly one.
      if (!routes.action(r.data.actions[0]!.action_id)) return text(200, '', 'no listener for this action');
      return { ok: true, kind: 'block_actions', body: parsed };
    }
    case 'view_submission': {
      const r = ViewSubmissionSchema.safeParse(parsed);
      if (!r.success) return text(400, `whybot: malformed view_submission payload (${firstIssue(r.error)}).`, `bad view_submission: ${firstIssue(r.error)}`);
      if (!routes.view(r.data.view.callback_id)) return text(200, '', 'no listener for this view');
      return { ok: true, kind: 'view_submission', body: parsed };
    }
    case 'url_verification': {
      const r = UrlVerificationSchema.safeParse(parsed);
      if (!r.success) return text(400, `whybot: malformed url_verification (${firstIssue(r.error)}).`, 'bad url_verification');
      return { ok: true, kind: 'url_verification', body: parsed };
    }
    default:
      // view_closed, shortcuts, events, block_suggestion…: whybot subscribes to none of them.
      return text(200, '', `unsupported type ${type.slice(0, 40)}`);
  }
}
