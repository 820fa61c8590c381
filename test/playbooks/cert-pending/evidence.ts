// Hand-built cert-pending evidence for the rule and verdict tests: incident 001 §3's two zones,
// with helpers to make it healthy, remove the registrar, or fail a check. No AWS double.
import type { Certificate } from '../../../src/aws/acm.js';
import type { HostedZoneDetail } from '../../../src/aws/route53.js';
import type { CheckResult } from '../../../src/findings.js';
import { CHECKS, type CertPendingEvidence, type CheckId } from '../../../src/playbooks/cert-pending/evidence.js';

export const DOMAIN = 'example-shop.com';
export const REAL = 'ZREAL';
export const ORPHAN = 'ZORPHAN';
export const RECORD = '_abc.example-shop.com.';
export const VALUE = '_xyz.acm-validations.aws.';
export const CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/1';
const REAL_NS = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'];
const ORPHAN_NS = ['ns-9.awsdns-09.net', 'ns-8.awsdns-08.co.uk'];
export const NOW = new Date('2026-11-30T12:00:00Z');

const zone = (id: string, ns: string[], comment?: string): HostedZoneDetail => ({
  id,
  name: `${DOMAIN}.`,
  private: false,
  nameServers: ns,
  ...(comment ? { comment } : {}),
});

export const certificate = (createdHoursAgo = 2): Certificate => ({
  arn: CERT,
  region: 'ap-northeast-1',
  domain: DOMAIN,
  names: [DOMAIN, `*.${DOMAIN}`],
  status: 'PENDING_VALIDATION',
  createdAt: new Date(NOW.getTime() - createdHoursAgo * 3_600_000),
  inUseBy: [],
  validations: [DOMAIN, `*.${DOMAIN}`].map((d) => ({
    domain: d,
    status: 'PENDING_VALIDATION',
    method: 'DNS',
    record: { name: RECORD, type: 'CNAME', value: VALUE },
  })),
});

const ok = (): CheckResult[] => CHECKS.map((c) => ({ id: c.id, title: c.title, status: 'ok' }));

/** Incident 001 §3: the registrar points at REAL; the CNAME is only in ORPHAN. */
export function incident(): CertPendingEvidence {
  const real = zone(REAL, REAL_NS, 'created by Route 53 Domains');
  const orphan = zone(ORPHAN, ORPHAN_NS, 'made by hand');
  return {
    input: { target: DOMAIN, region: 'ap-northeast-1', hours: 24 },
    now: NOW,
    domain: DOMAIN,
    zones: [real, orphan].map(({ nameServers: _, ...z }) => z),
    details: new Map([
      [REAL, real],
      [ORPHAN, orphan],
    ]),
    registrar: { registered: true, domain: DOMAIN, nameServers: REAL_NS },
    expectedNs: { servers: REAL_NS, source: 'Route 53 Domains' },
    certificates: [certificate()],
    certRegions: ['ap-northeast-1', 'us-east-1'],
    holdings: new Map([[RECORD, [{ zoneId: REAL }, { zoneId: ORPHAN, value: VALUE }]]]),
    checks: ok(),
  };
}

/** One zone, the registrar's, holding the CNAME. */
export function healthy(): CertPendingEvidence {
  const e = incident();
  e.zones = e.zones!.filter((z) => z.id === REAL);
  e.details.delete(ORPHAN);
  e.holdings.set(RECORD, [{ zoneId: REAL, value: VALUE }]);
  return e;
}

/** The evidence as gathered when a check failed: its part is missing. */
export function failing(e: CertPendingEvidence, id: CheckId): CertPendingEvidence {
  e.checks = e.checks.map((c) => (c.id === id ? { ...c, status: 'failed', reason: 'AccessDenied', iamAction: 'x:Y' } : c));
  return e;
}
