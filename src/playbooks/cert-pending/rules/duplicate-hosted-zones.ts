// Incident 001 §3's root: two public zones of one name; only the registrar's is real.
import { code, list, para, rich, strong } from '../../../markup.js';
import { rule } from '../evidence.js';
import { delegation, publicZones, zoneLabel } from '../facts.js';

export default rule({
  id: 'duplicate-hosted-zones',
  severity: 'warning',
  summary: 'Several public hosted zones share the domain’s name; only the one the registrar points at is real',
  needs: ['hosted-zones'],
  remediations: [],
  apply(e) {
    const pub = publicZones(e);
    if (!e.zones || pub.length < 2) return undefined;
    const priv = e.zones.filter((z) => z.private);
    const { delegated, orphans } = delegation(e);
    const ns = (id: string) => e.details.get(id)?.nameServers.join(', ') ?? 'name servers unknown';
    const which = delegated
      ? `The registrar points at ${delegated.id}’s name servers (${e.expectedNs?.source}); ${orphans.map((o) => o.id).join(', ')} ${orphans.length === 1 ? 'is an orphan' : 'are orphans'}: records written there are never seen by resolvers.`
      : e.expectedNs
        ? `The registrar’s name servers (${e.expectedNs.source}) match none of them exactly.`
        : 'whybot could not learn the registrar’s name servers, so it cannot tell which one is real (see the checks).';
    return {
      data: { zoneIds: pub.map((z) => z.id), delegatedZoneId: delegated?.id, orphanZoneIds: orphans.map((o) => o.id) },
      title: `${pub.length} public hosted zones are named ${e.domain}`,
      detail: rich(
        para(
          'Route 53 allows any number of zones with the same name and does not check delegation: only the zone whose name servers the registrar publishes is real. ',
          which,
        ),
        para(strong('Removing the orphan zone'), ' (whybot never does this itself):'),
        list(
          'First check nothing still needs it: whatever records it holds are invisible to resolvers anyway, but copy any you meant to publish into the delegated zone.',
          ['Delete its records other than SOA and NS (', code('aws route53 change-resource-record-sets … DELETE'), '), then ', code('aws route53 delete-hosted-zone --id <orphan id>'), '.'],
          ['In CDK, refer to the delegated zone by id (', code('HostedZone.fromHostedZoneAttributes'), ') instead of creating another ', code('PublicHostedZone'), ' of the same name, so the next deploy does not recreate the problem.'],
        ),
        priv.length > 0 &&
          para(`(${priv.length} private zone${priv.length === 1 ? '' : 's'} of the same name ${priv.length === 1 ? 'is' : 'are'} not counted: split-horizon is normal.)`),
      ),
      evidence: [
        ...pub.map((z) => ({
          source: 'Route 53',
          text: `zone ${zoneLabel(z)}: ${ns(z.id)}${delegated?.id === z.id ? ' — delegated' : orphans.some((o) => o.id === z.id) ? ' — not delegated' : ''}`,
        })),
        ...(e.expectedNs ? [{ source: e.expectedNs.source, text: `registrar name servers: ${e.expectedNs.servers.join(', ')}` }] : []),
      ],
    };
  },
});
