// Registered elsewhere: the delegation cannot be compared without a public DNS lookup.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'registrar-unknown',
  severity: 'info',
  summary: 'The domain is not registered with Route 53 Domains in this account, so its delegation was not compared',
  needs: ['registrar'],
  remediations: [],
  apply(e) {
    if (!e.registrar || e.registrar.registered || e.expectedNs) return undefined;
    return {
      data: { domain: e.domain },
      title: `${e.domain} is not registered with Route 53 Domains in this account; its delegation was not checked`,
      detail: rich(
        para(
          'whybot compares each zone’s name servers with the registrar’s. For a domain registered elsewhere (or a subdomain delegated by its parent zone), it would need a public DNS lookup, which is off by default.',
        ),
      ),
      evidence: [{ source: 'Route 53 Domains', text: e.registrar.reason }],
    };
  },
});
