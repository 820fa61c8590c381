/**
 * AWS CloudTrail (awsJson1_1, target prefix "CloudTrail_20131101"): LookupEvents over the
 * scenario's management events. Each event's CloudTrailEvent is a JSON string shaped like a
 * real CloudTrail record; Secrets Manager rotation service events follow AWS's published
 * sample (additionalEventData.SecretId, null request/response, invokedBy, resources []).
 */
import { AwsError } from '../errors.js';
import { stableHex } from '../ids.js';
import { Json11Protocol } from '../protocols/json11.js';
import type { TrailEvent, World } from '../world.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, ServiceModule } from './types.js';

const protocol = new Json11Protocol({ messageKey: 'Message' });

const RETENTION_MS = 90 * 86_400_000;
const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'];
const SECRET_RESOURCE_TYPE = 'AWS::SecretsManager::Secret';

interface Identity {
  userIdentity: Record<string, unknown>;
  username?: string;
  accessKeyId?: string;
}

function upperHex(seed: string, length: number): string {
  return stableHex(seed, length).toUpperCase();
}

/** userIdentity as CloudTrail writes it, from the principal ARN (or an IAM user name). */
function identityOf(world: World, e: TrailEvent): Identity {
  if (e.eventType === 'AwsServiceEvent') {
    const service = e.eventSource;
    return { userIdentity: { accountId: world.accountId, invokedBy: service } };
  }
  const arn = e.userArn ?? (e.username !== undefined ? `arn:aws:iam::${world.accountId}:user/${e.username}` : undefined);
  if (arn === undefined) {
    return { userIdentity: { type: 'Unknown', accountId: world.accountId } };
  }
  const account = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? world.accountId;
  const assumed = /:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (assumed) {
    const [, role, session] = assumed as unknown as [string, string, string];
    const rolePrincipal = `AROA${upperHex(`role:${role}`, 17)}`;
    const accessKeyId = `ASIA${upperHex(`key:${arn}`, 16)}`;
    return {
      username: e.username ?? session,
      accessKeyId,
      userIdentity: {
        type: 'AssumedRole',
        principalId: `${rolePrincipal}:${session}`,
        arn,
        accountId: account,
        accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: rolePrincipal,
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
          attributes: { creationDate: new Date(e.time.getTime() - 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
        },
      },
    };
  }
  if (/:root$/.test(arn)) {
    const accessKeyId = `ASIA${upperHex(`key:${arn}`, 16)}`;
    return { username: e.username ?? 'root', accessKeyId, userIdentity: { type: 'Root', principalId: account, arn, accountId: account, accessKeyId } };
  }
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1] ?? e.username ?? arn;
  const accessKeyId = `AKIA${upperHex(`key:${arn}`, 16)}`;
  return {
    username: e.username ?? user,
    accessKeyId,
    userIdentity: { type: 'IAMUser', principalId: `AIDA${upperHex(`user:${arn}`, 17)}`, arn, accountId: account, accessKeyId, userName: user },
  };
}

function resourcesOf(e: TrailEvent): { ResourceType: string; ResourceName: string }[] {
  if (e.resources !== undefined) return e.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name }));
  if (e.eventType === 'AwsServiceEvent' || e.secretId === undefined) return [];
  return [{ ResourceType: SECRET_RESOURCE_TYPE, ResourceName: e.secretId }];
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The CloudTrail record (the JSON inside CloudTrailEvent). */
export function cloudTrailRecord(world: World, e: TrailEvent): Record<string, unknown> {
  const identity = identityOf(world, e);
  const base = {
    eventVersion: '1.11',
    userIdentity: identity.userIdentity,
    eventTime: isoSeconds(e.time),
    eventSource: e.eventSource,
    eventName: e.eventName,
    awsRegion: world.region,
  };
  const tail = {
    eventID: e.eventId,
    readOnly: e.readOnly,
  };
  const errors = {
    ...(e.errorCode !== undefined && { errorCode: e.errorCode }),
    ...(e.errorMessage !== undefined && { errorMessage: e.errorMessage }),
  };
  if (e.eventType === 'AwsServiceEvent') {
    const service = e.eventSource;
    return {
      ...base,
      sourceIPAddress: service,
      userAgent: service,
      ...errors,
      requestParameters: e.requestParameters ?? null,
      responseElements: null,
      ...(e.secretId !== undefined && { additionalEventData: { SecretId: e.secretId } }),
      requestID: e.secretId !== undefined ? `Rotation-${e.secretId}-${e.requestId}` : e.requestId,
      ...tail,
      resources: [],
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: world.accountId,
      eventCategory: 'Management',
    };
  }
  let requestParameters: Record<string, unknown> | null;
  if (e.requestParameters === null) requestParameters = null;
  else if (e.requestParameters !== undefined) {
    requestParameters = { ...(e.secretId !== undefined && { secretId: e.secretId }), ...e.requestParameters };
  } else requestParameters = e.secretId !== undefined ? { secretId: e.secretId } : null;
  const failed = e.errorCode !== undefined;
  return {
    ...base,
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-cli/2.22.0 md/awscrt#0.22.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.6',
    ...errors,
    requestParameters,
    responseElements: !failed && !e.readOnly && e.secretId !== undefined ? { arn: e.secretId } : null,
    requestID: e.requestId,
    ...tail,
    ...(e.resources !== undefined && {
      resources: e.resources.map((r) => ({ accountId: world.accountId, type: r.type, ARN: r.name })),
    }),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: world.accountId,
    eventCategory: 'Management',
  };
}

