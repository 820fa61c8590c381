/**
 * The double's Route 53, Route 53 Domains and ACM state, built from a scenario's `route53`
 * and `acm` sections (incident 001 §3).
 *
 * Route 53 and Route 53 Domains are global services, so every Region's world shares one
 * `route53` object (`shareGlobalState`), and a change written through any Region's
 * endpoint is seen from all of them. ACM is regional: the certificates are one shared list
 * and each carries its Region; the ACM handlers serve those of the Region asked.
 *
 * Names are kept as Route 53 returns them: lower case, fully qualified with a trailing dot.
 */
import type { Scenario } from '../scenario.js';
import { resolveTime } from '../scenario.js';
import { stableDigits, stableHex } from './ids.js';
import { ScenarioError } from './scenario-error.js';

export interface Route53Record {
  /** "_abc.example.com." */
  name: string;
  type: string;
  ttl: number;
  values: string[];
  /** the change that wrote it last, when written through ChangeResourceRecordSets */
  changeId?: string;
}

export interface Route53Zone {
  /** "Z0123…" without the "/hostedzone/" prefix */
  id: string;
  /** "example.com." */
  name: string;
  private: boolean;
  /** the delegation set (empty for a private zone), without trailing dots as GetHostedZone returns them */
  nameServers: string[];
  comment: string;
  callerReference: string;
  /** SOA and NS first, then the scenario's; kept sorted as ListResourceRecordSets lists them */
  records: Route53Record[];
}

export interface Route53Change {
  /** "C0123…" without the "/change/" prefix */
  id: string;
  zoneId: string;
  submittedAt: Date;
  /** when GetChange starts answering INSYNC */
  insyncAt: Date;
  comment?: string;
}

export interface RegisteredDomain {
  /** "example.com" (no trailing dot, as Route 53 Domains spells it) */
  name: string;
  nameServers: string[];
  registeredAt: Date;
  expiresAt: Date;
}

export interface Route53World {
  zones: Route53Zone[];
  domains: RegisteredDomain[];
  changes: Route53Change[];
  /** how long a change stays PENDING before GetChange says INSYNC */
  changeSyncMs: number;
}

export interface AcmValidation {
  domain: string;
  status: 'PENDING_VALIDATION' | 'SUCCESS' | 'FAILED';
  recordName: string;
  recordValue: string;
}

export interface AcmCertificate {
  arn: string;
  region: string;
  domain: string;
  sans: string[];
  status: string;
  createdAt: Date;
  issuedAt?: Date;
  validations: AcmValidation[];
}

export interface AcmWorld {
  /** every Region's certificates: each handler serves those of its Region */
  certificates: AcmCertificate[];
}

export class DnsScenarioError extends ScenarioError {}

