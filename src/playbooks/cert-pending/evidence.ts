// What cert-pending asks AWS, and nothing it concludes: the hosted zones named like the domain,
// their delegation sets, the registrar's name servers, the certificates pending validation
// (this Region and us-east-1, where CloudFront's live) and which zone holds each validation
// CNAME.
import { promises as dnsPromises } from 'node:dns';
import { ACM_IAM, describeCertificate, listCertificates, type Certificate } from '../../aws/acm.js';
import type { AwsClients } from '../../aws/clients.js';
import { AwsCallError } from '../../aws/errors.js';
import {
  bareHost,
  fqdn,
  getHostedZone,
  hostedZonesNamed,
  recordSetsNamed,
  registrarNameServers,
  ROUTE53_DOMAINS_IAM,
  ROUTE53_IAM,
  type HostedZone,
  type HostedZoneDetail,
  type RecordSet,
  type RegistrarInfo,
} from '../../aws/route53.js';
import { Investigation, type Outcome } from '../../engine/investigation.js';
import type { CheckResult } from '../../findings.js';
import { defineChecks, rulesFor, type CheckIdOf } from '../define.js';
import type { PlaybookInput, RunOptions } from '../types.js';
import { covers, pendingValidations, publicZones, type RecordHolding } from './facts.js';

export const CHECKS = defineChecks([
  { id: 'hosted-zones', title: 'Route 53 hosted zones with exactly this name', iam: [ROUTE53_IAM.listHostedZonesByName] },
  { id: 'zone-name-servers', title: 'Each public zone’s name servers (delegation set)', iam: [ROUTE53_IAM.getHostedZone] },
  { id: 'registrar', title: 'The registrar’s name servers (Route 53 Domains, us-east-1)', iam: [ROUTE53_DOMAINS_IAM.getDomainDetail] },
  { id: 'public-ns', title: 'Public DNS lookup of the domain’s name servers (optional)', iam: [] },
  { id: 'certificates', title: 'ACM certificates pending validation in this Region', iam: [ACM_IAM.listCertificates, ACM_IAM.describeCertificate] },
  {
    id: 'certificates-us-east-1',
    title: 'ACM certificates pending validation in us-east-1 (CloudFront)',
    iam: [ACM_IAM.listCertificates, ACM_IAM.describeCertificate],
  },
  { id: 'validation-records', title: 'Which hosted zone holds each validation CNAME', iam: [ROUTE53_IAM.listResourceRecordSets] },
] as const);
export type CheckId = CheckIdOf<typeof CHECKS>;

export const CLOUDFRONT_REGION = 'us-east-1';
/** DescribeCertificate calls per Region, at most */
const MAX_CERTIFICATES = 20;

export interface CertPendingOptions {
  /**
   * Looks the domain's NS records up in public DNS, for domains registered outside Route 53
   * Domains. Absent (the default): the check is skipped and says so. whybot then makes no
   * network call outside AWS. Pass `publicNsLookup` to enable it.
   */
  resolveNs?: (domain: string) => Promise<string[]>;
}

/** The public DNS lookup, for callers that enable it (e.g. from a WHYBOT_ setting). */
export const publicNsLookup = (domain: string): Promise<string[]> => dnsPromises.resolveNs(domain);

export interface CertPendingEvidence {
  input: PlaybookInput;
  now: Date;
  /** "example.com" */
  domain: string;
  zones?: HostedZone[];
  /** GetHostedZone of each public zone, by id */
  details: Map<string, HostedZoneDetail>;
  registrar?: RegistrarInfo;
  publicNs?: string[];
  /** the name servers resolvers are sent to, and who says so */
  expectedNs?: { servers: string[]; source: string };
  /** certificates pending validation for this domain, per Region checked */
  certificates: Certificate[];
  /** Regions whose certificates were read */
  certRegions: string[];
  /** record name → what each public zone holds under it */
  holdings: Map<string, RecordHolding[]>;
  checks: CheckResult[];
}

/** Defines one of cert-pending's rules (rules/*.ts). */
export const rule = rulesFor<CertPendingEvidence, CheckId>();

