// CloudWatch Logs: the last lines a function (e.g. a rotation Lambda, group
// /aws/lambda/<function name>) wrote in a time window. Messages are redacted here, at the
// boundary, so no caller can carry a secret value from a log line into Slack or a store.
import { paginateFilterLogEvents, CloudWatchLogsClient, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { redactSecrets } from '../redact/index.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';
import { invocationsForSecret, parseRotationLog, type RotationInvocation } from './rotation-log.js';

export const LOGS_IAM = {
  filterLogEvents: iam('logs:FilterLogEvents'),
} as const;

export interface LogLine {
  time: Date;
  stream: string;
  /** redacted (see redact/text.ts), trailing whitespace and newline removed */
  message: string;
}

/** The lines, oldest first, with what the walk found out on the way. */
export type LogLines = LogLine[] & {
  /** the log group does not exist (the function never ran, or logs elsewhere) */
  readonly groupNotFound: boolean;
  /**
   * the page bound stopped the walk early. Newest first (the usual case): the lines are the
   * newest ones but fewer than `max`, and older matching lines may exist. Oldest first
   * (`since` before 2024): newer lines than the ones returned may exist.
   */
  readonly truncated: boolean;
  /** FilterLogEvents calls made */
  readonly pages: number;
};

export interface LastLogLinesQuery {
  /** e.g. "/aws/lambda/SecretsManagerRotation" */
  logGroupName: string;
  since: Date;
  until: Date;
  /** at most this many lines, the newest ones */
  max: number;
  /** a CloudWatch Logs filter pattern, e.g. '"setSecret"' or 'ERROR' */
  filterPattern?: string;
  /** at most this many FilterLogEvents calls (default 10) */
  maxPages?: number;
  signal?: AbortSignal;
}

/** FilterLogEvents reads newest first (startFromHead: false) only for a startTime from here on. */
export const NEWEST_FIRST_FROM = new Date(Date.UTC(2024, 0, 1));
const MAX_PAGE_SIZE = 10_000;
const DEFAULT_MAX_PAGES = 10;

function lines(items: LogLine[], flags: { groupNotFound: boolean; truncated: boolean; pages: number }): LogLines {
  return Object.assign(items, flags);
}

function toLine(e: FilteredLogEvent): LogLine {
  return {
    time: new Date(e.timestamp ?? 0),
    stream: e.logStreamName ?? '',
    message: redactSecrets((e.message ?? '').trimEnd()),
  };
}

/**
 * The newest `max` lines of a log group between `since` and `until` (both inclusive),
 * returned oldest first. Pages newest first (startFromHead: false) and stops as soon as it
 * has `max` lines or after `maxPages` calls; a window starting before 2024 (where AWS does
 * not allow that) is walked oldest first instead, keeping the last `max` lines. A missing
 * log group gives no lines and `groupNotFound`; other failures throw AwsCallError
 * (`logs:FilterLogEvents`).
 */
export async function lastLogLines(client: CloudWatchLogsClient, q: LastLogLinesQuery): Promise<LogLines> {
  const max = Math.floor(q.max);
  if (!(max > 0) || q.until.getTime() < q.since.getTime()) return lines([], { groupNotFound: false, truncated: false, pages: 0 });
  const maxPages = Math.max(1, Math.floor(q.maxPages ?? DEFAULT_MAX_PAGES));
  const newestFirst = q.since.getTime() >= NEWEST_FIRST_FROM.getTime();

  return awsCall(LOGS_IAM.filterLogEvents, async () => {
    const seen: FilteredLogEvent[] = [];
    let pages = 0;
    let truncated = false;
    try {
      const paginator = paginateFilterLogEvents(
        { client, pageSize: Math.min(max, MAX_PAGE_SIZE) },
        {
          logGroupName: q.logGroupName,
          startTime: q.since.getTime(),
          endTime: q.until.getTime(),
          ...(q.filterPattern !== undefined && q.filterPattern.trim() !== '' && { filterPattern: q.filterPattern }),
          ...(newestFirst && { startFromHead: false }),
        },
        ...(q.signal ? [{ abortSignal: q.signal }] : []),
      );
      for await (const page of paginator) {
        pages++;
        seen.push(...(page.events ?? []));
        if (newestFirst && seen.length >= max) break;
        if (!newestFirst && seen.length > max) seen.splice(0, seen.length - max);
        if (pages >= maxPages && page.nextToken) {
          truncated = true;
          break;
        }
      }
    } catch (err) {
      if ((err as { name?: string } | null)?.name === 'ResourceNotFoundException') {
        return lines([], { groupNotFound: true, truncated: false, pages: pages + 1 });
      }
      throw err;
    }
    // Oldest first; among equal timestamps, keep the order CloudWatch Logs gave them.
    const ordered = newestFirst ? seen.slice(0, max).reverse() : seen.slice(-max);
    const indexed = ordered.map((e, i) => ({ e, i }));
    indexed.sort((a, b) => (a.e.timestamp ?? 0) - (b.e.timestamp ?? 0) || a.i - b.i);
    return lines(
      indexed.map(({ e }) => toLine(e)),
      { groupNotFound: false, truncated, pages },
    );
  });
}

export interface RotationInvocationsQuery {
  /** the rotation function's name or ARN; its log group is /aws/lambda/<name> unless `logGroupName` says otherwise */
  functionName: string;
  logGroupName?: string;
  /** keep only invocations that may be this secret's (see invocationsForSecret) */
  secretArn?: string;
  since: Date;
  until: Date;
  /** at most this many invocations, the newest (default 8: two rotations' four steps) */
  maxInvocations?: number;
  /** at most this many lines read (default 500) */
  maxLines?: number;
  signal?: AbortSignal;
}

export interface RotationInvocations {
  logGroupName: string;
  /** oldest first */
  invocations: RotationInvocation[];
  groupNotFound: boolean;
  /** the line or page bound was reached: older invocations may exist, the oldest one returned may be partial */
  truncated: boolean;
  /** lines no invocation could be given */
  unattributed: number;
  /** invocations left out because their lines name only other secrets */
  otherSecrets: number;
}

/**
 * The rotation function's last invocations in a window, grouped by request id
 * (FilterLogEvents on its log group, newest lines first; see aws/rotation-log.ts). Every
 * line is redacted before it is parsed. A missing group gives none and `groupNotFound`;
 * failures throw AwsCallError naming `logs:FilterLogEvents`.
 */
export async function rotationInvocations(aws: AwsClients, q: RotationInvocationsQuery): Promise<RotationInvocations> {
  // "name", "name:alias", "ACCOUNT:function:name[:q]" or a full ARN → "name"
  const functionName = /(?:^|:)function:([^:]+)/.exec(q.functionName)?.[1] ?? q.functionName.split(':')[0]!;
  const logGroupName = q.logGroupName ?? `/aws/lambda/${functionName}`;
  const maxLines = Math.max(1, Math.floor(q.maxLines ?? 500));
  const maxInvocations = Math.max(1, Math.floor(q.maxInvocations ?? 8));
  const client = aws.client('logs', (config) => new CloudWatchLogsClient(config));
  const lines = await lastLogLines(client, {
    logGroupName,
    since: q.since,
    until: q.until,
    max: maxLines,
    ...(q.signal && { signal: q.signal }),
  });
  const parsed = parseRotationLog(lines);
  const mine = q.secretArn === undefined ? parsed.invocations : invocationsForSecret(parsed.invocations, q.secretArn);
  return {
    logGroupName,
    invocations: mine.slice(-maxInvocations),
    groupNotFound: lines.groupNotFound,
    truncated: lines.truncated || lines.length >= maxLines,
    unattributed: parsed.unattributed,
    otherSecrets: parsed.invocations.length - mine.length,
  };
}
