// decrypt-denied's timeline: each denial the target is about, and the stack's failures and rollbacks.
import type { TimelineEntry } from '../../findings.js';
import { byTime } from '../../time.js';
import type { DecryptDeniedEvidence } from './evidence.js';
import { keyLabel, relevantDenials, roleNameOf } from './facts.js';

export function timeline(e: DecryptDeniedEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const d of relevantDenials(e))
    entries.push({ time: d.time.toISOString(), source: d.source, text: `${roleNameOf(d.principalArn)}: ${d.action} on ${keyLabel(e, d.keyArn)} denied` });
  for (const ev of e.stackEvents ?? [])
    if (/_FAILED$|ROLLBACK|User Initiated/.test(`${ev.status} ${ev.reason ?? ''}`) || ev.type === 'AWS::CloudFormation::Stack')
      entries.push({ time: ev.time.toISOString(), source: 'CloudFormation', text: `${ev.logicalId} ${ev.status}${ev.reason ? `: ${ev.reason.slice(0, 160)}` : ''}` });
  return entries.sort(byTime);
}
