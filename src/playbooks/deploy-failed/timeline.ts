// deploy-failed's timeline: the latest attempt's stack and failure events, the rollback's
// failures, and decrypt-denied's own timeline when it ran.
import type { StackEvent } from '../../aws/cloudformation.js';
import type { TimelineEntry } from '../../findings.js';
import { byTime } from '../../time.js';
import { isFailed, isStackEvent } from './events.js';
import type { DeployFailedEvidence } from './evidence.js';
import { eventText } from './wording.js';

export function timeline(e: DeployFailedEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const names = [e.input.target, ...e.stackNames];
  const seen = new Set<StackEvent>();
  const add = (ev: StackEvent) => {
    if (seen.has(ev)) return;
    seen.add(ev);
    entries.push({ time: ev.time.toISOString(), source: 'CloudFormation', text: eventText(ev) });
  };
  for (const ev of e.attempt ?? []) if (isStackEvent(ev, names) || isFailed(ev) || ev.status === 'DELETE_SKIPPED') add(ev);
  if (e.root) add(e.root.event);
  for (const ev of e.rollbackFailures ?? []) add(ev);
  for (const t of e.decrypt?.timeline ?? []) entries.push({ ...t, source: t.source === 'CloudFormation' ? t.source : `${t.source} (decrypt-denied)` });
  const dedup = new Map(entries.map((t) => [`${t.time}|${t.source}|${t.text}`, t]));
  return [...dedup.values()].sort(byTime);
}
