// build-failed's timeline: each of the latest builds with its outcome, and its failed phase.
import type { TimelineEntry } from '../../findings.js';
import { byTime } from '../../time.js';
import type { BuildFailedEvidence } from './evidence.js';
import { buildName, firstFailedPhase, firstLine, messageOf } from './facts.js';

export function timeline(e: BuildFailedEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const b of e.builds) {
    if (b.start) entries.push({ time: b.start.toISOString(), source: 'CodeBuild', text: `${buildName(b)} started (image ${b.environment.image ?? '?'})` });
    const p = firstFailedPhase(b);
    const at = p?.end ?? b.end;
    if (at) entries.push({ time: at.toISOString(), source: 'CodeBuild', text: `${buildName(b)} ${b.status ?? ''}${p ? ` in ${p.type}${messageOf(p) ? `: ${firstLine(messageOf(p))}` : ''}` : ''}` });
  }
  return entries.sort(byTime);
}
