// The verdict from the rules' structured results: the orphan-zone story of incident 001 when
// its rule fired, the healthy line when the DNS is right, else the most severe finding.
import type { RuleResults, VerdictDraft } from '../define.js';
import type { CertPendingEvidence } from './evidence.js';
import { delegation, pendingValidations, publicZones } from './facts.js';
import type { rules } from './rules/index.js';

export function verdict(e: CertPendingEvidence, results: RuleResults<typeof rules>): VerdictDraft {
  const orphaned = results.data('validation-record-in-orphan-zone');
  const { delegated } = delegation(e);
  if (orphaned.length > 0 && delegated) {
    const orphanIds = [...new Set(orphaned.flatMap((o) => o.orphanZoneIds))];
    const certificates = new Set(pendingValidations(e).map((p) => p.certificate.arn)).size;
    const zones = publicZones(e).length;
    const one = orphaned.length === 1;
    return {
      severity: 'critical',
      cause: 'validation-record-in-orphan-zone',
      subject: delegated.id,
      counts: { publicZones: zones, recordsInOrphanZones: orphaned.length, certificatesPending: certificates },
      summary:
        `Likely cause: ${e.domain} has ${zones} public hosted zones and ACM’s validation CNAME${one ? ' is' : 's are'} in ${orphanIds.join(', ')}, ` +
        `which the registrar does not point at; the delegated zone ${delegated.id} lacks ${one ? 'it' : 'them'}, so ${certificates} certificate${certificates === 1 ? '' : 's'} stay${certificates === 1 ? 's' : ''} PENDING_VALIDATION.`,
    };
  }
  const healthy = results.outcome('cert-dns-healthy').hits[0];
  if (healthy) {
    const notes = results.findings.filter((f) => f.severity === 'info').map((f) => f.title);
    return {
      severity: 'ok',
      subject: healthy.data.zoneId,
      counts: { validationsWaiting: healthy.data.waiting },
      summary: `${healthy.finding.title}.${notes.length ? ` Note: ${notes.join('; ')}.` : ''}`,
    };
  }
  const top = results.top;
  if (top && top.severity !== 'info' && top.severity !== 'ok') return { severity: top.severity, cause: top.id, summary: `${top.title}.` };
  if (results.failedChecks.length > 0)
    return { severity: 'info', summary: `No cause found in what whybot could see.${top ? ` ${top.title}.` : ''}` };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No cause found in the evidence checked.' };
}
