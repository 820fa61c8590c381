// What a user asked for, from a terminal's argv or a slash command's text: one parser,
// one zod schema, the same messages in both places.
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { PLAYBOOK_CATALOG, type TargetRule } from './catalog.js';
import { MAX_HOURS } from '../time.js';

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const ACCOUNT_ALIAS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SECRET_ID = /^[A-Za-z0-9/_+=.@!:-]{1,2048}$/;

const buildSchema = (target: TargetRule) => z.object({
  target: z.string().regex(target.pattern, target.hint).optional(),
  hours: z.coerce.number({ error: '--hours takes a whole number of hours' }).int('--hours takes a whole number of hours').min(1, '--hours is at least 1').max(MAX_HOURS, `--hours is at most ${MAX_HOURS} (14 days of RDS events)`),
  region: z.string().regex(REGION, '--region takes a Region code such as us-east-1').optional(),
  account: z.string().regex(ACCOUNT_ALIAS, '--account takes an account alias from WHYBOT_ACCOUNTS').optional(),
  secret: z.string().regex(SECRET_ID, '--secret takes a secret name or ARN').optional(),
  json: z.boolean().default(false),
  /** CLI only: exit non-zero when the verdict is this severe or more */
  failOn: z.enum(['critical', 'warning'], { error: '--fail-on takes critical or warning' }).optional(),
});
export type Invocation = z.infer<ReturnType<typeof buildSchema>>;

// One schema per target rule, built once: zod compiles each new schema on first use, which
// cost ~1 ms per slash command on the thread that acks Slack.
const schemas = new WeakMap<TargetRule, ReturnType<typeof buildSchema>>();
function invocationSchema(target: TargetRule): ReturnType<typeof buildSchema> {
  let schema = schemas.get(target);
  if (!schema) {
    schema = buildSchema(target);
    schemas.set(target, schema);
  }
  return schema;
}

export type ParsedInvocation = { ok: true; value: Invocation } | { ok: false; message: string };

const MAX_TEXT = 1000;

/** Splits slash-command text into argv-like tokens (no shell quoting: none is needed). */
export function tokenize(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

export function parseInvocation(
  args: string[],
  defaults: { hours: number },
  allowJson = true,
  target: TargetRule = PLAYBOOK_CATALOG['db-down']!.target,
): ParsedInvocation {
  if (args.join(' ').length > MAX_TEXT) return { ok: false, message: `That is too long (over ${MAX_TEXT} characters).` };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        hours: { type: 'string' },
        region: { type: 'string' },
        account: { type: 'string' },
        secret: { type: 'string' },
        // what only a terminal or a script asks for
        ...(allowJson ? { json: { type: 'boolean' }, 'fail-on': { type: 'string' } } : {}),
      },
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    return {
      ok: false,
      message: unknown ? `Unknown option ${unknown[1]}. Options: --hours N, --region R, --account A, --secret ID${allowJson ? ', --json, --fail-on LEVEL' : ''}.` : msg.split('.')[0]! + '.',
    };
  }
  if (parsed.positionals.length > 1)
    return { ok: false, message: `Give one ${target.label}, not ${parsed.positionals.length} words.` };
  if (target.required && parsed.positionals.length === 0) return { ok: false, message: `Give the ${target.label} to investigate.` };
  const result = invocationSchema(target).safeParse({
    target: parsed.positionals[0],
    hours: parsed.values.hours ?? defaults.hours,
    region: parsed.values.region,
    account: parsed.values.account,
    secret: parsed.values.secret,
    json: parsed.values.json ?? false,
    failOn: parsed.values['fail-on'],
  });
  if (!result.success) return { ok: false, message: result.error.issues.map((i) => i.message).join('; ') };
  return { ok: true, value: result.data };
}
