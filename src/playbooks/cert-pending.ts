// /why-cert-pending — incident 001 §3: "the certificate never validates". The author had
// two public hosted zones named like the domain: one Route 53 Domains created at
// registration (the registrar points at its name servers) and one made by hand. CDK wrote
// ACM's validation CNAME into the hand-made one, which no resolver ever asks, so ACM waited
// forever. The lesson: the real zone is the one whose name servers the registrar publishes.
// Checks gather the zones, their delegation sets, the registrar's name servers, the pending
// certificates (this Region and us-east-1, where CloudFront's live) and which zone holds
// each validation CNAME; rules turn that into findings.
import { promises as dnsPromises } from 'node:dns';
import { describeCertificate, listCertificates, type Certificate } from '../aws/acm.js';
import type { AwsClients } from '../aws/clients.js';
import { AwsCallError } from '../aws/errors.js';
import {
  bareHost,
  fqdn,
  getHostedZone,
  hostedZonesNamed,
  recordSetsNamed,
  registrarNameServers,
  type HostedZone,
  type HostedZoneDetail,
  type RecordSet,
  type RegistrarInfo,
} from '../aws/route53.js';
import { Investigation, type Outcome } from '../engine/investigation.js';
import { bySeverity, type CheckResult, type Finding, type PlaybookResult, type RemediationRef, type TimelineEntry } from '../findings.js';
import { byTime, formatDuration } from '../time.js';
import { PLAYBOOK_CATALOG } from './catalog.js';
import { definePlaybook } from './define.js';
import type { Playbook, PlaybookInput, RunOptions } from './types.js';

export const CERT_PENDING_CHECKS = [
  { id: 'hosted-zones', title: 'Route 53 hosted zones with exactly this name' },
  { id: 'zone-name-servers', title: 'Each public zone’s name servers (delegation set)' },
  { id: 'registrar', title: 'The registrar’s name servers (Route 53 Domains, us-east-1)' },
  { id: 'public-ns', title: 'Public DNS lookup of the domain’s name servers (optional)' },
  { id: 'certificates', title: 'ACM certificates pending validation in this Region' },
  { id: 'certificates-us-east-1', title: 'ACM certificates pending validation in us-east-1 (CloudFront)' },
  { id: 'validation-records', title: 'Which hosted zone holds each validation CNAME' },
] as const;

const CLOUDFRONT_REGION = 'us-east-1';
/** DescribeCertificate calls per Region, at most */
const MAX_CERTIFICATES = 20;
/** ACM gives up on a certificate pending DNS validation after 72 hours (VALIDATION_TIMED_OUT). */
const ACM_TIMEOUT_MS = 72 * 3_600_000;
const VALIDATION_TTL = 300;

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

/** Where a validation CNAME was looked for, and what each zone holds under that name. */
export interface RecordHolding {
  zoneId: string;
  /** the CNAME's value in that zone, absent when the zone has no CNAME of that name */
  value?: string;
}

export interface PendingValidation {
  certificate: Certificate;
  /** names of the certificate validated by this record (the domain and e.g. its wildcard) */
  names: string[];
  recordName: string;
  recordValue: string;
}

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

// ---------------------------------------------------------------- helpers

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = new Set(a.map(bareHost));
  const y = new Set(b.map(bareHost));
  return x.size > 0 && x.size === y.size && [...x].every((n) => y.has(n));
};

/** Does a certificate name (maybe "*.x") concern this domain: the domain itself or a name under it? */
const covers = (domain: string, name: string): boolean => {
  const n = bareHost(name).replace(/^\*\./, '');
  return n === domain || n.endsWith(`.${domain}`);
};

const inZone = (domain: string, recordName: string): boolean => {
  const n = bareHost(recordName);
  return n === domain || n.endsWith(`.${domain}`);
};

export const publicZones = (e: CertPendingEvidence): HostedZone[] => (e.zones ?? []).filter((z) => !z.private);

const zoneLabel = (z: HostedZone | undefined, id?: string): string =>
  z ? `${z.id}${z.comment ? ` (“${z.comment}”)` : ''}` : (id ?? '?');

