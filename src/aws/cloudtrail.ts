import { paginateLookupEvents, type LookupAttributeKey, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import * as z from 'zod';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

const cloudtrailClient = (aws: AwsClients) => withAbort(aws.client('cloudtrail', (config) => new CloudTrailClient(config)));

export const CLOUDTRAIL_IAM = {
  lookupEvents: iam('cloudtrail:LookupEvents'),
} as const;

export interface TrailEvent {
  id: string;
  name: string;
  source: string;
  time: Date;
  type?: string;
  /** who made the call: user name, role session, or the AWS service for service events */
  actor?: string;
  /** secret ARNs or names this event is about, wherever the record puts them */
  secretIds: string[];
  errorCode?: string;
  errorMessage?: string;
  /** the CloudTrail record itself (the same shape as an EventBridge event's detail) */
  record?: Record<string, unknown>;
}

// The CloudTrailEvent string is AWS's record; only the fields we read are typed, the rest pass.
const RecordSchema = z.looseObject({
  eventType: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  userIdentity: z
    .looseObject({ arn: z.string().optional(), invokedBy: z.string().optional(), type: z.string().optional() })
    .optional(),
  requestParameters: z.looseObject({ secretId: z.string().optional() }).nullable().optional(),
  additionalEventData: z.looseObject({ SecretId: z.string().optional() }).nullable().optional(),
  serviceEventDetails: z.looseObject({ secretId: z.string().optional() }).nullable().optional(),
});

function parseRecord(raw: string | undefined): z.infer<typeof RecordSchema> | undefined {
  if (!raw) return undefined;
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface LookupQuery {
  attribute: { key: LookupAttributeKey; value: string };
  since: Date;
  until: Date;
  /** stop after this many pages of 50 (LookupEvents is limited to 2 calls/s) */
  maxPages: number;
}

export async function lookupEvents(
  aws: AwsClients,
  q: LookupQuery,
): Promise<{ events: TrailEvent[]; truncated: boolean }> {
  const client = cloudtrailClient(aws);
  return awsCall(CLOUDTRAIL_IAM.lookupEvents, async () => {
    const events: TrailEvent[] = [];
    let pages = 0;
    const paginator = paginateLookupEvents(
      { client, pageSize: 50 },
      {
        LookupAttributes: [{ AttributeKey: q.attribute.key, AttributeValue: q.attribute.value }],
        StartTime: q.since,
        EndTime: q.until,
      },
    );
    for await (const page of paginator) {
      pages++;
      for (const e of page.Events ?? []) {
        const record = parseRecord(e.CloudTrailEvent);
        const secretIds = [
          record?.additionalEventData?.SecretId,
          record?.serviceEventDetails?.secretId,
          record?.requestParameters?.secretId,
          ...(e.Resources ?? []).filter((r) => r.ResourceType === 'AWS::SecretsManager::Secret').map((r) => r.ResourceName),
        ].filter((v): v is string => typeof v === 'string' && v.length > 0);
        events.push({
          id: e.EventId ?? '',
          name: e.EventName ?? '?',
          source: e.EventSource ?? '?',
          time: e.EventTime ?? new Date(0),
          type: record?.eventType,
          actor: e.Username ?? record?.userIdentity?.invokedBy ?? record?.userIdentity?.arn,
          secretIds: [...new Set(secretIds)],
          errorCode: record?.errorCode,
          errorMessage: record?.errorMessage,
          ...(record ? { record } : {}),
        });
      }
      if (pages >= q.maxPages && page.NextToken) return { events, truncated: true };
    }
    return { events, truncated: false };
  });
}
