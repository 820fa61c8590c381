// Environment → typed config, in one place (DESIGN.md "Environment").
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import * as z from 'zod';
import { MAX_HOURS } from './time.js';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const EnvSchema = z.object({
  AWS_REGION: optionalText,
  AWS_DEFAULT_REGION: optionalText,
  AWS_PROFILE: optionalText,
  SLACK_BOT_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xoxb-'), 'must be a bot token (xoxb-…)'),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), 'must be an app-level token (xapp-…)'),
  SLACK_API_URL: optionalText.pipe(z.url().optional()),
  PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  WHYBOT_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  WHYBOT_DEFAULT_HOURS: z.coerce.number().int().min(1).max(MAX_HOURS).default(24),
  WHYBOT_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  WHYBOT_AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  WHYBOT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WHYBOT_ACTION_SECRET: optionalText.refine((v) => v === undefined || Buffer.byteLength(v) >= 32, 'must be at least 32 bytes (e.g. `openssl rand -hex 32`)'),
  WHYBOT_RESPONDERS: optionalText,
  WHYBOT_BUTTON_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 14).default(24),
  WHYBOT_VERIFY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(900_000),
  WHYBOT_VERIFY_INTERVAL_MS: z.coerce.number().int().min(10).max(300_000).default(15_000),
  WHYBOT_DB_PATH: optionalText,
  WHYBOT_TABLE: optionalText,
  WHYBOT_ALERT_CHANNEL: optionalText.refine((v) => v === undefined || /^[CG][A-Z0-9]{2,}$/.test(v), 'must be a channel id (C…), not a name'),
  WHYBOT_ALERT_QUIET: z.enum(['true', 'false']).default('false'),
  WHYBOT_AUTO_REDEPLOY: optionalText,
  WHYBOT_WATCH_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  WHYBOT_WORKER_THREADS: z.coerce.number().int().min(0).max(16).default(1),
  WHYBOT_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  WHYBOT_QUEUE_DEPTH: z.coerce.number().int().min(0).max(100_000).default(200),
  WHYBOT_HEARTBEAT_TTL_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  WHYBOT_SLACK_CHANNEL_RATE: z.coerce.number().min(0.1).max(100).default(1),
  WHYBOT_DIGEST_HOUR_UTC: z.union([z.literal('off'), z.coerce.number().int().min(0).max(23)]).default(9),
  WHYBOT_ACCOUNTS: optionalText,
  WHYBOT_CHANNEL_DEFAULTS: optionalText,
});

const REGION_CODE = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const roleArn = z.string().regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::123456789012:role/name)');
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** One account whybot investigates by assuming a role in it (WHYBOT_ACCOUNTS). */
const AccountSchema = z.strictObject({
  roleArn,
  regions: z.array(z.string().regex(REGION_CODE, 'must be a Region code such as us-east-1')).min(1, 'must name at least one Region'),
  externalId: z.string().min(2).max(1224).optional(),
  writeRoleArn: roleArn.optional(),
});
/** A record whose bad keys are reported by name (zod's own message says only "Invalid key in record"). */
const keyedBy = <V extends z.ZodType>(key: RegExp, message: string, value: V) =>
  z.record(z.string(), value).superRefine((r, ctx) => {
    for (const k of Object.keys(r)) if (!key.test(k)) ctx.addIssue({ code: 'custom', path: [k], message });
  });
const AccountsSchema = keyedBy(ALIAS, 'an account alias is letters, digits, ".", "_" or "-"', AccountSchema).refine(
  (r) => Object.keys(r).length > 0,
  'must name at least one account',
);
const ChannelDefaultsSchema = keyedBy(
  /^[CGD][A-Z0-9]{2,}$/,
  'keys must be channel ids (C…), not names',
  z.strictObject({ account: z.string().optional(), region: z.string().regex(REGION_CODE, 'must be a Region code such as us-east-1').optional() }),
);

/** An account from WHYBOT_ACCOUNTS, by its alias. */
export interface AccountConfig {
  alias: string;
  /** the 12-digit id, from the role ARN */
  accountId: string;
  roleArn: string;
  regions: string[];
  externalId?: string;
  /** the role remediations assume (absent: roleArn) */
  writeRoleArn?: string;
}

