// /why-cert-pending — incident 001 §3: "the certificate never validates". The author had
// two public hosted zones named like the domain: one Route 53 Domains created at
// registration (the registrar points at its name servers) and one made by hand. CDK wrote
// ACM's validation CNAME into the hand-made one, which no resolver ever asks, so ACM waited
// forever. The lesson: the real zone is the one whose name servers the registrar publishes.
import { definePlaybook } from '../define.js';
import type { Playbook } from '../types.js';
import { CHECKS, gather, type CertPendingOptions } from './evidence.js';
import meta from './meta.js';
import { rules } from './rules/index.js';
import { timeline } from './timeline.js';
import { verdict } from './verdict.js';

export { publicNsLookup, type CertPendingOptions } from './evidence.js';

export function createCertPending(options: CertPendingOptions = {}): Playbook {
  return definePlaybook({
    meta,
    checks: CHECKS,
    // ListCertificates → DescribeCertificate → ListResourceRecordSets; the zone listing,
    // GetHostedZone and Route 53 Domains run beside that chain.
    criticalPathCalls: 3,
    gather: (aws, input, opts) => gather(aws, input, { ...opts, ...options }),
    rules,
    verdict,
    timeline,
    targetOf: (e) => e.domain,
  });
}

/** The playbook as registered: no public DNS lookup (see CertPendingOptions). */
const certPending: Playbook = createCertPending();
export default certPending;
