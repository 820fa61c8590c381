// cert-pending's timeline: registration, each certificate's request and ACM's 72-hour deadline.
import type { TimelineEntry } from '../../findings.js';
import { byTime } from '../../time.js';
import type { CertPendingEvidence } from './evidence.js';
import { ACM_TIMEOUT_MS } from './facts.js';

export function timeline(e: CertPendingEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  if (e.registrar?.registered && e.registrar.created)
    entries.push({ time: e.registrar.created.toISOString(), source: 'Route 53 Domains', text: `${e.domain} registered${e.registrar.registrar ? ` (${e.registrar.registrar})` : ''}` });
  if (e.registrar?.registered && e.registrar.updated && e.registrar.updated.getTime() !== e.registrar.created?.getTime())
    entries.push({ time: e.registrar.updated.toISOString(), source: 'Route 53 Domains', text: `${e.domain} registration updated` });
  for (const c of e.certificates) {
    if (c.createdAt) entries.push({ time: c.createdAt.toISOString(), source: 'ACM', text: `certificate for ${c.domain} requested in ${c.region} (${c.status})` });
    if (c.createdAt && c.status === 'PENDING_VALIDATION')
      entries.push({
        time: new Date(c.createdAt.getTime() + ACM_TIMEOUT_MS).toISOString(),
        source: 'ACM',
        text: `ACM stops waiting for ${c.domain}’s validation CNAME (72 h after the request): VALIDATION_TIMED_OUT`,
      });
  }
  return entries.sort(byTime);
}
