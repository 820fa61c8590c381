/**
 * AWS Secrets Manager (awsJson1_1, target prefix "secretsmanager"): DescribeSecret,
 * ListSecrets, RotateSecret. Metadata only: the double holds no secret values and has no
 * GetSecretValue.
 */
import { AwsError } from '../errors.js';
import { randomUUID } from '../ids.js';
import { Json11Protocol } from '../protocols/json11.js';
import { secretArnWithoutSuffix, type Secret, type World } from '../world.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const protocol = new Json11Protocol({ messageKey: 'Message' });
const DAY_MS = 86_400_000;

function notFound(): AwsError {
  return new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);
}

/** SecretId may be the name, the full ARN, or the ARN without its 6-character suffix. */
export function findSecret(world: World, secretId: string): Secret | undefined {
  return world.secretsManager.secrets.find(
    (s) => s.arn === secretId || s.name === secretId || secretArnWithoutSuffix(s.arn) === secretId,
  );
}

function rotationRules(s: Secret) {
  if (!s.rotationRules) return undefined;
  return {
    AutomaticallyAfterDays: s.rotationRules.automaticallyAfterDays,
    ScheduleExpression: s.rotationRules.scheduleExpression,
  };
}

function versionsToStages(s: Secret): Record<string, string[]> {
  return Object.fromEntries(s.versions.map((v) => [v.id, [...v.stages]]));
}

function describe(s: Secret) {
  return {
    ARN: s.arn,
    Name: s.name,
    Description: s.description,
    // KmsKeyId is omitted, as AWS does for secrets encrypted with aws/secretsmanager.
    RotationEnabled: s.rotationEnabled,
    RotationLambdaARN: s.rotationLambdaArn,
    RotationRules: rotationRules(s),
    LastRotatedDate: s.lastRotated,
    LastChangedDate: s.lastChanged,
    NextRotationDate: s.rotationEnabled ? s.nextRotation : undefined,
    Tags: s.tags.map((t) => ({ Key: t.key, Value: t.value })),
    OwningService: s.owningService,
    CreatedDate: s.createdAt,
  };
}

function describeSecret(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const secret = findSecret(ctx.world, p.str('SecretId', true));
  if (!secret) throw notFound();
  return { ...describe(secret), VersionIdsToStages: versionsToStages(secret) };
}

const FILTER_KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];

function matchesFilter(s: Secret, key: string, value: string, region: string): boolean {
  const negate = value.startsWith('!');
  const v = negate ? value.slice(1) : value;
  const prefix = (candidates: (string | undefined)[], caseSensitive: boolean) =>
    candidates.some((c) => c !== undefined && (caseSensitive ? c.startsWith(v) : c.toLowerCase().startsWith(v.toLowerCase())));
  let hit: boolean;
  switch (key) {
    case 'name':
      hit = prefix([s.name], true);
      break;
    case 'description':
      hit = prefix((s.description ?? '').split(/\s+/), false);
      break;
    case 'tag-key':
      hit = prefix(s.tags.map((t) => t.key), true);
      break;
    case 'tag-value':
      hit = prefix(s.tags.map((t) => t.value), true);
      break;
    case 'primary-region':
      hit = prefix([region], true);
      break;
    case 'owning-service':
      hit = prefix([s.owningService], true);
      break;
    default: {
      const words = v.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
      const haystack = [s.name, s.description ?? '', ...s.tags.flatMap((t) => [t.key, t.value])].join(' ').toLowerCase();
      hit = words.some((w) => haystack.includes(w));
    }
  }
  return negate ? !hit : hit;
}

function listSecrets(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world } = ctx;
  const max = p.int('MaxResults') ?? 100;
  if (max < 1 || max > 100) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  let secrets = [...world.secretsManager.secrets];
  for (const raw of p.list('Filters') ?? []) {
    const f = (raw ?? {}) as Record<string, unknown>;
    const key = typeof f.Key === 'string' ? f.Key : '';
    const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === 'string') : [];
    if (!FILTER_KEYS.includes(key)) throw new AwsError('InvalidParameterException', `Invalid filter key: ${key}`);
    secrets = secrets.filter((s) => values.some((v) => matchesFilter(s, key, v, world.region)));
  }
  const order = p.str('SortOrder');
  if (order === 'asc' || order === 'desc') {
    secrets.sort((a, b) => (a.createdAt.getTime() - b.createdAt.getTime()) * (order === 'asc' ? 1 : -1));
  }
  const { NextToken: _t, MaxResults: _m, ...scope } = ctx.params;
  const page = paginate(secrets, {
    token: p.str('NextToken'),
    limit: max,
    scope,
    invalidToken: () => new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.'),
  });
  return {
    SecretList: page.items.map((s) => ({ ...describe(s), SecretVersionsToStages: versionsToStages(s) })),
    NextToken: page.next,
  };
}

