// KMS denials as decrypt-denied reads them: from CloudTrail records, or quoted in a
// CloudFormation failure reason (a custom resource relays its error); grouped by principal
// and key, the unit a finding and a key-policy grant are about.
import type { StackEvent } from '../../aws/cloudformation.js';
import type { TrailEvent } from '../../aws/cloudtrail.js';
import { roleArnOf } from '../../key-policy.js';

export type DenialReason = 'key-policy' | 'identity-policy' | 'explicit-deny-key-policy' | 'explicit-deny-identity-policy' | 'unknown';

export interface Denial {
  time: Date;
  /** kms:Decrypt */
  action: string;
  /** the caller as recorded (an assumed-role session ARN, a user ARN) */
  principal: string;
  /** the IAM role or user behind it (what a policy names) */
  principalArn: string;
  keyArn?: string;
  reason: DenialReason;
  /** e.g. s3.ap-northeast-1.amazonaws.com when the call came through S3 */
  viaService?: string;
  /** s3 object, SSM parameter… from the encryption context */
  context?: string;
  source: 'CloudTrail' | 'CloudFormation';
  message?: string;
}

const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException']);

/** A failure reason that is about KMS (a denial, a disabled key…). */
export const KMS_FAILURE = /kms[:\s]*(decrypt|generatedatakey|encrypt)|KMS\.|kms\.amazonaws\.com|AccessDeniedException.*KMS/i;

export function denialReason(message: string | undefined): DenialReason {
  if (!message) return 'unknown';
  if (/explicit deny in a resource-based policy/i.test(message)) return 'explicit-deny-key-policy';
  if (/explicit deny in an? identity-based policy/i.test(message)) return 'explicit-deny-identity-policy';
  if (/no resource-based policy allows/i.test(message)) return 'key-policy';
  if (/no identity-based policy allows/i.test(message)) return 'identity-policy';
  return 'unknown';
}

const DENIAL_MESSAGE = /User: (arn:\S+) is not authorized to perform: (kms:\w+) on (?:resource: )?(arn:aws[\w-]*:kms:[^\s,;)]+)?/i;

function viaServiceOf(record: Record<string, unknown> | undefined, region: string): { viaService?: string; context?: string } {
  const params = record?.requestParameters as Record<string, unknown> | null | undefined;
  const ctx = (params?.encryptionContext ?? undefined) as Record<string, unknown> | undefined;
  if (ctx?.['aws:s3:arn']) return { viaService: `s3.${region}.amazonaws.com`, context: String(ctx['aws:s3:arn']) };
  if (ctx?.PARAMETER_ARN) return { viaService: `ssm.${region}.amazonaws.com`, context: String(ctx.PARAMETER_ARN) };
  if (ctx?.SecretARN) return { viaService: `secretsmanager.${region}.amazonaws.com`, context: String(ctx.SecretARN) };
  const identity = record?.userIdentity as Record<string, unknown> | undefined;
  const via = [identity?.invokedBy, record?.sourceIPAddress].find((v): v is string => typeof v === 'string' && /^[a-z0-9-]+\.amazonaws\.com$/.test(v));
  return via ? { viaService: via.replace(/\.amazonaws\.com$/, `.${region}.amazonaws.com`) } : {};
}

export function denialFromTrail(e: TrailEvent, region: string): Denial | undefined {
  if (!e.errorCode || !DENIED_CODES.has(e.errorCode)) return undefined;
  const record = e.record;
  const identity = record?.userIdentity as Record<string, unknown> | undefined;
  const parsed = DENIAL_MESSAGE.exec(e.errorMessage ?? '');
  const principal = (typeof identity?.arn === 'string' ? identity.arn : undefined) ?? parsed?.[1] ?? e.actor ?? '?';
  const resources = Array.isArray(record?.resources) ? (record.resources as Array<Record<string, unknown>>) : [];
  const fromResources = resources.find((r) => r.type === 'AWS::KMS::Key' && typeof r.ARN === 'string')?.ARN as string | undefined;
  const params = record?.requestParameters as Record<string, unknown> | null | undefined;
  const keyId = typeof params?.keyId === 'string' ? params.keyId : undefined;
  const keyArn = fromResources ?? parsed?.[3] ?? keyId;
  return {
    time: e.time,
    action: `kms:${e.name}`,
    principal,
    principalArn: roleArnOf(principal),
    ...(keyArn ? { keyArn } : {}),
    reason: denialReason(e.errorMessage),
    ...viaServiceOf(record, region),
    source: 'CloudTrail',
    ...(e.errorMessage ? { message: e.errorMessage } : {}),
  };
}

/** Denials quoted in CloudFormation's failure reasons (a custom resource relays its error). */
export function denialFromStackEvent(ev: StackEvent, region: string): Denial | undefined {
  if (!/_FAILED$/.test(ev.status) || !ev.reason) return undefined;
  const m = DENIAL_MESSAGE.exec(ev.reason);
  if (!m) return undefined;
  const ssmName = ssmParameterOf(ev);
  return {
    time: ev.time,
    action: m[2]!.replace(/^kms:/i, 'kms:'),
    principal: m[1]!,
    principalArn: roleArnOf(m[1]!),
    ...(m[3] ? { keyArn: m[3] } : {}),
    reason: denialReason(ev.reason),
    ...(ssmName ? { viaService: `ssm.${region}.amazonaws.com`, context: ssmName } : {}),
    source: 'CloudFormation',
    message: ev.reason,
  };
}

/** The SSM parameter an AwsCustomResource (or any resource) reads, from its properties. */
export function ssmParameterOf(ev: Pick<StackEvent, 'properties'>): string | undefined {
  if (!ev.properties) return undefined;
  const m = /"Name"\s*:\s*"(\/?[A-Za-z0-9_.\-/]+)"/.exec(ev.properties.replace(/\\"/g, '"'));
  return m?.[1];
}

export interface DenialGroup {
  principal: string;
  principalArn: string;
  keyArn?: string;
  actions: string[];
  reasons: DenialReason[];
  viaServices: string[];
  contexts: string[];
  denials: Denial[];
}

export const groupKey = (g: Pick<DenialGroup, 'principalArn' | 'keyArn'>) => `${g.principalArn}|${g.keyArn ?? '?'}`;

/** Denials by principal and key, the most frequent first; each group's denials oldest first. */
export function groupDenials(denials: Denial[]): DenialGroup[] {
  const groups = new Map<string, DenialGroup>();
  for (const d of [...denials].sort((a, b) => a.time.getTime() - b.time.getTime())) {
    const k = groupKey(d);
    const g = groups.get(k) ?? { principal: d.principal, principalArn: d.principalArn, ...(d.keyArn ? { keyArn: d.keyArn } : {}), actions: [], reasons: [], viaServices: [], contexts: [], denials: [] };
    const add = <T>(list: T[], v: T | undefined) => v !== undefined && !list.includes(v) && list.push(v);
    add(g.actions, d.action);
    add(g.reasons, d.reason);
    add(g.viaServices, d.viaService);
    add(g.contexts, d.context);
    g.denials.push(d);
    groups.set(k, g);
  }
  return [...groups.values()].sort((a, b) => b.denials.length - a.denials.length);
}
