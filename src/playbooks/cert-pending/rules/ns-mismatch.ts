// A zone whose name servers are not the registrar's: nothing written there is ever resolved.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { delegation, zoneLabel } from '../facts.js';

export default rule({
  id: 'ns-mismatch',
  severity: 'warning',
  summary: 'A hosted zone’s name servers are not the registrar’s (critical when no zone matches)',
  needs: ['hosted-zones', 'zone-name-servers'],
  remediations: [],
  apply(e) {
    const expected = e.expectedNs;
    if (!e.zones || !expected) return undefined;
    const { delegated, orphans } = delegation(e);
    const noneMatch = !delegated;
    return orphans.map((z) => ({
      data: { zoneId: z.id, noneMatch, expected: expected.servers, source: expected.source },
      severity: noneMatch ? ('critical' as const) : ('warning' as const),
      title: noneMatch
        ? `Hosted zone ${z.id} is not what the registrar points at: ${e.domain} resolves through other name servers`
        : `Hosted zone ${z.id} has other name servers than the registrar’s: it is an orphan`,
      detail: noneMatch
        ? rich(
            para(
              `The registrar (${expected.source}) sends resolvers to ${expected.servers.join(', ')}, which is not the delegation set of any Route 53 zone named ${e.domain}. `,
              'Nothing written into these zones is visible. Either point the registrar at the zone you use (Route 53 Domains: ',
              code('aws route53domains update-domain-nameservers'),
              '), or publish the records where the DNS is really served. whybot does not change the registrar.',
            ),
          )
        : rich(
            para(
              `Resolvers ask ${delegated ? delegated.id : 'another zone'}; records in ${z.id} are never seen. Remove it once nothing needs it (steps under duplicate-hosted-zones; whybot never deletes a zone).`,
            ),
          ),
      evidence: [
        { source: 'Route 53', text: `zone ${zoneLabel(z)}: ${z.nameServers.join(', ')}` },
        { source: expected.source, text: `registrar name servers: ${expected.servers.join(', ')}` },
      ],
    }));
  },
});
