// The stack's latest deploy did not fail: the all-clear (or a note beside the other findings).
import { rich } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'stack-not-failed',
  severity: 'ok',
  summary: 'The stack’s latest deploy did not fail (a note when other findings stand)',
  needs: ['stack', 'stack-events'],
  remediations: [],
  apply(e, { findingsSoFar }) {
    if (!e.stack || !e.attempt || findingsSoFar.some((f) => f.id === 'deploy-root-cause') || /FAILED|ROLLBACK_COMPLETE/.test(e.stack.status)) return undefined;
    const since = e.attempt[0]?.time;
    return {
      data: { stack: e.stack.name, status: e.stack.status, ...(since ? { since } : {}) },
      severity: findingsSoFar.length > 0 ? 'info' : 'ok',
      title: `${e.stack.name} is ${e.stack.status}: its last deploy did not fail`,
      detail: rich(
        `Checked the stack’s events of its latest deploy${since ? ` (since ${formatUtc(since)})` : ''} and the Region’s Elastic IPs, NAT gateways, caches and DB clusters for leftovers tied to it.`,
      ),
      evidence: [{ source: 'CloudFormation', text: `stack status ${e.stack.status}` }],
    };
  },
});
