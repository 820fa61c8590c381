// A Secrets Manager rotation function's CloudWatch Logs, read as invocations (issue 14,
// incident 002). Pure: lines in, invocations out; aws/logs.ts reads the lines (redacted there).
//
// What the lines look like (Lambda's platform lines and the Python rotation templates'):
//   START RequestId: <id> Version: $LATEST
//   [INFO]\t2026-11-23T10:00:00.100Z\t<id>\tFound credentials in environment variables.
//   [INFO]\t…\t<id>\tcreateSecret: Successfully put secret for ARN arn:…:secret:prod/db-AbC123 and version …
//   [ERROR] KeyError: 'username key is missing from secret JSON'          (no id: an unhandled error)
//   Traceback (most recent call last): … File "/var/task/lambda_function.py", line 75, in set_secret
//   2026-11-23T10:00:30.123Z <id> Task timed out after 30.03 seconds
//   END RequestId: <id>
//   REPORT RequestId: <id>\tDuration: 30000.00 ms\tBilled Duration: … \tInit Duration: 412.34 ms\tStatus: timeout
// Secrets Manager invokes the function once per step, so a rotation is up to four
// invocations; an invocation's steps are the ones its lines name.
// A line without a request id belongs to the invocation running in its log stream (one
// execution environment runs one invocation at a time), or, before any START there, to the
// next invocation that starts in that stream (init lines).
import { redactSecrets } from '../redact/index.js';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export interface RotationLogLine {
  time: Date;
  stream: string;
  message: string;
}

export interface RotationInvocation {
  requestId: string;
  stream: string;
  /** the START line's time, else the first line's */
  startedAt: Date;
  /** the last line's time */
  lastAt: Date;
  /** steps the lines name (createSecret: …, or a traceback's `in set_secret`), in the order first seen */
  steps: RotationStep[];
  /** the last line the function itself wrote (not START/END/REPORT/timeout), prefix removed, redacted */
  lastLine?: string;
  /** REPORT's Duration; else END − START when both were seen */
  durationMs?: number;
  /** REPORT's Init Duration (a cold start) */
  initDurationMs?: number;
  /** "Task timed out after N seconds" or REPORT "Status: timeout" */
  timedOut: boolean;
  /** N of "Task timed out after N seconds" */
  timeoutSeconds?: number;
  /** END or REPORT seen: the invocation finished (successfully or not) within the window */
  ended: boolean;
  /** the first [ERROR] line (prefix removed, redacted) */
  error?: string;
  /** "<key> key is missing from secret JSON": the key */
  missingKey?: string;
  /** "Found credentials in environment variables" seen (boto3 created its client) */
  foundCredentials: boolean;
  /** Secrets Manager secret ARNs the lines name */
  secretArns: string[];
  /** how many lines belong to it */
  lineCount: number;
}

export interface ParsedRotationLog {
  /** oldest first (by startedAt) */
  invocations: RotationInvocation[];
  /** lines that could be given to no invocation */
  unattributed: number;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PLATFORM = new RegExp(`^(START|END|REPORT) RequestId: (${UUID})`, 'i');
const TIMEOUT = new RegExp(`^(?:\\S+\\s+)?(${UUID})\\s+Task timed out after ([\\d.]+) seconds`, 'i');
const TIMEOUT_ANY = /Task timed out after ([\d.]+) seconds/;
/** the Lambda Python/Node logging format: [LEVEL]\tTIME\tREQUEST-ID\tMESSAGE (REQUEST-ID may be empty) */
const STRUCTURED = /^\[(\w+)\]\t(\S*)\t([^\t]*)\t([\s\S]*)$/;
const JSON_REQUEST_ID = new RegExp(`"requestId"\\s*:\\s*"(${UUID})"`, 'i');
const STEP = /\b(createSecret|setSecret|testSecret|finishSecret)\b/;
const TRACEBACK_STEP = /\bin (create|set|test|finish)_secret\b/;
const MISSING_KEY = /(\w+) key is missing from secret JSON/;
const SECRET_ARN = /arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+/g;
const FOUND_CREDENTIALS = /Found credentials in environment variables/;

const ms = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number.parseFloat(text));

/** The first line of a message, trimmed. */
const firstLine = (text: string): string => (text.split('\n')[0] ?? '').trim();

interface Classified {
  kind: 'start' | 'end' | 'report' | 'timeout' | 'app';
  requestId?: string;
  /** the function's own text (prefix removed) */
  text: string;
  level?: string;
}

