// No public zone of the domain's name: the validation records must be published elsewhere.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { publicZones, zoneLabel } from '../facts.js';

export default rule({
  id: 'no-hosted-zone',
  severity: 'warning',
  summary: 'No public Route 53 hosted zone has the domain’s name (private zones do not count)',
  needs: ['hosted-zones'],
  remediations: [],
  apply(e) {
    if (!e.zones || publicZones(e).length > 0) return undefined;
    const priv = e.zones.filter((z) => z.private);
    return {
      data: { domain: e.domain, privateZones: priv.length },
      title: `No public Route 53 hosted zone is named ${e.domain}`,
      detail: rich(
        para(
          `ACM’s DNS validation records for ${e.domain} must be published by whoever serves its DNS. `,
          priv.length > 0 &&
            `There ${priv.length === 1 ? 'is a private zone' : `are ${priv.length} private zones`} of that name; resolvers on the internet never see private zones. `,
          'If the DNS is hosted elsewhere, create the CNAMEs there.',
        ),
      ),
      evidence: priv.map((z) => ({ source: 'Route 53', text: `private zone ${zoneLabel(z)}` })),
    };
  },
});
