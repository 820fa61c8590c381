import { pino, type Logger } from 'pino';
import { redactDeep } from './redact/index.js';

export type { Logger };

/** Where log lines go: anything with a `write` of one serialised line (stderr by default). */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * Every line passes the redaction layer after pino serialised it, at every level: the
 * message, the bindings, every field and an error's message and stack (src/redact). The
 * line is parsed, redacted member by member and written again, so it stays one JSON object.
 */
export function redactingDestination(inner: LogDestination): LogDestination {
  return {
    write(line: string) {
      let out: string;
      try {
        out = `${JSON.stringify(redactDeep(JSON.parse(line) as unknown))}\n`;
      } catch {
        // never write a line that was not redacted
        out = `${JSON.stringify({ level: 50, time: Date.now(), app: 'whybot', msg: 'a log line could not be redacted and was dropped' })}\n`;
      }
      return inner.write(out);
    },
  };
}

/**
 * Structured logs on stderr (stdout is for the CLI's answer); tokens and secrets redacted.
 * `destination` replaces stderr (tests collect the lines); it receives redacted lines.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}, destination?: LogDestination): Logger {
  return pino(
    {
      level,
      base: { app: 'whybot', ...bindings },
      redact: {
        paths: ['token', '*.token', 'botToken', 'appToken', 'signingSecret', '*.SecretString', 'SecretString', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    redactingDestination(destination ?? pino.destination(2)),
  );
}