/** Next rotation: the rotation interval added to the last rotation (never in the past). */
function nextRotation(rules: NonNullable<Secret['rotationRules']>, base: Date, now: Date): Date {
  let intervalMs: number | undefined;
  if (rules.automaticallyAfterDays !== undefined) intervalMs = rules.automaticallyAfterDays * DAY_MS;
  const rate = /^rate\((\d+) (hour|hours|day|days)\)$/.exec(rules.scheduleExpression ?? '');
  if (rate) intervalMs = Number(rate[1]) * (rate[2]!.startsWith('hour') ? 3_600_000 : DAY_MS);
  // cron() schedules are not evaluated: the double answers "tomorrow, 00:00 UTC".
  const next = intervalMs === undefined ? new Date(Math.ceil(now.getTime() / DAY_MS) * DAY_MS) : new Date(base.getTime() + intervalMs);
  return next < now ? now : next;
}

function rotateSecret(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { now } = ctx;
  const secret = findSecret(ctx.world, p.str('SecretId', true));
  if (!secret) throw notFound();
  const lambdaArn = p.str('RotationLambdaARN');
  const rulesIn = p.object('RotationRules');
  const immediately = p.bool('RotateImmediately') ?? true;
  const token = p.str('ClientRequestToken') ?? randomUUID();

  if (lambdaArn === undefined && secret.rotationLambdaArn === undefined && secret.owningService === undefined) {
    throw new AwsError('InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
  }
  let rules = secret.rotationRules;
  if (rulesIn) {
    const days = rulesIn.AutomaticallyAfterDays;
    const schedule = rulesIn.ScheduleExpression;
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000)) {
      throw new AwsError('InvalidParameterException', 'AutomaticallyAfterDays must be an integer between 1 and 1000.');
    }
    if (schedule !== undefined && typeof schedule !== 'string') {
      throw new AwsError('InvalidParameterException', 'ScheduleExpression must be a string.');
    }
    if (days !== undefined && schedule !== undefined) {
      throw new AwsError('InvalidParameterException', 'You cannot specify both AutomaticallyAfterDays and ScheduleExpression.');
    }
    if (days === undefined && schedule === undefined) {
      throw new AwsError('InvalidParameterException', 'RotationRules must contain AutomaticallyAfterDays or ScheduleExpression.');
    }
    rules = days !== undefined ? { automaticallyAfterDays: days } : { scheduleExpression: schedule as string };
  }
  if (!rules) throw new AwsError('InvalidParameterException', 'The secret has no rotation schedule: specify RotationRules.');

  if (lambdaArn !== undefined) secret.rotationLambdaArn = lambdaArn;
  secret.rotationRules = rules;
  secret.rotationEnabled = true;
  if (immediately) {
    // A simulated, instantly successful rotation: a new AWSCURRENT version.
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS' && s !== 'AWSPENDING');
    for (const v of secret.versions) if (v.stages.includes('AWSCURRENT')) v.stages = ['AWSPREVIOUS'];
    secret.versions = secret.versions.filter((v) => v.stages.length > 0);
    secret.versions.unshift({ id: token, stages: ['AWSCURRENT'], createdAt: now });
    secret.lastRotated = now;
    secret.lastChanged = now;
  }
  secret.nextRotation = nextRotation(rules, secret.lastRotated ?? secret.createdAt, now);
  return { ARN: secret.arn, Name: secret.name, VersionId: token };
}

function iamResource(_operation: string, params: Params, world: World): string {
  const id = params.SecretId;
  if (typeof id !== 'string') return '*';
  return findSecret(world, id)?.arn ?? id;
}

export const secretsManager: ServiceModule = {
  signingName: 'secretsmanager',
  protocol,
  operations: {
    DescribeSecret: describeSecret,
    ListSecrets: listSecrets,
    RotateSecret: rotateSecret,
  },
  iamResource,
};
