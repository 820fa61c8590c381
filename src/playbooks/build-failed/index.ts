// /why-build-failed — incident 000, a CodeBuild project in a VPC whose builds failed in
// DOWNLOAD_SOURCE with "x509: certificate signed by unknown authority" while resolving Secrets
// Manager environment variables: the slim image lacked the CA bundle (and installing
// certificates in the buildspec could not help: that runs later), and the endpoint's security
// group did not admit the VPC. A person reads the failed build's phases, the image, the
// buildspec and the endpoint's security group: so does this playbook.
import { definePlaybook } from '../define.js';
import type { Playbook } from '../types.js';
import { CHECKS, gather } from './evidence.js';
import meta from './meta.js';
import { rules } from './rules/index.js';
import { timeline } from './timeline.js';
import { verdict } from './verdict.js';

export { CHECKS as BUILD_FAILED_CHECKS, type BuildFailedEvidence } from './evidence.js';

export const buildFailed: Playbook = definePlaybook({
  meta,
  checks: CHECKS,
  // BatchGetProjects → DescribeSubnets → DescribeVpcEndpoints → DescribeSecurityGroups (the
  // endpoint's); the builds (ListBuildsForProject → BatchGetBuilds) run beside it.
  criticalPathCalls: 4,
  gather,
  rules,
  verdict,
  timeline,
});
export default buildFailed;