function classify(message: string): Classified {
  const platform = PLATFORM.exec(message);
  if (platform) return { kind: platform[1]!.toLowerCase() as 'start' | 'end' | 'report', requestId: platform[2]!.toLowerCase(), text: message };
  const timeout = TIMEOUT.exec(message);
  if (timeout) return { kind: 'timeout', requestId: timeout[1]!.toLowerCase(), text: message };
  const structured = STRUCTURED.exec(message);
  if (structured) {
    const id = new RegExp(`^${UUID}$`, 'i').test(structured[3]!) ? structured[3]!.toLowerCase() : undefined;
    return { kind: 'app', ...(id && { requestId: id }), text: structured[4]!, level: structured[1]!.toUpperCase() };
  }
  if (TIMEOUT_ANY.test(message)) return { kind: 'timeout', text: message };
  const jsonId = JSON_REQUEST_ID.exec(message)?.[1]?.toLowerCase();
  const level = /^\[(\w+)\]/.exec(message)?.[1]?.toUpperCase() ?? (/^\{.*"errorType"/.test(message) ? 'ERROR' : undefined);
  return { kind: 'app', ...(jsonId && { requestId: jsonId }), text: message, ...(level && { level }) };
}

function blank(requestId: string, stream: string, time: Date): RotationInvocation {
  return { requestId, stream, startedAt: time, lastAt: time, steps: [], timedOut: false, ended: false, foundCredentials: false, secretArns: [], lineCount: 0 };
}

/**
 * Groups a rotation function's log lines (any order; sorted by time here, ties keep their
 * order) into invocations by request id, with what each shows. Strings it returns are
 * redacted again (the adapter redacts too; this keeps the parser safe on its own).
 */
export function parseRotationLog(lines: readonly RotationLogLine[]): ParsedRotationLog {
  const ordered = lines.map((l, i) => ({ l, i })).sort((a, b) => a.l.time.getTime() - b.l.time.getTime() || a.i - b.i);
  const byId = new Map<string, RotationInvocation>();
  const endAt = new Map<string, Date>();
  /** per stream: the invocation running there */
  const open = new Map<string, string>();
  /** per stream: lines seen before any invocation started there */
  const pending = new Map<string, { line: RotationLogLine; c: Classified }[]>();
  let unattributed = 0;

  const invocation = (id: string, line: RotationLogLine): RotationInvocation => {
    let inv = byId.get(id);
    if (!inv) {
      inv = blank(id, line.stream, line.time);
      byId.set(id, inv);
    }
    return inv;
  };

  const apply = (inv: RotationInvocation, line: RotationLogLine, c: Classified) => {
    inv.lineCount++;
    if (line.time.getTime() > inv.lastAt.getTime()) inv.lastAt = line.time;
    if (line.time.getTime() < inv.startedAt.getTime()) inv.startedAt = line.time;
    const text = c.text;
    switch (c.kind) {
      case 'start':
        inv.startedAt = line.time;
        return;
      case 'end':
        inv.ended = true;
        endAt.set(inv.requestId, line.time);
        return;
      case 'report': {
        inv.ended = true;
        const duration = ms(/\bDuration: ([\d.]+) ms/.exec(text)?.[1]);
        const init = ms(/\bInit Duration: ([\d.]+) ms/.exec(text)?.[1]);
        if (duration !== undefined) inv.durationMs = duration;
        if (init !== undefined) inv.initDurationMs = init;
        if (/\bStatus: timeout\b/.test(text)) inv.timedOut = true;
        return;
      }
      case 'timeout': {
        inv.timedOut = true;
        const seconds = ms(TIMEOUT_ANY.exec(text)?.[1]);
        if (seconds !== undefined) inv.timeoutSeconds = seconds;
        return;
      }
      case 'app': {
        const step = (STEP.exec(text)?.[1] ?? (TRACEBACK_STEP.exec(text) ? `${TRACEBACK_STEP.exec(text)![1]}Secret` : undefined)) as RotationStep | undefined;
        if (step && !inv.steps.includes(step)) inv.steps.push(step);
        if (FOUND_CREDENTIALS.test(text)) inv.foundCredentials = true;
        const key = MISSING_KEY.exec(text)?.[1];
        if (key && inv.missingKey === undefined) inv.missingKey = key;
        for (const match of text.match(SECRET_ARN) ?? []) {
          const arn = match.replace(/\.+$/, ''); // "… for secret arn:…-AbC123." ends a sentence
          if (!inv.secretArns.includes(arn)) inv.secretArns.push(arn);
        }
        if (c.level === 'ERROR' && inv.error === undefined) inv.error = redactSecrets(firstLine(text));
        const shown = firstLine(text);
        if (shown !== '') inv.lastLine = redactSecrets(shown);
        return;
      }
    }
  };

  for (const { l: line } of ordered) {
    const c = classify(line.message.trimEnd());
    let id = c.requestId;
    if (id === undefined) {
      id = open.get(line.stream);
      if (id === undefined) {
        const queue = pending.get(line.stream) ?? [];
        queue.push({ line, c });
        pending.set(line.stream, queue);
        continue;
      }
    }
    const inv = invocation(id, line);
    if (c.kind === 'start') {
      open.set(line.stream, id);
      const queue = pending.get(line.stream);
      if (queue) {
        pending.delete(line.stream);
        for (const p of queue) apply(inv, p.line, p.c);
      }
    } else if (c.requestId !== undefined && c.kind !== 'end' && c.kind !== 'report' && !open.has(line.stream)) {
      // a window that starts mid-invocation: its own lines still say which one runs here
      open.set(line.stream, id);
    }
    apply(inv, line, c);
    if (c.kind === 'report' || (c.kind === 'end' && open.get(line.stream) === id)) {
      if (open.get(line.stream) === id) open.delete(line.stream);
    }
  }
  for (const queue of pending.values()) unattributed += queue.length;

  for (const inv of byId.values()) {
    const end = endAt.get(inv.requestId);
    if (inv.durationMs === undefined && end) inv.durationMs = end.getTime() - inv.startedAt.getTime();
  }
  const invocations = [...byId.values()].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  return { invocations, unattributed };
}

/** "arn:…:secret:prod/db-AbC123" and "arn:…:secret:prod/db" name the same secret. */
export function sameSecretArn(a: string, b: string): boolean {
  const bare = (arn: string) => arn.replace(/-[A-Za-z0-9]{6}$/, '');
  return a === b || bare(a) === bare(b) || bare(a) === b || a === bare(b);
}

/**
 * The invocations that may be this secret's: those naming it, and those naming no secret at
 * all (a function that timed out before logging the ARN). Invocations naming only other
 * secrets are left out.
 */
export function invocationsForSecret(invocations: readonly RotationInvocation[], secretArn: string): RotationInvocation[] {
  return invocations.filter((inv) => inv.secretArns.length === 0 || inv.secretArns.some((arn) => sameSecretArn(arn, secretArn)));
}
