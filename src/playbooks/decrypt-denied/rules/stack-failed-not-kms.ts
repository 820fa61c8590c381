// The stack failed, but its first failure is not about KMS: another playbook's question.
import { para, rich } from '../../../markup.js';
import { KMS_FAILURE } from '../denials.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'stack-failed-not-kms',
  severity: 'info',
  summary: 'The stack failed, but no failure reason mentions KMS (try deploy-failed)',
  needs: ['stack'],
  remediations: [],
  apply(e) {
    if (!e.stack || !e.stackEvents) return undefined;
    const failures = e.stackEvents.filter((ev) => /_FAILED$/.test(ev.status) && ev.reason && !/cancelled/i.test(ev.reason));
    const first = failures[0];
    if (!first || failures.some((ev) => KMS_FAILURE.test(ev.reason ?? ''))) return undefined;
    return {
      data: { stack: e.stack.name, logicalId: first.logicalId, status: first.status, failures: failures.length },
      title: `${e.stack.name} failed, but not on KMS: ${first.logicalId} ${first.status}`,
      detail: rich(para(`The first failure reason does not mention KMS: ${(first.reason ?? '').slice(0, 300)}. Try /why-deploy-failed ${e.stack.name}.`)),
      evidence: [{ source: 'CloudFormation', time: first.time.toISOString(), text: `${first.logicalId}: ${first.reason ?? ''}` }],
    };
  },
});
