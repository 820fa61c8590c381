// CloudTrail read, no denial for this target, and nothing critical: said with CloudTrail's lag.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { allClear, relevantDenials } from '../facts.js';

export default rule({
  id: 'no-kms-denials',
  severity: 'info',
  summary: 'CloudTrail shows no denied KMS call for the target in the window (when kms-access-healthy does not already say so)',
  needs: ['kms-denials'],
  remediations: [],
  apply(e, { findingsSoFar }) {
    if (!e.trailRead || relevantDenials(e).length > 0 || findingsSoFar.some((f) => f.severity === 'critical')) return undefined;
    // kms-access-healthy says the same, and what else was checked.
    if (allClear(e, findingsSoFar)) return undefined;
    const t = e.target;
    return {
      data: { target: t.kind, hours: e.input.hours },
      title: `CloudTrail shows no denied KMS call${t.kind === 'key' ? ' on this key' : t.kind === 'principal' ? ' by this principal' : ''} in the last ${e.input.hours} h`,
      detail: rich(para('CloudTrail delivers events about 5 minutes (up to 15) after they happen: a denial in the last minutes may not show yet.')),
      evidence: [],
    };
  },
});
