// rotation-failed's timeline: when rotation was set up, the function's invocations, the
// last and next rotation, in one order.
import type { TimelineEntry } from '../../findings.js';
import { byTime } from '../../time.js';
import type { RotationFailedEvidence } from './evidence.js';
import { invocationSummary } from './wording.js';

export function timeline(e: RotationFailedEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  if (e.setup?.createdAt) entries.push({ time: e.setup.createdAt.toISOString(), source: 'CloudFormation', text: `rotation function’s stack ${e.setup.stackName ?? ''} created` });
  for (const i of e.logs?.invocations ?? [])
    entries.push({ time: i.startedAt.toISOString(), source: 'CloudWatch Logs', text: `invocation ${i.requestId.slice(0, 8)}: ${invocationSummary(i)}${i.error ? ` — ${i.error}` : ''}` });
  if (e.secret?.lastRotated) entries.push({ time: e.secret.lastRotated.toISOString(), source: 'Secrets Manager', text: `secret ${e.secret.name} last rotated` });
  if (e.secret?.nextRotation) entries.push({ time: e.secret.nextRotation.toISOString(), source: 'Secrets Manager', text: 'next scheduled rotation' });
  return entries.sort(byTime);
}
