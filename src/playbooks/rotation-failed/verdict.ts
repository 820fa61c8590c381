// The verdict from the rules' structured results: the cause of the failed rotation when a
// rule found one, the healthy line when rotation works, else what was and was not seen.
import type { RuleResults, VerdictDraft } from '../define.js';
import { decide } from './cause-finding.js';
import { unreachableCauses } from './causes.js';
import type { RotationFailedEvidence } from './evidence.js';
import type { rules } from './rules/index.js';

type Results = RuleResults<typeof rules>;

export function verdict(e: RotationFailedEvidence, results: Results): VerdictDraft {
  const secret = e.secret?.name ?? e.input.target;
  const healthy = results.outcome('rotation-healthy').hits[0];
  if (healthy) return { severity: 'ok', subject: secret, summary: `${healthy.finding.title}.` };
  const top = results.top;
  if (top && (top.severity === 'critical' || top.severity === 'warning')) {
    const others = results.findings.filter((f) => f !== top && (f.severity === 'critical' || f.severity === 'warning')).length;
    return {
      severity: top.severity,
      cause: top.id,
      subject: secret,
      // a warning (managed rotation, not invoked, secret not found) is what was seen, not a cause
      summary: `${top.severity === 'critical' ? 'Likely cause: ' : ''}${top.title}.${others > 0 ? ` ${others} more finding${others === 1 ? '' : 's'} in the thread.` : ''}`,
    };
  }
  if (top) return { severity: 'info', subject: secret, summary: `${top.title}.` };
  if (e.secret && !e.secret.rotationEnabled) return { severity: 'info', subject: secret, summary: `Rotation is not turned on for ${secret}.` };
  if (e.secret?.pendingVersion) {
    // the log could not be read: still say what the network shows (incident 002's first question)
    const seen = results.failedChecks.some((c) => c.id === 'logs') && e.network ? decide(unreachableCauses(e)).decided : undefined;
    return {
      severity: 'warning',
      subject: secret,
      summary: seen
        ? `The last rotation of ${secret} did not finish (a version is left AWSPENDING). Its log could not be read, but the network shows a likely cause: ${seen.text}.`
        : `The last rotation of ${secret} did not finish (a version is left AWSPENDING), and its cause is not in what whybot could see.`,
    };
  }
  return { severity: 'info', subject: secret, summary: results.failedChecks.length > 0 ? 'No cause found in what whybot could see.' : 'No cause found in the evidence checked.' };
}