export async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions & CertPendingOptions): Promise<CertPendingEvidence> {
  const now = opts.now?.() ?? new Date();
  const domain = bareHost(input.target);
  const inv = new Investigation(CHECKS, opts);
  const e: CertPendingEvidence = { input, now, domain, details: new Map(), certificates: [], certRegions: [], holdings: new Map(), checks: [] };

  const zones = inv.run('hosted-zones', (signal) => hostedZonesNamed(aws, domain, signal));
  const registrar = inv.run('registrar', (signal) => registrarNameServers(aws, domain, signal));

  const pendingIn = async (region: string, signal: AbortSignal): Promise<Certificate[]> => {
    const listed = await listCertificates(aws, region, ['PENDING_VALIDATION'], signal);
    const relevant = listed.filter((c) => c.names.some((n) => covers(domain, n))).slice(0, MAX_CERTIFICATES);
    return Promise.all(relevant.map((c) => describeCertificate(aws, c.arn, signal)));
  };
  const here = inv.run('certificates', (signal) => pendingIn(input.region, signal));
  const east =
    input.region === CLOUDFRONT_REGION
      ? Promise.resolve(inv.skip('certificates-us-east-1', `the Region checked is already ${CLOUDFRONT_REGION}`))
      : inv.run('certificates-us-east-1', (signal) => pendingIn(CLOUDFRONT_REGION, signal));

  const details = zones.then(async (z) => {
    if (!z.ok) return inv.skip('zone-name-servers', 'the hosted zones could not be listed');
    e.zones = z.value;
    const pub = z.value.filter((x) => !x.private);
    if (pub.length === 0) return inv.skip('zone-name-servers', `no public hosted zone is named ${domain}`);
    return inv.run('zone-name-servers', (signal) => Promise.all(pub.map((x) => getHostedZone(aws, x.id, signal))));
  });

  const publicNs = registrar.then(async (r): Promise<Outcome<string[]>> => {
    if (r.ok && r.value.registered) return inv.skip('public-ns', 'not needed: the registrar’s name servers are known');
    if (!opts.resolveNs)
      return inv.skip(
        'public-ns',
        'public DNS lookup is off by default (whybot calls nothing outside AWS unless it is enabled); ' +
          (r.ok ? 'the domain is not registered with Route 53 Domains in this account' : 'Route 53 Domains could not be read'),
      );
    const resolve = opts.resolveNs;
    return inv.run('public-ns', async () => {
      try {
        return (await resolve(domain)).map(bareHost);
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
        throw new AwsCallError('network', '', `public NS lookup of ${domain} failed: ${code}`);
      }
    });
  });

  const [detailsOut, registrarOut, publicNsOut, hereOut, eastOut] = await Promise.all([details, registrar, publicNs, here, east]);
  if (detailsOut.ok) for (const d of detailsOut.value) e.details.set(d.id, d);
  if (registrarOut.ok) e.registrar = registrarOut.value;
  if (publicNsOut.ok) e.publicNs = publicNsOut.value;
  if (e.registrar?.registered && e.registrar.nameServers.length > 0)
    e.expectedNs = { servers: e.registrar.nameServers, source: 'Route 53 Domains' };
  else if (e.publicNs && e.publicNs.length > 0) e.expectedNs = { servers: e.publicNs, source: 'public DNS' };
  if (hereOut.ok) {
    e.certificates.push(...hereOut.value);
    e.certRegions.push(input.region);
  }
  if (eastOut.ok) {
    e.certificates.push(...eastOut.value);
    e.certRegions.push(CLOUDFRONT_REGION);
  }

  const pending = pendingValidations(e);
  const pub = publicZones(e);
  if (!e.zones) inv.skip('validation-records', 'the hosted zones could not be listed');
  else if (pub.length === 0) inv.skip('validation-records', `no public hosted zone is named ${domain}`);
  else if (e.certRegions.length === 0) inv.skip('validation-records', 'no certificate could be read');
  else if (pending.length === 0) inv.skip('validation-records', 'no certificate is waiting for a DNS validation record under this domain');
  else {
    const names = [...new Set(pending.map((p) => p.recordName))];
    const out = await inv.run('validation-records', (signal) =>
      Promise.all(
        names.map(async (name) => {
          const held = await Promise.all(
            pub.map(async (z): Promise<RecordHolding> => {
              const sets: RecordSet[] = await recordSetsNamed(aws, z.id, name, 'CNAME', signal);
              const value = sets[0]?.values[0];
              return value === undefined ? { zoneId: z.id } : { zoneId: z.id, value: fqdn(value) };
            }),
          );
          return [name, held] as const;
        }),
      ),
    );
    if (out.ok) for (const [name, held] of out.value) e.holdings.set(name, held);
  }
  e.checks = inv.results();
  return e;
}
