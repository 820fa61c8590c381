// /why-decrypt-denied — incident 001 §1 and §2: a first CDK deploy that kept failing on
// "kms:Decrypt is not authorized". §1: the CDK bootstrap bucket was pointed at a hand-made
// customer managed key whose policy names none of the CDK roles. §2: SSM SecureString
// parameters on a customer key that the Aurora custom resource's role may not use.
// evidence.ts gathers CloudTrail's KMS denials, the keys and their policies, the principals'
// identity policies (simulated), the CDKToolkit stack's KMS parameter and the SSM parameters'
// keys; rules/ turns them into findings, verdict.ts into the verdict.
import { definePlaybook } from '../define.js';
import type { Playbook } from '../types.js';
import { candidates, keyLookup, nothingFound } from './candidates.js';
import { CHECKS, gather } from './evidence.js';
import meta from './meta.js';
import { rules } from './rules/index.js';
import { timeline } from './timeline.js';
import { verdict } from './verdict.js';

// The helpers other modules and tests use, from one stable path.
export { parseTarget, type DecryptTarget } from './target.js';
export {
  denialFromStackEvent,
  denialFromTrail,
  denialReason,
  groupDenials,
  KMS_FAILURE,
  ssmParameterOf,
  type Denial,
  type DenialGroup,
  type DenialReason,
} from './denials.js';
export { cdkRoles, keyFacts, keyLabel, relevantDenials, relevantParameters } from './facts.js';
export { CHECKS as DECRYPT_DENIED_CHECKS, MAX_TRAIL_PAGES, type CheckId, type DecryptDeniedEvidence, type KeyFacts } from './evidence.js';

export const decryptDenied: Playbook = definePlaybook({
  meta,
  checks: CHECKS,
  // LookupEvents / DescribeStacks→DescribeStackEvents / DescribeParameters, then DescribeKey,
  // then GetKeyPolicy (SimulatePrincipalPolicy beside it).
  criticalPathCalls: 4,
  gather,
  rules,
  verdict,
  timeline,
  candidates,
  lookup: keyLookup,
  nothingFound,
});
export default decryptDenied;
