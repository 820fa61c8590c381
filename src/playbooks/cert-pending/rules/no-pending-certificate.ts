// Nothing to validate: the certificate is elsewhere, issued, or already timed out.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'no-pending-certificate',
  severity: 'info',
  summary: 'No certificate for the domain is pending validation in the Regions read',
  needs: [],
  remediations: [],
  apply(e) {
    if (e.certRegions.length === 0 || e.certificates.length > 0) return undefined;
    return {
      data: { regions: e.certRegions },
      title: `No ACM certificate for ${e.domain} is pending validation in ${e.certRegions.join(' or ')}`,
      detail: rich(
        para(
          'Only certificates in PENDING_VALIDATION are checked. A certificate that waited more than 72 hours is VALIDATION_TIMED_OUT and must be requested again; one in another Region is not covered (--region).',
        ),
      ),
      evidence: [],
    };
  },
});
