// Secrets Manager rotation events as EventBridge delivers them (AWS-FACTS.md): one schema
// that finds the secret wherever AWS has put it over the years.
import * as z from 'zod';

export const ROTATION_EVENT_NAMES = ['RotationStarted', 'RotationSucceeded', 'RotationFailed', 'RotationAbandoned'] as const;

const SecretRef = z.looseObject({ secretId: z.string().optional(), SecretId: z.string().optional(), arn: z.string().optional(), aRN: z.string().optional() });

/** The WHYBOT_ACCOUNTS alias of the account an event came from (undefined: whybot's own, or one not configured). */
export function accountAliasOf(e: { account: string }, config: { accounts?: Record<string, { alias: string; accountId: string }> }): string | undefined {
  return Object.values(config.accounts ?? {}).find((a) => a.accountId === e.account)?.alias;
}

export const RotationEventSchema = z.looseObject({
  id: z.string(),
  source: z.literal('aws.secretsmanager'),
  'detail-type': z.literal('AWS Service Event via CloudTrail'),
  account: z.string().regex(/^\d{12}$/),
  region: z.string(),
  time: z.iso.datetime(),
  resources: z.array(z.string()).default([]),
  detail: z.looseObject({
    eventName: z.enum(ROTATION_EVENT_NAMES),
    eventTime: z.iso.datetime().optional(),
    requestID: z.string().optional(),
    eventID: z.string().optional(),
    additionalEventData: SecretRef.nullable().optional(),
    serviceEventDetails: SecretRef.nullable().optional(),
    requestParameters: SecretRef.nullable().optional(),
    responseElements: SecretRef.nullable().optional(),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
  }),
});

export interface RotationEvent {
  id: string;
  name: (typeof ROTATION_EVENT_NAMES)[number];
  secretId: string;
  time: string;
  account: string;
  region: string;
  /** EventBridge delivers at least once: this identifies one rotation step */
  dedupeKey: string;
  errorMessage?: string;
}

export type ParsedRotationEvent = { ok: true; event: RotationEvent } | { ok: false; reason: string };

/** The secret's id from wherever it is; the requestID `Rotation-<arn>-<uuid>` as a last resort. */
function secretOf(d: z.infer<typeof RotationEventSchema>['detail'], resources: string[]): string | undefined {
  for (const ref of [d.additionalEventData, d.serviceEventDetails, d.requestParameters, d.responseElements]) {
    const id = ref?.SecretId ?? ref?.secretId ?? ref?.arn ?? ref?.aRN;
    if (id) return id;
  }
  const fromResources = resources.find((r) => r.includes(':secretsmanager:'));
  if (fromResources) return fromResources;
  const m = /^Rotation-(arn:.+:secretsmanager:.+:secret:.+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(d.requestID ?? '');
  return m?.[1];
}

export function parseRotationEvent(raw: unknown): ParsedRotationEvent {
  const parsed = RotationEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ') };
  const e = parsed.data;
  const secretId = secretOf(e.detail, e.resources);
  if (!secretId) return { ok: false, reason: 'no secret id in additionalEventData, serviceEventDetails, requestParameters, resources or requestID' };
  return {
    ok: true,
    event: {
      id: e.id,
      name: e.detail.eventName,
      secretId,
      time: e.detail.eventTime ?? e.time,
      account: e.account,
      region: e.region,
      dedupeKey: `${secretId}|${e.detail.eventName}|${e.detail.requestID ?? e.detail.eventID ?? e.id}`,
      ...(e.detail.errorMessage ? { errorMessage: e.detail.errorMessage } : {}),
    },
  };
}