/**
 * Inline JSON (starts with `{`) or a path to a JSON or YAML file; then validated, each problem
 * naming the variable and the field (`WHYBOT_ACCOUNTS: payments-prod.regions.0: …`).
 */
function structured<T>(name: string, raw: string | undefined, schema: z.ZodType<T>, problems: string[]): T | undefined {
  if (raw === undefined) return undefined;
  let data: unknown;
  try {
    if (raw.startsWith('{')) data = JSON.parse(raw);
    else {
      const text = readFileSync(raw, 'utf8');
      data = /\.ya?ml$/i.test(raw) ? loadYaml(text, { filename: raw }) : JSON.parse(text);
    }
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    problems.push(`${name}: ${raw.startsWith('{') ? 'not valid JSON' : `cannot read ${raw}`} (${why})`);
    return undefined;
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${name}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
    return undefined;
  }
  return parsed.data;
}

function parseAccounts(e: { WHYBOT_ACCOUNTS?: string; WHYBOT_CHANNEL_DEFAULTS?: string }, problems: string[]): Pick<Config, 'accounts' | 'channelDefaults'> {
  const raw = structured('WHYBOT_ACCOUNTS', e.WHYBOT_ACCOUNTS, AccountsSchema, problems);
  const defaults = structured('WHYBOT_CHANNEL_DEFAULTS', e.WHYBOT_CHANNEL_DEFAULTS, ChannelDefaultsSchema, problems) ?? {};
  const accounts = raw
    ? Object.fromEntries(
        Object.entries(raw).map(([alias, a]) => [alias, { alias, accountId: ROLE_ARN.exec(a.roleArn)![1]!, ...a } satisfies AccountConfig]),
      )
    : undefined;
  for (const [channel, d] of Object.entries(defaults)) {
    if (d.account === undefined) continue;
    if (!accounts) problems.push(`WHYBOT_CHANNEL_DEFAULTS: ${channel}.account: names an account, but WHYBOT_ACCOUNTS is not set`);
    else if (!Object.hasOwn(accounts, d.account))
      problems.push(`WHYBOT_CHANNEL_DEFAULTS: ${channel}.account: "${d.account}" is not in WHYBOT_ACCOUNTS (${Object.keys(accounts).join(', ')})`);
  }
  return { ...(accounts ? { accounts } : {}), channelDefaults: defaults };
}

const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

/** "U123, S456" → ids; anything that is not a Slack user or user-group id is a config error. */
function parseResponders(name: string, raw: string | undefined, problems: string[]): string[] {
  if (!raw) return [];
  const ids = raw.split(/[\s,]+/).filter(Boolean);
  const bad = ids.filter((id) => !SLACK_ID.test(id));
  if (bad.length) problems.push(`${name}: not Slack user (U…/W…) or user-group (S…) ids: ${bad.join(', ')}`);
  return ids.filter((id) => SLACK_ID.test(id));
}