/** The public zone resolvers reach: the one whose delegation set is the registrar's. */
export function delegation(e: CertPendingEvidence): { delegated?: HostedZoneDetail; orphans: HostedZoneDetail[]; presumed: boolean } {
  const zones = publicZones(e)
    .map((z) => e.details.get(z.id))
    .filter((z): z is HostedZoneDetail => z !== undefined);
  if (!e.expectedNs) {
    // Unknown delegation: a single public zone is presumably the real one; several cannot be told apart.
    const only = publicZones(e).length === 1 ? zones[0] : undefined;
    return only ? { delegated: only, orphans: [], presumed: true } : { orphans: [], presumed: false };
  }
  const matching = zones.filter((z) => sameSet(z.nameServers, e.expectedNs!.servers));
  if (matching.length !== 1) return { orphans: zones.filter((z) => !matching.includes(z)), presumed: false };
  return { delegated: matching[0]!, orphans: zones.filter((z) => z !== matching[0]), presumed: false };
}

/** Each validation CNAME of each pending certificate, once per record (ACM reuses one for x and *.x). */
export function pendingValidations(e: CertPendingEvidence): PendingValidation[] {
  const out: PendingValidation[] = [];
  for (const cert of e.certificates) {
    for (const v of cert.validations) {
      if (!v.record || v.status !== 'PENDING_VALIDATION' || !inZone(e.domain, v.record.name)) continue;
      const same = out.find((p) => p.certificate.arn === cert.arn && fqdn(p.recordName) === fqdn(v.record!.name));
      if (same) same.names.push(v.domain);
      else out.push({ certificate: cert, names: [v.domain], recordName: fqdn(v.record.name), recordValue: fqdn(v.record.value) });
    }
  }
  return out;
}

// ---------------------------------------------------------------- checks (evidence)

