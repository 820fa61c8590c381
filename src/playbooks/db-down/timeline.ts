// db-down's timeline: RDS events, the rotation's CloudTrail chain, the consumers' task starts
// and the next scheduled rotation, in one order.
import type { TimelineEntry } from '../../findings.js';
import { byTime } from '../../time.js';
import type { DbDownEvidence } from './evidence.js';

export function timeline(e: DbDownEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const r of e.rdsEvents ?? []) entries.push({ time: r.time.toISOString(), source: 'RDS', text: r.message });
  for (const r of e.rotation ?? [])
    entries.push({ time: r.time.toISOString(), source: 'CloudTrail', text: `${r.name}${r.actor ? ` (${r.actor})` : ''}${r.errorCode ? `: ${r.errorCode}` : ''}` });
  if (e.secret?.lastRotated && !e.rotation?.some((r) => r.name === 'RotationSucceeded' && r.time.getTime() === e.secret!.lastRotated!.getTime()))
    entries.push({ time: e.secret.lastRotated.toISOString(), source: 'Secrets Manager', text: `secret ${e.secret.name} last rotated` });
  for (const c of e.consumers ?? [])
    for (const t of e.tasks?.get(c.service.arn) ?? [])
      if (t.startedAt) entries.push({ time: t.startedAt.toISOString(), source: 'ECS', text: `task ${t.id} of ${c.service.name} started` });
  if (e.secret?.nextRotation) entries.push({ time: e.secret.nextRotation.toISOString(), source: 'Secrets Manager', text: 'next scheduled rotation' });
  return entries.sort(byTime);
}