export interface Config {
  region?: string;
  profile?: string;
  checkTimeoutMs: number;
  defaultHours: number;
  progressIntervalMs: number;
  awsMaxAttempts: number;
  logLevel: z.infer<typeof EnvSchema>['WHYBOT_LOG_LEVEL'];
  actionSecret?: string;
  /** Slack user and user-group ids allowed to run remediations; per action id overrides */
  responders: { default: string[]; perAction: Record<string, string[]> };
  buttonTtlSeconds: number;
  verifyTimeoutMs: number;
  verifyIntervalMs: number;
  store: { dbPath?: string; table?: string };
  /** where investigations and remediations run: never in the thread that acks Slack */
  jobs: {
    /** worker threads; 0 = in the receiver's own thread (for debugging only) */
    threads: number;
    /** jobs running at once per thread (they mostly wait on AWS and Slack) */
    concurrency: number;
    /** jobs waiting beyond those; past this, new requests are refused with a clear answer */
    queueDepth: number;
    /** a process whose heartbeat is older than this is dead: its journaled work is taken over */
    heartbeatTtlSeconds: number;
  };
  /** messages per second per channel (posts and updates together), across every process */
  slackChannelRate: number;
  alerts: {
    /** channel id for rotation alerts; absent = no alerts */
    channel?: string;
    /** no post when no consumer is at risk */
    quiet: boolean;
    /** cluster/service patterns (`*` wildcards) whybot may redeploy on its own after a rotation */
    autoRedeploy: string[];
    /** how often `whybot watch` polls CloudTrail */
    watchIntervalMs: number;
    /** UTC hour of the daily digest of rotations due in 24 h; undefined = off */
    digestHourUtc?: number;
  };
  /** WHYBOT_ACCOUNTS by alias; absent = whybot's own account only */
  accounts?: Record<string, AccountConfig>;
  /** WHYBOT_CHANNEL_DEFAULTS: where a channel's commands look when they name no account or Region */
  channelDefaults: Record<string, { account?: string; region?: string }>;
  slack: {
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    port?: number;
  };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    };
  const e = parsed.data;
  const problems: string[] = [];
  const perAction: Record<string, string[]> = {};
  for (const [key, raw] of Object.entries(env)) {
    const m = /^WHYBOT_RESPONDERS_([A-Z0-9_]+)$/.exec(key);
    if (m) perAction[m[1]!.toLowerCase().replace(/_/g, '-')] = parseResponders(key, raw, problems);
  }
  const responders = { default: parseResponders('WHYBOT_RESPONDERS', e.WHYBOT_RESPONDERS, problems), perAction };
  const places = parseAccounts(e, problems);
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    config: {
      region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION,
      profile: e.AWS_PROFILE,
      checkTimeoutMs: e.WHYBOT_CHECK_TIMEOUT_MS,
      defaultHours: e.WHYBOT_DEFAULT_HOURS,
      progressIntervalMs: e.WHYBOT_PROGRESS_INTERVAL_MS,
      awsMaxAttempts: e.WHYBOT_AWS_MAX_ATTEMPTS,
      logLevel: e.WHYBOT_LOG_LEVEL,
      actionSecret: e.WHYBOT_ACTION_SECRET,
      responders,
      buttonTtlSeconds: Math.round(e.WHYBOT_BUTTON_TTL_HOURS * 3600),
      verifyTimeoutMs: e.WHYBOT_VERIFY_TIMEOUT_MS,
      verifyIntervalMs: e.WHYBOT_VERIFY_INTERVAL_MS,
      store: { dbPath: e.WHYBOT_DB_PATH, table: e.WHYBOT_TABLE },
      jobs: { threads: e.WHYBOT_WORKER_THREADS, concurrency: e.WHYBOT_JOB_CONCURRENCY, queueDepth: e.WHYBOT_QUEUE_DEPTH, heartbeatTtlSeconds: e.WHYBOT_HEARTBEAT_TTL_SECONDS },
      slackChannelRate: e.WHYBOT_SLACK_CHANNEL_RATE,
      ...places,
      alerts: {
        channel: e.WHYBOT_ALERT_CHANNEL,
        quiet: e.WHYBOT_ALERT_QUIET === 'true',
        autoRedeploy: (e.WHYBOT_AUTO_REDEPLOY ?? '').split(/[\s,]+/).filter(Boolean),
        watchIntervalMs: e.WHYBOT_WATCH_INTERVAL_MS,
        ...(e.WHYBOT_DIGEST_HOUR_UTC === 'off' ? {} : { digestHourUtc: e.WHYBOT_DIGEST_HOUR_UTC }),
      },
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL,
        port: e.PORT,
      },
    },
  };
}

export type SlackMode =
  | { kind: 'socket'; botToken: string; appToken: string }
  | { kind: 'http'; botToken: string; signingSecret: string; port: number }
  | { kind: 'none'; missing: string[] };

export function slackMode(config: Config): SlackMode {
  const { botToken, appToken, signingSecret, port } = config.slack;
  if (botToken && appToken) return { kind: 'socket', botToken, appToken };
  if (botToken && signingSecret && port !== undefined) return { kind: 'http', botToken, signingSecret, port };
  const missing: string[] = [];
  if (!botToken) missing.push('SLACK_BOT_TOKEN');
  if (!appToken && !(signingSecret && port !== undefined))
    missing.push(signingSecret ? 'SLACK_APP_TOKEN (Socket Mode) or PORT (HTTP)' : 'SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET + PORT (HTTP)');
  return { kind: 'none', missing };
}