async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions & CertPendingOptions): Promise<CertPendingEvidence> {
  const now = opts.now?.() ?? new Date();
  const domain = bareHost(input.target);
  const inv = new Investigation(CERT_PENDING_CHECKS, opts);
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

// ---------------------------------------------------------------- rules (findings)

const GUIDANCE_ORPHAN = [
  '*Removing the orphan zone* (whybot never does this itself):',
  '• First check nothing still needs it: whatever records it holds are invisible to resolvers anyway, but copy any you meant to publish into the delegated zone.',
  '• Delete its records other than SOA and NS (`aws route53 change-resource-record-sets … DELETE`), then `aws route53 delete-hosted-zone --id <orphan id>`.',
  '• In CDK, refer to the delegated zone by id (`HostedZone.fromHostedZoneAttributes`) instead of creating another `PublicHostedZone` of the same name, so the next deploy does not recreate the problem.',
].join('\n');

function validationRemediations(zone: HostedZoneDetail | undefined, p: PendingValidation): RemediationRef[] {
  if (!zone) return [];
  return [
    {
      id: 'route53-validation-record',
      label: `Create the validation CNAME in ${zone.id}`,
      params: {
        zoneId: zone.id,
        zoneName: zone.name,
        recordName: p.recordName,
        recordValue: p.recordValue,
        ttl: VALIDATION_TTL,
        certificateArn: p.certificate.arn,
        region: p.certificate.region,
      },
    },
    { id: 'show-cli', label: 'Show CLI commands', params: {} },
  ];
}

function zoneRules(e: CertPendingEvidence): Finding[] {
  if (!e.zones) return [];
  const pub = publicZones(e);
  const priv = e.zones.filter((z) => z.private);
  const { delegated, orphans } = delegation(e);
  const out: Finding[] = [];
  if (pub.length === 0) {
    out.push({
      id: 'no-hosted-zone',
      severity: 'warning',
      title: `No public Route 53 hosted zone is named ${e.domain}`,
      detail:
        `ACM’s DNS validation records for ${e.domain} must be published by whoever serves its DNS. ` +
        (priv.length > 0 ? `There ${priv.length === 1 ? 'is a private zone' : `are ${priv.length} private zones`} of that name; resolvers on the internet never see private zones. ` : '') +
        'If the DNS is hosted elsewhere, create the CNAMEs there.',
      evidence: priv.map((z) => ({ source: 'Route 53', text: `private zone ${zoneLabel(z)}` })),
      remediations: [],
    });
    return out;
  }
  const ns = (id: string) => e.details.get(id)?.nameServers.join(', ') ?? 'name servers unknown';
  if (pub.length > 1) {
    const which = delegated
      ? `The registrar points at ${delegated.id}’s name servers (${e.expectedNs?.source}); ${orphans.map((o) => o.id).join(', ')} ${orphans.length === 1 ? 'is an orphan' : 'are orphans'}: records written there are never seen by resolvers.`
      : e.expectedNs
        ? `The registrar’s name servers (${e.expectedNs.source}) match none of them exactly.`
        : 'whybot could not learn the registrar’s name servers, so it cannot tell which one is real (see the checks).';
    out.push({
      id: 'duplicate-hosted-zones',
      severity: 'warning',
      title: `${pub.length} public hosted zones are named ${e.domain}`,
      detail:
        'Route 53 allows any number of zones with the same name and does not check delegation: only the zone whose name servers the registrar publishes is real. ' +
        `${which}\n${GUIDANCE_ORPHAN}` +
        (priv.length > 0 ? `\n(${priv.length} private zone${priv.length === 1 ? '' : 's'} of the same name ${priv.length === 1 ? 'is' : 'are'} not counted: split-horizon is normal.)` : ''),
      evidence: [
        ...pub.map((z) => ({
          source: 'Route 53',
          text: `zone ${zoneLabel(z)}: ${ns(z.id)}${delegated?.id === z.id ? ' — delegated' : orphans.some((o) => o.id === z.id) ? ' — not delegated' : ''}`,
        })),
        ...(e.expectedNs ? [{ source: e.expectedNs.source, text: `registrar name servers: ${e.expectedNs.servers.join(', ')}` }] : []),
      ],
      remediations: [],
    });
  }
  if (e.expectedNs) {
    const noneMatch = !delegated;
    for (const z of orphans) {
      out.push({
        id: 'ns-mismatch',
        severity: noneMatch ? 'critical' : 'warning',
        title: noneMatch
          ? `Hosted zone ${z.id} is not what the registrar points at: ${e.domain} resolves through other name servers`
          : `Hosted zone ${z.id} has other name servers than the registrar’s: it is an orphan`,
        detail: noneMatch
          ? `The registrar (${e.expectedNs.source}) sends resolvers to ${e.expectedNs.servers.join(', ')}, which is not the delegation set of any Route 53 zone named ${e.domain}. ` +
            'Nothing written into these zones is visible. Either point the registrar at the zone you use (Route 53 Domains: `aws route53domains update-domain-nameservers`), or publish the records where the DNS is really served. whybot does not change the registrar.'
          : `Resolvers ask ${delegated ? delegated.id : 'another zone'}; records in ${z.id} are never seen. Remove it once nothing needs it (steps under duplicate-hosted-zones; whybot never deletes a zone).`,
        evidence: [
          { source: 'Route 53', text: `zone ${zoneLabel(z)}: ${z.nameServers.join(', ')}` },
          { source: e.expectedNs.source, text: `registrar name servers: ${e.expectedNs.servers.join(', ')}` },
        ],
        remediations: [],
      });
    }
  }
  return out;
}

function validationRules(e: CertPendingEvidence): Finding[] {
  if (e.holdings.size === 0) return [];
  const { delegated, presumed } = delegation(e);
  const out: Finding[] = [];
  for (const p of pendingValidations(e)) {
    const held = e.holdings.get(p.recordName);
    if (!held) continue;
    const age = e.now.getTime() - (p.certificate.createdAt?.getTime() ?? e.now.getTime());
    const certText = `certificate for ${p.certificate.domain} (${p.certificate.region}) has been PENDING_VALIDATION for ${formatDuration(age)}`;
    const timeout =
      age > ACM_TIMEOUT_MS / 2
        ? ` ACM gives up after 72 hours (VALIDATION_TIMED_OUT, ${formatDuration(Math.max(0, ACM_TIMEOUT_MS - age))} left); after that request a new certificate.`
        : '';
    const right = held.filter((h) => h.value === p.recordValue);
    const inDelegated = delegated ? held.find((h) => h.zoneId === delegated.id) : undefined;
    const evidence = [
      { source: 'ACM', ...(p.certificate.createdAt ? { time: p.certificate.createdAt.toISOString() } : {}), text: `${p.certificate.arn}: ${p.names.join(', ')} wants ${p.recordName} CNAME ${p.recordValue}` },
      ...held.map((h) => ({
        source: 'Route 53',
        text: `zone ${h.zoneId}${delegated?.id === h.zoneId ? ' (delegated)' : ''}: ${h.value ? `CNAME ${h.value}` : 'no such CNAME'}`,
      })),
    ];
    if (delegated && inDelegated?.value === p.recordValue) {
      out.push({
        id: 'validation-record-present',
        severity: 'info',
        title: `The validation CNAME for ${p.names.join(', ')} is in the ${presumed ? 'only public' : 'delegated'} zone ${delegated.id}; ACM has not validated yet`,
        detail: `The ${certText}. ACM usually validates within minutes of the record becoming resolvable.${presumed ? ' whybot could not confirm this zone is delegated (see the checks).' : ''} If it stays pending, check CAA records and that the record resolves publicly.${timeout}`,
        evidence,
        remediations: [],
      });
      continue;
    }
    const orphanHolders = right.filter((h) => h.zoneId !== delegated?.id);
    if (delegated && orphanHolders.length > 0) {
      out.push({
        id: 'validation-record-in-orphan-zone',
        severity: 'critical',
        title: `ACM’s validation CNAME for ${p.names.join(', ')} is in hosted zone ${orphanHolders.map((h) => h.zoneId).join(', ')}, which resolvers never ask`,
        detail:
          `The ${certText}: its CNAME was written into a zone the registrar does not point at (as CDK did in incident 001), ` +
          `and the delegated zone ${zoneLabel(delegated)} ${inDelegated?.value ? `has it pointing elsewhere (${inDelegated.value})` : 'does not have it'}. ` +
          `Creating it in ${delegated.id} lets ACM validate.${timeout}`,
        evidence,
        remediations: validationRemediations(delegated, p),
      });
      continue;
    }
    out.push({
      id: 'validation-record-missing',
      severity: 'critical',
      title: `No hosted zone ${delegated ? `(the delegated one is ${delegated.id}) ` : ''}publishes ACM’s validation CNAME for ${p.names.join(', ')}`,
      detail:
        `The ${certText}. ACM looks for ${p.recordName} CNAME ${p.recordValue}` +
        (right.length > 0 ? ` and finds it only in ${right.map((h) => h.zoneId).join(', ')}, whose delegation whybot could not confirm.` : '; ') +
        (held.some((h) => h.value && h.value !== p.recordValue) ? ' A CNAME of that name exists but points elsewhere. ' : right.length > 0 ? ' ' : 'no zone has it. ') +
        (delegated ? `Creating it in ${delegated.id}${presumed ? ' (the only public zone; its delegation is unconfirmed)' : ''} lets ACM validate.` : 'Create it in the zone the registrar points at.') +
        timeout,
      evidence,
      remediations: validationRemediations(delegated, p),
    });
  }
  return out;
}

function contextRules(e: CertPendingEvidence): Finding[] {
  const out: Finding[] = [];
  if (e.certRegions.length > 0 && e.certificates.length === 0)
    out.push({
      id: 'no-pending-certificate',
      severity: 'info',
      title: `No ACM certificate for ${e.domain} is pending validation in ${e.certRegions.join(' or ')}`,
      detail: 'Only certificates in PENDING_VALIDATION are checked. A certificate that waited more than 72 hours is VALIDATION_TIMED_OUT and must be requested again; one in another Region is not covered (--region).',
      evidence: [],
      remediations: [],
    });
  if (e.registrar && !e.registrar.registered && !e.expectedNs)
    out.push({
      id: 'registrar-unknown',
      severity: 'info',
      title: `${e.domain} is not registered with Route 53 Domains in this account; its delegation was not checked`,
      detail:
        'whybot compares each zone’s name servers with the registrar’s. For a domain registered elsewhere (or a subdomain delegated by its parent zone), it would need a public DNS lookup, which is off by default.',
      evidence: [{ source: 'Route 53 Domains', text: e.registrar.reason }],
      remediations: [],
    });
  return out;
}

function healthyRule(e: CertPendingEvidence, findings: Finding[]): Finding[] {
  if (findings.some((f) => f.severity === 'critical' || f.severity === 'warning')) return [];
  if (e.checks.some((c) => c.status === 'failed')) return [];
  const { delegated, presumed } = delegation(e);
  if (!delegated || presumed || publicZones(e).length !== 1 || e.certRegions.length === 0) return [];
  const waiting = pendingValidations(e).length;
  return [
    {
      id: 'cert-dns-healthy',
      severity: 'ok',
      title: `${e.domain} has one public hosted zone, ${delegated.id}, and it is the one the registrar points at`,
      detail:
        `Checked: hosted zones named ${e.domain}, their name servers against ${e.expectedNs?.source ?? 'the registrar'}, and certificates pending validation in ${e.certRegions.join(' and ')}` +
        (waiting > 0 ? `; every validation CNAME is in ${delegated.id}.` : ' (none).'),
      evidence: [],
      remediations: [],
    },
  ];
}

export function diagnose(e: CertPendingEvidence): Finding[] {
  const findings = [...zoneRules(e), ...validationRules(e), ...contextRules(e)];
  return [...findings, ...healthyRule(e, findings)].sort(bySeverity);
}

export function verdict(e: CertPendingEvidence, findings: Finding[]): PlaybookResult['verdict'] {
  const failed = e.checks.filter((c) => c.status === 'failed');
  const unchecked = failed.length > 0 ? ` ${failed.length} check${failed.length === 1 ? '' : 's'} could not run: ${failed.map((c) => c.id).join(', ')}.` : '';
  const orphaned = findings.filter((f) => f.id === 'validation-record-in-orphan-zone');
  const { delegated } = delegation(e);
  if (orphaned.length > 0 && delegated) {
    const pending = pendingValidations(e);
    const orphanIds = [
      ...new Set(pending.flatMap((p) => (e.holdings.get(p.recordName) ?? []).filter((h) => h.zoneId !== delegated.id && h.value === p.recordValue).map((h) => h.zoneId))),
    ];
    const certs = new Set(pending.map((p) => p.certificate.arn)).size;
    return {
      severity: 'critical',
      summary:
        `Likely cause: ${e.domain} has ${publicZones(e).length} public hosted zones and ACM’s validation CNAME${orphaned.length === 1 ? ' is' : 's are'} in ${orphanIds.join(', ')}, ` +
        `which the registrar does not point at; the delegated zone ${delegated.id} lacks ${orphaned.length === 1 ? 'it' : 'them'}, so ${certs} certificate${certs === 1 ? '' : 's'} stay${certs === 1 ? 's' : ''} PENDING_VALIDATION.${unchecked}`,
    };
  }
  const top = findings[0];
  const healthy = findings.find((f) => f.id === 'cert-dns-healthy');
  if (healthy) {
    const notes = findings.filter((f) => f.severity === 'info').map((f) => f.title);
    return { severity: 'ok', summary: `${healthy.title}.${notes.length ? ` Note: ${notes.join('; ')}.` : ''}` };
  }
  if (top && top.severity !== 'info' && top.severity !== 'ok') return { severity: top.severity, summary: `${top.title}.${unchecked}` };
  if (failed.length > 0) return { severity: 'info', summary: `No cause found in what whybot could see.${unchecked}${top ? ` ${top.title}.` : ''}` };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No cause found in the evidence checked.' };
}

export function timeline(e: CertPendingEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  if (e.registrar?.registered && e.registrar.created)
    entries.push({ time: e.registrar.created.toISOString(), source: 'Route 53 Domains', text: `${e.domain} registered${e.registrar.registrar ? ` (${e.registrar.registrar})` : ''}` });
  if (e.registrar?.registered && e.registrar.updated && e.registrar.updated.getTime() !== e.registrar.created?.getTime())
    entries.push({ time: e.registrar.updated.toISOString(), source: 'Route 53 Domains', text: `${e.domain} registration updated` });
  for (const c of e.certificates) {
    if (c.createdAt) entries.push({ time: c.createdAt.toISOString(), source: 'ACM', text: `certificate for ${c.domain} requested in ${c.region} (${c.status})` });
    if (c.createdAt && c.status === 'PENDING_VALIDATION')
      entries.push({ time: new Date(c.createdAt.getTime() + ACM_TIMEOUT_MS).toISOString(), source: 'ACM', text: `ACM stops waiting for ${c.domain}’s validation CNAME (72 h after the request): VALIDATION_TIMED_OUT` });
  }
  return entries.sort(byTime);
}

export function createCertPending(options: CertPendingOptions = {}): Playbook {
  return definePlaybook({
    ...PLAYBOOK_CATALOG['cert-pending']!,
    checks: CERT_PENDING_CHECKS,
    // ListCertificates → DescribeCertificate → ListResourceRecordSets; the zone listing,
    // GetHostedZone and Route 53 Domains run beside that chain.
    criticalPathCalls: 3,
    gather: (aws, input, opts) => gather(aws, input, { ...opts, ...options }),
    diagnose,
    verdict,
    timeline,
    targetOf: (e) => e.domain,
  });
}

/** The playbook as registered: no public DNS lookup (see CertPendingOptions). */
export const certPending: Playbook = createCertPending();
