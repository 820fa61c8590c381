/**
 * Amazon CloudWatch Logs (awsJson1_1, target prefix "Logs_20140328", signing name "logs"):
 * FilterLogEvents over the scenario's log groups (`logs.groups`).
 *
 * Modelled: logGroupName or logGroupIdentifier (name or log group ARN, exactly one),
 * logStreamNames / logStreamNamePrefix (not both), startTime / endTime (epoch ms, both
 * inclusive), limit (1–10,000, default 10,000), nextToken, startFromHead (true by default;
 * false pages newest first and, as in AWS, needs a startTime on or after 2024-01-01; a token
 * keeps the direction it was issued for). `interleaved` and `unmask` are accepted and
 * ignored. `searchedLogStreams` is always `[]`: AWS stopped filling it in 2020.
 *
 * Filter patterns: the empty pattern matches everything; otherwise the pattern is an AND of
 * terms, each a plain term of letters, digits and `_` or a "quoted phrase" (`\"` and `\\`
 * escapes). Matching is case-sensitive and by substring, as AWS's ("ERROR" matches
 * "ERRORCODE"). Anything else answers InvalidParameterException naming what is not
 * supported here: `?term` (OR), `-term` (exclusion), `{ $.field … }` (JSON), `[a, b]`
 * (space-delimited), `%regex%`, and unquoted terms with other characters (AWS also rejects
 * those: "Invalid character(s) in term").
 *
 * Differences from AWS: pages are always full (AWS may return short or empty pages with a
 * nextToken), tokens never expire (AWS: 24 hours), retention and cross-account groups are
 * not modelled.
 */
import { AwsError } from '../errors.js';
import { Json11Protocol } from '../protocols/json11.js';
import { arns, type LogEvent, type LogGroup, type World } from '../world.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message, 400);