/** "Example.COM" → "example.com." */
export function fqdn(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** "ns-1.awsdns-01.org." → "ns-1.awsdns-01.org" */
export function bareHost(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The order of ListHostedZonesByName and ListResourceRecordSets: labels reversed ("com.example.www"). */
export function reversedLabels(name: string): string {
  return bareHost(name).split('.').reverse().join('.');
}

export function compareNames(a: string, b: string): number {
  const x = reversedLabels(a);
  const y = reversedLabels(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sortRecords(records: Route53Record[]): void {
  records.sort((a, b) => compareNames(a.name, b.name) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** Four name servers like the ones Route 53 assigns, stable for a zone id. */
export function defaultNameServers(zoneId: string): string[] {
  const n = (i: number) => Number(stableDigits(`${zoneId}:ns:${i}`, 4)) % 2048;
  const d = (i: number) => String(Number(stableDigits(`${zoneId}:awsdns:${i}`, 2)) % 64).padStart(2, '0');
  return [`ns-${n(0)}.awsdns-${d(0)}.com`, `ns-${n(1)}.awsdns-${d(1)}.net`, `ns-${n(2)}.awsdns-${d(2)}.org`, `ns-${n(3)}.awsdns-${d(3)}.co.uk`];
}

const regionOfArn = (arn: string) => arn.split(':')[3] ?? '';
const baseName = (name: string) => bareHost(name).replace(/^\*\./, '');

/** The ACM-style validation CNAME for one name of a certificate, stable per certificate and name. */
export function defaultValidationRecord(arn: string, domain: string): { recordName: string; recordValue: string } {
  const letters = stableHex(`${arn}:${domain}:letters`, 20)
    .split('')
    .map((c) => String.fromCharCode(97 + (parseInt(c, 16) % 26)))
    .join('')
    .slice(0, 10);
  return {
    recordName: `_${stableHex(`${arn}:${domain}:name`, 32)}.${baseName(domain)}.`,
    recordValue: `_${stableHex(`${arn}:${domain}:value`, 32)}.${letters}.acm-validations.aws.`,
  };
}

export function buildRoute53World(scenario: Scenario, now: Date): Route53World {
  const zones: Route53Zone[] = [];
  for (const z of scenario.route53?.zones ?? []) {
    const id = z.id.replace(/^\/hostedzone\//, '');
    if (zones.some((y) => y.id === id)) throw new DnsScenarioError(`scenario ${scenario.name}: hosted zone ${id} is listed twice`);
    const name = fqdn(z.name);
    const isPrivate = z.private ?? false;
    const nameServers = isPrivate ? [] : (z.nameServers ?? defaultNameServers(id)).map(bareHost);
    const primary = nameServers[0] ?? 'ns-0.awsdns-00.com';
    const records: Route53Record[] = [
      { name, type: 'SOA', ttl: 900, values: [`${primary}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] },
      ...(isPrivate
        ? [{ name, type: 'NS', ttl: 172800, values: ['ns-0.awsdns-00.com.', 'ns-512.awsdns-00.net.', 'ns-1024.awsdns-00.org.', 'ns-1536.awsdns-00.co.uk.'] }]
        : [{ name, type: 'NS', ttl: 172800, values: nameServers.map((ns) => `${ns}.`) }]),
    ];
    for (const r of z.records ?? []) {
      const rname = fqdn(r.name);
      if (rname !== name && !rname.endsWith(`.${name}`))
        throw new DnsScenarioError(`scenario ${scenario.name}: record ${rname} is not inside zone ${name}`);
      const existing = records.find((x) => x.name === rname && x.type === r.type);
      if (existing) {
        if (r.type === 'SOA' || r.type === 'NS') {
          existing.values = [...r.values];
          continue;
        }
        throw new DnsScenarioError(`scenario ${scenario.name}: zone ${id} lists ${rname} ${r.type} twice`);
      }
      records.push({ name: rname, type: r.type, ttl: r.ttl ?? 300, values: [...r.values] });
    }
    sortRecords(records);
    zones.push({
      id,
      name,
      private: isPrivate,
      nameServers,
      comment: z.comment ?? '',
      callerReference: `whybot-double-${stableHex(`${scenario.name}:${id}`, 12)}`,
      records,
    });
  }
  const domains: RegisteredDomain[] = (scenario.route53?.domains ?? []).map((d) => {
    const registeredAt = d.registeredAt === undefined ? new Date(now.getTime() - 365 * 86_400_000) : resolveTime(d.registeredAt, now);
    return {
      name: bareHost(d.name),
      nameServers: d.nameServers.map(bareHost),
      registeredAt,
      expiresAt: new Date(registeredAt.getTime() + 2 * 365 * 86_400_000),
    };
  });
  return { zones, domains, changes: [], changeSyncMs: 60 };
}

export function buildAcmWorld(scenario: Scenario, now: Date): AcmWorld {
  const certificates: AcmCertificate[] = [];
  for (const c of scenario.acm?.certificates ?? []) {
    const region = regionOfArn(c.arn);
    if (c.region !== undefined && c.region !== region)
      throw new DnsScenarioError(`scenario ${scenario.name}: certificate ${c.arn} says region ${c.region} but its ARN is in ${region}`);
    if (certificates.some((x) => x.arn === c.arn)) throw new DnsScenarioError(`scenario ${scenario.name}: certificate ${c.arn} is listed twice`);
    const domain = bareHost(c.domain);
    const sans = (c.sans ?? []).map(bareHost).filter((s) => s !== domain);
    const defaultStatus = c.status === 'ISSUED' ? 'SUCCESS' : c.status === 'PENDING_VALIDATION' ? 'PENDING_VALIDATION' : 'FAILED';
    const names = [domain, ...sans];
    const validations: AcmValidation[] = names.map((name) => {
      const given = c.validations?.find((v) => bareHost(v.domain) === name);
      const record = defaultValidationRecord(c.arn, name);
      return {
        domain: name,
        status: given?.status ?? defaultStatus,
        recordName: fqdn(given?.recordName ?? record.recordName),
        recordValue: fqdn(given?.recordValue ?? record.recordValue),
      };
    });
    for (const v of c.validations ?? [])
      if (!names.includes(bareHost(v.domain)))
        throw new DnsScenarioError(`scenario ${scenario.name}: certificate ${c.arn} validates ${v.domain}, which is not its domain or a SAN`);
    const createdAt = c.createdAt === undefined ? new Date(now.getTime() - 3_600_000) : resolveTime(c.createdAt, now);
    certificates.push({
      arn: c.arn,
      region,
      domain,
      sans,
      status: c.status,
      createdAt,
      ...(c.status === 'ISSUED' && { issuedAt: new Date(createdAt.getTime() + 5 * 60_000) }),
      validations,
    });
  }
  return { certificates };
}

/** Makes a Region's world share the home world's global DNS state (called for every other Region). */
export function shareGlobalState(home: { route53: Route53World; acm: AcmWorld }, other: { route53: Route53World; acm: AcmWorld }): void {
  other.route53 = home.route53;
  other.acm = home.acm;
}

// ---------------------------------------------------------------- delegation, as resolvers see it

/** The registered domain that `name` is in (the longest match), if this account registered it. */
export function registeredDomainOf(r53: Route53World, name: string): RegisteredDomain | undefined {
  const bare = baseName(name);
  return r53.domains
    .filter((d) => bare === d.name || bare.endsWith(`.${d.name}`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

const sameSet = (a: string[], b: string[]) => {
  const x = new Set(a.map(bareHost));
  const y = new Set(b.map(bareHost));
  return x.size === y.size && [...x].every((n) => y.has(n));
};

/** The public zone resolvers reach for a registered domain: the one whose delegation set the registrar publishes. */
export function delegatedZone(r53: Route53World, domain: RegisteredDomain): Route53Zone | undefined {
  return r53.zones.find((z) => !z.private && z.name === fqdn(domain.name) && sameSet(z.nameServers, domain.nameServers));
}

/**
 * What a resolver would answer for `name` CNAME at `now`: the record of the delegated zone
 * of its registered domain, once the change that wrote it is INSYNC. Undefined when the
 * domain is not registered in this account (the double cannot know who serves it).
 */
export function resolvableCname(r53: Route53World, name: string, now: Date): string | undefined {
  const domain = registeredDomainOf(r53, name);
  if (!domain) return undefined;
  const zone = delegatedZone(r53, domain);
  const record = zone?.records.find((r) => r.name === fqdn(name) && r.type === 'CNAME');
  if (!record) return undefined;
  const change = record.changeId ? r53.changes.find((c) => c.id === record.changeId) : undefined;
  if (change && change.insyncAt > now) return undefined;
  return record.values[0];
}

/**
 * ACM's validation, simulated: a PENDING_VALIDATION name whose CNAME resolves (through the
 * delegated zone) to the expected value passes; once every name passed, the certificate is
 * ISSUED. A record in a zone the registrar does not point at is never seen (incident 001 §3).
 */
export function advanceValidation(acm: AcmWorld, r53: Route53World, now: Date): void {
  for (const cert of acm.certificates) {
    if (cert.status !== 'PENDING_VALIDATION') continue;
    for (const v of cert.validations) {
      if (v.status !== 'PENDING_VALIDATION') continue;
      const value = resolvableCname(r53, v.recordName, now);
      if (value !== undefined && fqdn(value) === fqdn(v.recordValue)) v.status = 'SUCCESS';
    }
    if (cert.validations.every((v) => v.status === 'SUCCESS')) {
      cert.status = 'ISSUED';
      cert.issuedAt = now;
    }
  }
}