function lookupEvents(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const { world, now } = ctx;

  const attributes = p.list('LookupAttributes') ?? [];
  if (attributes.length > 1) {
    throw new AwsError('InvalidLookupAttributesException', 'You can specify only one lookup attribute per request.');
  }
  let filter: { key: string; value: string } | undefined;
  if (attributes.length === 1) {
    const a = (attributes[0] ?? {}) as Record<string, unknown>;
    const key = a.AttributeKey;
    const value = a.AttributeValue;
    if (typeof key !== 'string' || !ATTRIBUTE_KEYS.includes(key)) {
      throw new AwsError('InvalidLookupAttributesException', `Invalid attribute key: ${String(key)}. Valid keys: ${ATTRIBUTE_KEYS.join(', ')}.`);
    }
    if (typeof value !== 'string' || value === '') {
      throw new AwsError('InvalidLookupAttributesException', `Lookup attribute ${key} requires a value.`);
    }
    if (key === 'ReadOnly' && value !== 'true' && value !== 'false') {
      throw new AwsError('InvalidLookupAttributesException', 'The value of the ReadOnly attribute must be true or false.');
    }
    filter = { key, value };
  }
  const max = p.int('MaxResults') ?? 50;
  if (max < 1 || max > 50) throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
  const category = p.str('EventCategory');
  if (category !== undefined && category !== 'insight') {
    throw new AwsError('InvalidEventCategoryException', `Invalid event category: ${category}.`);
  }
  const start = p.date('StartTime') ?? new Date(now.getTime() - RETENTION_MS);
  const end = p.date('EndTime') ?? now;
  if (start > end) throw new AwsError('InvalidTimeRangeException', 'Start time must be earlier than end time.');

  const oldest = now.getTime() - RETENTION_MS;
  const rows = (category === 'insight' ? [] : world.cloudtrail.events)
    .map((e, index) => ({ e, index, identity: identityOf(world, e), resources: resourcesOf(e) }))
    .filter(({ e, identity, resources }) => {
      const t = e.time.getTime();
      if (t < oldest || t < start.getTime() || t > end.getTime()) return false;
      if (!filter) return true;
      switch (filter.key) {
        case 'EventId':
          return e.eventId === filter.value;
        case 'EventName':
          return e.eventName === filter.value;
        case 'EventSource':
          return e.eventSource === filter.value;
        case 'ReadOnly':
          return String(e.readOnly) === filter.value;
        case 'Username':
          return identity.username === filter.value;
        case 'AccessKeyId':
          return identity.accessKeyId === filter.value;
        case 'ResourceName':
          return resources.some((r) => r.ResourceName === filter.value);
        default:
          return resources.some((r) => r.ResourceType === filter.value);
      }
    })
    .sort((a, b) => b.e.time.getTime() - a.e.time.getTime() || b.index - a.index);

  const { NextToken: _t, MaxResults: _m, ...scope } = ctx.params;
  const page = paginate(rows, {
    token: p.str('NextToken'),
    limit: max,
    scope,
    invalidToken: () => new AwsError('InvalidNextTokenException', 'Invalid NextToken.'),
  });
  return {
    Events: page.items.map(({ e, identity, resources }) => ({
      EventId: e.eventId,
      EventName: e.eventName,
      ReadOnly: String(e.readOnly),
      AccessKeyId: identity.accessKeyId,
      EventTime: e.time,
      EventSource: e.eventSource,
      Username: identity.username,
      Resources: resources,
      CloudTrailEvent: JSON.stringify(cloudTrailRecord(world, e)),
    })),
    NextToken: page.next,
  };
}

export const cloudtrail: ServiceModule = {
  signingName: 'cloudtrail',
  protocol,
  operations: { LookupEvents: lookupEvents },
};
