import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs on stderr (stdout is for the CLI's answer); tokens and secrets redacted. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { app: 'whybot', ...bindings },
      redact: {
        paths: ['token', '*.token', 'botToken', 'appToken', 'signingSecret', '*.SecretString', 'SecretString', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
