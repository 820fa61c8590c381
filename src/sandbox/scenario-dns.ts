// Scenario parts for Route 53 (hosted zones and their records), Route 53 Domains (the
// registrar's name servers) and ACM (certificates and their DNS validation records):
// incident 001 §3, two hosted zones with the same name. Defaults are applied by the
// double's world builder (aws/world-dns.ts), so a scenario tweaked in code with literals
// type-checks.
import * as z from 'zod';

const relativeTime = /^now(?:([+-])((?:\d+[dhms])+))?$/;
const time = z.string().refine((v) => relativeTime.test(v) || !Number.isNaN(new Date(v).getTime()), {
  message: 'an ISO time or now[+-]NdNhNmNs',
});

const dnsName = z.string().regex(/^(\*\.)?([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$/, { message: 'a DNS name (labels of letters, digits, - and _)' });

export const Route53RecordSchema = z.object({
  /** relative names are not accepted: "_abc.example.com" (a trailing dot is optional) */
  name: dnsName,
  type: z.enum(['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT']),
  /** default 300 */
  ttl: z.number().int().nonnegative().optional(),
  values: z.array(z.string()).min(1),
});

export const Route53ZoneSchema = z.object({
  /** "Z0123456789ABCDEFGHIJ" (a "/hostedzone/" prefix is accepted and dropped) */
  id: z.string().regex(/^(\/hostedzone\/)?Z[A-Z0-9]{1,32}$/, { message: 'a hosted zone id: Z followed by upper-case letters and digits' }),
  name: dnsName,
  /** default false */
  private: z.boolean().optional(),
  /** the zone's delegation set (public zones); default: four awsdns servers derived from the id */
  nameServers: z.array(z.string()).optional(),
  /** default: "" */
  comment: z.string().optional(),
  /** records besides the SOA and NS records Route 53 creates at the apex (added by the double) */
  records: z.array(Route53RecordSchema).optional(),
});

export const Route53DomainSchema = z.object({
  /** a domain registered with Route 53 Domains in this account: "example.com" */
  name: dnsName,
  /** the name servers the registrar publishes for it */
  nameServers: z.array(z.string()).min(1),
  /** default: one year before now */
  registeredAt: time.optional(),
});

export const AcmValidationSchema = z.object({
  domain: dnsName,
  /** default: the certificate's status PENDING_VALIDATION → PENDING_VALIDATION, ISSUED → SUCCESS */
  status: z.enum(['PENDING_VALIDATION', 'SUCCESS', 'FAILED']).optional(),
  /** "_<32 hex>.example.com." (default: derived from the certificate and the domain) */
  recordName: z.string().optional(),
  /** "_<32 hex>.<10 letters>.acm-validations.aws." (default: derived) */
  recordValue: z.string().optional(),
});

export const AcmCertificateSchema = z.object({
  /** arn:aws:acm:REGION:ACCOUNT:certificate/UUID; its Region is the one it lives in */
  arn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, { message: 'an ACM certificate ARN' }),
  domain: dnsName,
  /** subject alternative names besides the domain (default none) */
  sans: z.array(dnsName).optional(),
  status: z.enum(['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED']),
  /** must agree with the ARN's Region when given */
  region: z.string().optional(),
  /** one per name (domain and SANs); default: one per name, derived */
  validations: z.array(AcmValidationSchema).optional(),
  /** default: 1 hour before now */
  createdAt: time.optional(),
});

const Route53Schema = z.object({
  zones: z.array(Route53ZoneSchema).default([]),
  domains: z.array(Route53DomainSchema).default([]),
});
const AcmSchema = z.object({ certificates: z.array(AcmCertificateSchema).default([]) });

export const Route53ScenarioSchema = Route53Schema.prefault({});
export const AcmScenarioSchema = AcmSchema.prefault({});

export type Route53Scenario = z.infer<typeof Route53Schema>;
export type AcmScenario = z.infer<typeof AcmSchema>;
