// /why-deploy-failed — incident 001 §4: a first CDK deploy failed (the root failure was a
// KMS decrypt denial) and its rollback left Elastic IPs, NAT gateways, a cache cluster and a
// failed DB cluster behind, which broke the next deploy until they were cleaned by hand.
// The person who solved it read the stack events for the FIRST failure (everything after it
// is a cascade: "Resource creation cancelled"), then hunted the leftovers in each console.
// Checks gather that evidence; rules turn it into the root cause (a KMS denial handed to the
// decrypt-denied playbook) and the leftovers, with what they cost.
import type { AwsClients } from '../../aws/clients.js';
import { describeStack, listStacks } from '../../aws/cloudformation.js';
import { formatDuration } from '../../time.js';
import { definePlaybook } from '../define.js';
import type { Candidate, Playbook, TargetLookup } from '../types.js';
import { CHECKS, FAILED_STACK_STATUSES, gather } from './evidence.js';
import meta from './meta.js';
import { rules } from './rules/index.js';
import { timeline } from './timeline.js';
import { verdict } from './verdict.js';

export { decryptTarget } from './decrypt-link.js';
export { kmsDenialIn, latestAttempt, rootCause, type KmsDenial, type RootCause } from './events.js';
export { FAILED_STACK_STATUSES, type DeployFailedEvidence } from './evidence.js';
export { leftovers, type Leftover } from './leftovers.js';
export { shortReason } from './wording.js';

/** Stacks whose last deploy failed: what `/why-deploy-failed` offers without a target. */
export async function failedStackCandidates(aws: AwsClients): Promise<Candidate[]> {
  const stacks = await listStacks(aws, FAILED_STACK_STATUSES);
  const now = Date.now();
  return stacks.map((s) => ({
    id: s.name,
    description: `${s.status}${s.creationTime ? `, created ${formatDuration(now - s.creationTime.getTime())} ago` : ''}`,
  }));
}

/** The stack by name, failed or not, for the search across accounts. */
export const stackLookup: TargetLookup = {
  async find(aws, target) {
    const s = await describeStack(aws, target);
    return s && { id: s.name, description: s.status };
  },
};

const deployFailed: Playbook = definePlaybook({
  meta,
  checks: CHECKS,
  // DescribeStacks → DescribeStackEvents (→ a nested stack's events) → decrypt-denied's own
  // chain (~3); the EC2, ElastiCache (→ ListTagsForResource) and RDS calls run beside it.
  criticalPathCalls: 6,
  gather,
  rules,
  verdict,
  timeline,
  candidates: failedStackCandidates,
  lookup: stackLookup,
  // no stack in a failed state is an answer, not a question
  nothingFound: {
    target: 'every stack',
    check: { id: 'find-failed-stacks', title: 'CloudFormation stacks in a failed state (to pick what to investigate)' },
    summary: () => 'No stack is in a failed state (CREATE_FAILED, ROLLBACK_COMPLETE, UPDATE_ROLLBACK_FAILED …): nothing failed to deploy here.',
  },
});
export default deployFailed;
