// /why-rotation-failed — incident 002, AWS's guide to failed Secrets Manager rotations. A
// person following it reads the rotation function's log first, and from where the log
// stops decides: no route to Secrets Manager (nothing after "Found credentials"), a network
// ACL / timeout / endpoint group or policy / RDS API (nothing after createSecret), a missing
// JSON key, a DB that cannot be reached or refuses the login, or an old function that cannot
// do SCRAM or TLS (the function's stack's creation date).
import { definePlaybook } from '../define.js';
import type { Playbook } from '../types.js';
import { CHECKS, gather, rotatedSecrets, secretLookup } from './evidence.js';
import meta from './meta.js';
import { rules } from './rules/index.js';
import { timeline } from './timeline.js';
import { verdict } from './verdict.js';

export { CHECKS as ROTATION_FAILED_CHECKS, type RotationFailedEvidence } from './evidence.js';

export const rotationFailed: Playbook = definePlaybook({
  meta,
  candidates: rotatedSecrets,
  lookup: secretLookup,
  checks: CHECKS,
  // DescribeSecret → GetFunctionConfiguration → DescribeSubnets → DescribeVpcEndpoints →
  // DescribeSecurityGroups (the endpoint's); the logs, the stack and the DB run beside it.
  criticalPathCalls: 5,
  gather,
  rules,
  verdict,
  timeline,
});
export default rotationFailed;