const protocol = new Json11Protocol({
  messageKey: 'message',
  errors: {
    internal: () => new AwsError('ServiceUnavailableException', 'The service cannot complete the request.', 500),
    missingParameter: (name) =>
      invalidParameter(
        `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
      ),
    invalidParameter,
  },
});

const MAX_LIMIT = 10_000;
const MAX_STREAM_NAMES = 100;
/** startFromHead: false is accepted only for startTime on or after this (AWS API reference). */
const NEWEST_FIRST_MIN_START = Date.UTC(2024, 0, 1);

// ---------------------------------------------------------------- filter patterns

export type FilterPatternMatcher = (message: string) => boolean;

function unsupported(what: string, pattern: string): AwsError {
  return invalidParameter(`The AWS double does not support ${what} in filter patterns (pattern: ${pattern}).`);
}

/**
 * Compiles the supported subset of CloudWatch Logs filter patterns (see the module comment);
 * throws InvalidParameterException for anything else.
 */
export function compileFilterPattern(pattern: string | undefined): FilterPatternMatcher {
  const source = pattern ?? '';
  const text = source.trim();
  if (text === '') return () => true;
  const first = text[0];
  if (first === '{') throw unsupported('JSON filter patterns ({ $.field … })', source);
  if (first === '[') throw unsupported('space-delimited filter patterns ([a, b, …])', source);
  if (first === '%') throw unsupported('regular expressions (%…%)', source);

  const terms: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let phrase = '';
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const d = text[j]!;
        if (d === '\\' && j + 1 < text.length) {
          phrase += text[j + 1];
          j += 2;
          continue;
        }
        if (d === '"') {
          closed = true;
          break;
        }
        phrase += d;
        j++;
      }
      if (!closed) throw invalidParameter(`Invalid filter pattern: unterminated quoted phrase in ${source}`);
      if (j + 1 < text.length && !/\s/.test(text[j + 1]!)) throw invalidParameter(`Invalid filter pattern: ${source}`);
      terms.push(phrase);
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j]!)) j++;
    const term = text.slice(i, j);
    if (term.startsWith('?')) throw unsupported('OR terms (?term)', source);
    if (term.startsWith('-')) throw unsupported('exclusion terms (-term)', source);
    if (term.includes('%')) throw unsupported('regular expressions (%…%)', source);
    if (!/^[A-Za-z0-9_]+$/.test(term)) throw invalidParameter(`Invalid character(s) in term '${term}'`);
    terms.push(term);
    i = j;
  }
  return (message) => terms.every((t) => message.includes(t));
}

// ---------------------------------------------------------------- FilterLogEvents

/** "arn:aws:logs:REGION:ACCOUNT:log-group:NAME" (optionally ":*") or a name → the group's name in this world. */
function groupNameOf(world: World, identifier: string): string | undefined {
  if (!identifier.startsWith('arn:')) return identifier;
  const m = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(identifier);
  if (!m || m[1] !== world.region || m[2] !== world.accountId) return undefined;
  return m[3];
}

function findGroup(world: World, name: string | undefined): LogGroup {
  const group = name === undefined ? undefined : world.logs.groups.find((g) => g.name === name);
  if (!group) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  return group;
}

/** The direction a token was issued for travels in its first character. */
function splitToken(token: string | undefined): { head?: boolean; rest?: string } {
  if (token === undefined || token === '') return {};
  const m = /^([FB])\.(.+)$/.exec(token);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  return { head: m[1] === 'F', rest: m[2] };
}

function filterLogEvents(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const name = p.str('logGroupName');
  const identifier = p.str('logGroupIdentifier');
  if ((name === undefined) === (identifier === undefined)) {
    throw invalidParameter('You must specify either logGroupName or logGroupIdentifier, but not both.');
  }
  const group = findGroup(ctx.world, name ?? groupNameOf(ctx.world, identifier!));

  const streamNames = p.strings('logStreamNames');
  const streamPrefix = p.str('logStreamNamePrefix');
  if (streamNames !== undefined && streamPrefix !== undefined) {
    throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive.');
  }
  if (streamNames !== undefined && (streamNames.length < 1 || streamNames.length > MAX_STREAM_NAMES)) {
    throw invalidParameter(
      `1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length between 1 and ${MAX_STREAM_NAMES}`,
    );
  }
  const start = p.int('startTime');
  const end = p.int('endTime');
  for (const [member, value] of [['startTime', start], ['endTime', end]] as const) {
    if (value !== undefined && value < 0) {
      throw invalidParameter(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to 0`);
    }
  }
  if (start !== undefined && end !== undefined && start > end) throw invalidParameter('endTime must be greater than or equal to startTime.');
  const limit = p.int('limit') ?? MAX_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) {
    const constraint = limit < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_LIMIT}`;
    throw invalidParameter(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${constraint}`);
  }
  const pattern = p.str('filterPattern');
  const matches = compileFilterPattern(pattern);

  const token = splitToken(p.str('nextToken'));
  const startFromHead = token.head ?? p.bool('startFromHead') ?? true;
  if (!startFromHead && token.head === undefined && (start === undefined || start < NEWEST_FIRST_MIN_START)) {
    throw invalidParameter('startFromHead set to false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.');
  }

  const inStream = (e: LogEvent) =>
    streamNames !== undefined ? streamNames.includes(e.stream) : streamPrefix !== undefined ? e.stream.startsWith(streamPrefix) : true;
  const selected = group.events.filter((e) => {
    const t = e.time.getTime();
    return (start === undefined || t >= start) && (end === undefined || t <= end) && inStream(e) && matches(e.message);
  });
  if (!startFromHead) selected.reverse();

  const page = paginate(selected, {
    token: token.rest,
    limit,
    scope: { group: group.name, streamNames, streamPrefix, start, end, pattern: pattern ?? '', startFromHead },
    invalidToken: () => invalidParameter('The specified nextToken is invalid.'),
  });
  return {
    events: page.items.map((e) => ({
      logStreamName: e.stream,
      timestamp: e.time.getTime(),
      message: e.message,
      ingestionTime: e.ingestionTime.getTime(),
      eventId: e.eventId,
    })),
    searchedLogStreams: [],
    nextToken: page.next === undefined ? undefined : `${startFromHead ? 'F' : 'B'}.${page.next}`,
  };
}

/** As AWS names it in FilterLogEvents denials: "…:log-group:NAME:log-stream:". */
function iamResource(_operation: string, params: Params, world: World): string {
  const raw = typeof params.logGroupName === 'string' ? params.logGroupName : params.logGroupIdentifier;
  if (typeof raw !== 'string' || raw === '') return '*';
  const name = groupNameOf(world, raw) ?? raw.replace(/^arn:.*?:log-group:/, '').replace(/:\*$/, '');
  return `${arns.logGroup(world, name)}:log-stream:`;
}

export const logs: ServiceModule = {
  signingName: 'logs',
  protocol,
  operations: { FilterLogEvents: filterLogEvents },
  iamResource,
};
