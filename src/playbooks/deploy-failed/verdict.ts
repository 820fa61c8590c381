// The verdict from the rules' structured results: the first failure (with decrypt-denied's
// word on a KMS denial) and the leftovers with their cost; else the most severe finding.
import { formatUtc } from '../../time.js';
import type { RuleResults, VerdictDraft } from '../define.js';
import type { DeployFailedEvidence } from './evidence.js';
import type { rules } from './rules/index.js';

export function verdict(e: DeployFailedEvidence, results: RuleResults<typeof rules>): VerdictDraft {
  const root = results.outcome('deploy-root-cause').hits[0];
  const left = results.outcome('leftover-resources').hits[0];
  const parts: string[] = [];
  if (root?.data.kind === 'first-failure') {
    const d = root.data;
    let s = `Likely cause: ${d.logicalId} (${d.type}) failed first at ${formatUtc(d.time)}: ${d.reason}`;
    if (d.kms && d.decrypt) s += ` — decrypt-denied: ${d.decrypt.summary}`;
    else if (d.kms) s += ' — a KMS denial (see /why-decrypt-denied)';
    parts.push(s.endsWith('.') ? s : `${s}.`);
  } else if (root) parts.push(`${root.finding.title}.`);
  if (left) parts.push(`${left.finding.title}.`);
  if (root || left) {
    const counts: Record<string, number> = {};
    if (root?.data.kind === 'first-failure') counts.cascades = root.data.cascades;
    if (left) {
      counts.leftovers = left.data.resources;
      if (left.data.monthlyUsd !== undefined) counts.leftoverMonthlyUsd = left.data.monthlyUsd;
    }
    return {
      severity: (root ?? left)!.finding.severity,
      cause: root ? 'deploy-root-cause' : 'leftover-resources',
      subject: root?.data.kind === 'first-failure' ? root.data.logicalId : (root ?? left)!.data.stack,
      counts,
      summary: parts.join(' '),
    };
  }
  const top = results.top;
  const stack = e.stack?.name ?? e.input.target;
  // the all-clear: nothing caused anything, so no cause and no subject
  if (top && top.severity === 'ok') return { severity: 'ok', summary: `${top.title}.` };
  if (top && top.severity !== 'info') return { severity: top.severity, cause: top.id, subject: stack, summary: `${top.title}.` };
  if (results.failedChecks.length > 0) return { severity: 'info', summary: 'No cause found in what whybot could see.' };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No failed deploy and no leftovers found.' };
}
