// /why-db-down — incident 003: "the app lost its database two weeks after launch".
// The person who solved it looked at, in order: the RDS events ("Reset master
// credentials"), CloudTrail's Secrets Manager events (RotationStarted → … →
// RotationSucceeded), the secret's rotation rules (7 days, RDS default), and realised the
// ECS tasks had resolved the password once, at start, before the rotation.
import { definePlaybook } from '../define.js';
import type { Playbook } from '../types.js';
import { CHECKS, dbCandidates, dbLookup, gather } from './evidence.js';
import meta from './meta.js';
import { rules } from './rules/index.js';
import { timeline } from './timeline.js';
import { verdict } from './verdict.js';

export { CHECKS as DB_DOWN_CHECKS, type DbDownEvidence } from './evidence.js';
export { lastPasswordChange } from './facts.js';

export const dbDown: Playbook = definePlaybook({
  meta,
  candidates: dbCandidates,
  lookup: dbLookup,
  checks: CHECKS,
  // ListClusters → ListServices → DescribeServices → DescribeTaskDefinition → ListTasks →
  // DescribeTasks; the RDS, Secrets Manager and CloudTrail calls run beside that chain.
  criticalPathCalls: 6,
  gather,
  rules,
  verdict,
  timeline,
});
export default dbDown;
