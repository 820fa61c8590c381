// Evidence lines and phrases several of rotation-failed's rules share. Log text reaching
// here was redacted when it was read (aws/logs.ts) and again by the parser.
import type { RotationInvocation } from '../../aws/rotation-log.js';
import type { Evidence as EvidenceLine, RemediationRef } from '../../findings.js';
import type { RotationFailedEvidence } from './evidence.js';
import { functionNameOf } from './facts.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** "createSecret → setSecret, 30.0 s, timed out" */
export function invocationSummary(i: RotationInvocation): string {
  const steps = i.steps.length > 0 ? i.steps.join(' → ') : 'no step logged';
  const ran = i.durationMs !== undefined ? `, ran ${seconds(i.durationMs)}` : '';
  return `${steps}${ran}${i.timedOut ? ', timed out' : ''}`;
}

/** One evidence line per invocation: what it did, how long, its last line. */
export function invocationEvidence(i: RotationInvocation): EvidenceLine {
  const last = i.error ?? i.lastLine;
  return {
    source: 'CloudWatch Logs',
    time: i.startedAt.toISOString(),
    text: `invocation ${i.requestId.slice(0, 8)}: ${invocationSummary(i)}${last ? `; last line: ${last}` : ''}`,
  };
}

export const functionEvidence = (e: RotationFailedEvidence): EvidenceLine[] =>
  e.fn
    ? [
        {
          source: 'Lambda',
          text: `${e.fn.name}: timeout ${e.fn.timeoutSeconds ?? '?'} s, ${e.fn.runtime ?? 'runtime ?'}${e.fn.vpc ? `, in ${e.fn.vpc.vpcId ?? 'a VPC'} (subnets ${e.fn.vpc.subnetIds.join(', ')}; groups ${e.fn.vpc.securityGroupIds.join(', ')})` : ', not in a VPC'}`,
        },
      ]
    : [];

/** The button to retry the rotation once the cause is fixed. */
export function rotateNow(e: RotationFailedEvidence): RemediationRef[] {
  if (!e.secret) return [];
  return [{ id: 'rotate-now', label: 'Retry the rotation now (after the fix)', params: { secretId: e.secret.arn, region: e.input.region } }];
}

export const fnName = (e: RotationFailedEvidence): string => functionNameOf(e) ?? 'the rotation function';
