// Facts read off cert-pending's evidence that several rules and the verdict share: which public
// zone is the delegated one, and each validation CNAME a pending certificate waits for.
import type { Certificate } from '../../aws/acm.js';
import { bareHost, fqdn, type HostedZone, type HostedZoneDetail } from '../../aws/route53.js';
import type { CertPendingEvidence } from './evidence.js';

/** ACM gives up on a certificate pending DNS validation after 72 hours (VALIDATION_TIMED_OUT). */
export const ACM_TIMEOUT_MS = 72 * 3_600_000;

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

type Facts = Pick<CertPendingEvidence, 'zones' | 'details' | 'expectedNs' | 'certificates' | 'domain'>;

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = new Set(a.map(bareHost));
  const y = new Set(b.map(bareHost));
  return x.size > 0 && x.size === y.size && [...x].every((n) => y.has(n));
};

/** Does a certificate name (maybe "*.x") concern this domain: the domain itself or a name under it? */
export const covers = (domain: string, name: string): boolean => {
  const n = bareHost(name).replace(/^\*\./, '');
  return n === domain || n.endsWith(`.${domain}`);
};

const inZone = (domain: string, recordName: string): boolean => {
  const n = bareHost(recordName);
  return n === domain || n.endsWith(`.${domain}`);
};

export const publicZones = (e: Pick<Facts, 'zones'>): HostedZone[] => (e.zones ?? []).filter((z) => !z.private);

export const zoneLabel = (z: HostedZone | undefined, id?: string): string =>
  z ? `${z.id}${z.comment ? ` (“${z.comment}”)` : ''}` : (id ?? '?');

/** The public zone resolvers reach: the one whose delegation set is the registrar's. */
export function delegation(e: Facts): { delegated?: HostedZoneDetail; orphans: HostedZoneDetail[]; presumed: boolean } {
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
export function pendingValidations(e: Pick<Facts, 'certificates' | 'domain'>): PendingValidation[] {
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

/** Where one pending validation's CNAME stands: in the delegated zone, only in orphans, or nowhere that counts. */
export type ValidationPlace = 'present' | 'in-orphan-zone' | 'missing';

export interface ValidationState {
  pending: PendingValidation;
  place: ValidationPlace;
  held: RecordHolding[];
  /** zones holding the right value */
  right: RecordHolding[];
  /** what the delegated zone holds under the name */
  inDelegated?: RecordHolding;
  /** zones other than the delegated one holding the right value */
  orphanHolders: RecordHolding[];
}

/** Each pending validation whose zones were read, placed. */
export function validationStates(e: CertPendingEvidence): ValidationState[] {
  const { delegated } = delegation(e);
  const out: ValidationState[] = [];
  for (const p of pendingValidations(e)) {
    const held = e.holdings.get(p.recordName);
    if (!held) continue;
    const right = held.filter((h) => h.value === p.recordValue);
    const inDelegated = delegated ? held.find((h) => h.zoneId === delegated.id) : undefined;
    const orphanHolders = right.filter((h) => h.zoneId !== delegated?.id);
    const place: ValidationPlace =
      delegated && inDelegated?.value === p.recordValue ? 'present' : delegated && orphanHolders.length > 0 ? 'in-orphan-zone' : 'missing';
    out.push({ pending: p, place, held, right, ...(inDelegated ? { inDelegated } : {}), orphanHolders });
  }
  return out;
}
