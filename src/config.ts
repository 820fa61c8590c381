// Environment → typed config, in one place (DESIGN.md "Environment").
import { z } from 'zod';

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
  WHYBOT_DEFAULT_HOURS: z.coerce.number().int().min(1).max(336).default(24),
  WHYBOT_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  WHYBOT_AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  WHYBOT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  region?: string;
  profile?: string;
  checkTimeoutMs: number;
  defaultHours: number;
  progressIntervalMs: number;
  awsMaxAttempts: number;
  logLevel: z.infer<typeof EnvSchema>['WHYBOT_LOG_LEVEL'];
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
