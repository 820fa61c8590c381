// The verdict from the rules' structured results: the cause of the failed build when a rule
// found one, the healthy line when the latest build succeeded, else what was and was not seen.
import type { RuleResults, VerdictDraft } from '../define.js';
import type { BuildFailedEvidence } from './evidence.js';
import { latestFailure } from './facts.js';
import type { rules } from './rules/index.js';

type Results = RuleResults<typeof rules>;

export function verdict(e: BuildFailedEvidence, results: Results): VerdictDraft {
  const subject = e.project?.name ?? e.input.target;
  if (e.projectMissing) return { severity: 'warning', subject, summary: `There is no CodeBuild project named ${subject} in ${e.input.region}.` };
  const top = results.top;
  if (top && (top.severity === 'critical' || top.severity === 'warning')) {
    const others = results.findings.filter((f) => f !== top && (f.severity === 'critical' || f.severity === 'warning')).length;
    return {
      severity: top.severity,
      cause: top.id,
      subject,
      summary: `Likely cause: ${top.title}.${others > 0 ? ` ${others} more finding${others === 1 ? '' : 's'} in the thread.` : ''}`,
    };
  }
  const healthy = results.outcome('build-healthy').hits[0];
  if (healthy) return { severity: 'ok', subject, summary: `${healthy.finding.title}.` };
  if (top) return { severity: 'info', subject, summary: `${top.title}.` };
  const f = latestFailure(e);
  if (f) return { severity: 'warning', subject, summary: `The latest build failed in ${f.phase.type}, and its cause is not in what whybot could see.` };
  if (results.failedChecks.length === 0 && e.builds.length === 0) return { severity: 'info', subject, summary: `${subject} has no builds yet.` };
  return { severity: 'info', subject, summary: results.failedChecks.length > 0 ? 'No cause found in what whybot could see.' : 'No finished build to diagnose yet.' };
}
