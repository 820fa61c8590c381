// Reading a stack's events as the person in incident 001 §4 did: the latest deploy attempt,
// its FIRST real failure (everything after it that only says "cancelled" is a cascade), and
// whether that failure is a KMS denial. Pure: what AWS was asked is in evidence.ts.
import type { StackEvent } from '../../aws/cloudformation.js';
import { redactText } from '../../redact/index.js';

export const STACK_TYPE = 'AWS::CloudFormation::Stack';
/** DescribeStackEvents reads at most this many events per stack (newest first). */
export const MAX_EVENTS = 1000;

/** Reasons that only say "because something else failed". */
const CASCADE =
  /resource (creation|update|deletion) cancelled|the following resource\(s\) failed to (create|update|delete)|embedded stack .* was not successfully|rollback requested by user|cancelled|canceled/i;
const KMS_DENIAL =
  /\bkms:[A-Za-z*]+\b[\s\S]*(not authorized|not permitted|denied)|(not authorized|not permitted|denied)[\s\S]*\bkms:[A-Za-z*]+|KMS\.?AccessDenied|KMSAccessDeniedException|kms\.amazonaws\.com[\s\S]*AccessDenied|KMS[: ]+Decrypt is not permitted/i;
const KEY_ARN = /arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+/;
const PRINCIPAL_ARN = /arn:aws[\w-]*:(?:sts|iam)::\d{12}:[A-Za-z-]+\/[^\s,;"']+/;
const KMS_ACTION = /\bkms:[A-Za-z*]+/i;

/** What a failure reason says about a KMS denial: the action, the key and the principal it names. */
export interface KmsDenial {
  action?: string;
  keyArn?: string;
  principalArn?: string;
}

export interface RootCause {
  /** the stack whose event it is (a nested stack's name when the failure started there) */
  stackName: string;
  event: StackEvent;
  /** the later *_FAILED events of the same attempt that only follow from it */
  cascades: StackEvent[];
  kms?: KmsDenial;
}

export const isFailed = (e: StackEvent): boolean => e.status.endsWith('_FAILED');
export const isStackEvent = (e: StackEvent, names: readonly string[]): boolean => e.type === STACK_TYPE && names.includes(e.logicalId);

/** The events of the latest deploy attempt: from the stack's last CREATE/UPDATE/IMPORT_IN_PROGRESS. */
export function latestAttempt(events: readonly StackEvent[], stackName: string): StackEvent[] {
  let start = -1;
  events.forEach((e, i) => {
    if (e.type === STACK_TYPE && e.logicalId === stackName && /^(CREATE|UPDATE|IMPORT)_IN_PROGRESS$/.test(e.status)) start = i;
  });
  return start === -1 ? [...events] : events.slice(start);
}

/** Where the attempt started rolling back (the stack's first *ROLLBACK_IN_PROGRESS), or the end. */
export function rollbackIndex(attempt: readonly StackEvent[], stackName: string): number {
  const i = attempt.findIndex((e) => e.type === STACK_TYPE && e.logicalId === stackName && /ROLLBACK_IN_PROGRESS$/.test(e.status));
  return i === -1 ? attempt.length : i;
}

export function kmsDenialIn(reason: string | undefined): KmsDenial | undefined {
  if (!reason || !KMS_DENIAL.test(reason)) return undefined;
  const action = KMS_ACTION.exec(reason)?.[0];
  const keyArn = KEY_ARN.exec(reason)?.[0];
  const principalArn = PRINCIPAL_ARN.exec(reason)?.[0];
  return { ...(action && { action }), ...(keyArn && { keyArn }), ...(principalArn && { principalArn }) };
}

/**
 * The first failure of the attempt and the cascades it caused. Failures that only say
 * "cancelled" or "the following resource(s) failed" are never the root when a real reason
 * exists; a nested stack's failure is followed into that stack's own events by the caller.
 */
export function rootCause(attempt: readonly StackEvent[], stackName: string): RootCause | undefined {
  const forward = attempt.slice(0, rollbackIndex(attempt, stackName));
  const failures = forward.filter((e) => isFailed(e) && !isStackEvent(e, [stackName]));
  // A nested stack's "Embedded stack … was not successfully created" hides its own root: the caller follows it.
  const root = failures.find((e) => !CASCADE.test(e.reason ?? '')) ?? failures.find((e) => e.type === STACK_TYPE && e.physicalId) ?? failures[0];
  if (!root) return undefined;
  const kms = kmsDenialIn(root.reason);
  return {
    stackName,
    event: root,
    cascades: failures.filter((e) => e !== root),
    ...(kms && { kms }),
  };
}

/**
 * Failure reasons quote what a resource said, secrets included ("postgres://admin:…@",
 * "password=…"): redacted as they are read, before any cut could leave half a secret that no
 * pattern recognises (the edges redact again; src/redact).
 */
export function redactReasons<T extends StackEvent[]>(events: T): T {
  for (const ev of events) if (ev.reason) ev.reason = redactText(ev.reason);
  return events;
}

export function redactStackReason<T extends { statusReason?: string } | undefined>(stack: T): T {
  if (stack?.statusReason) stack.statusReason = redactText(stack.statusReason);
  return stack;
}
