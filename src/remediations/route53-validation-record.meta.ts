// Publish ACM's DNS validation CNAME in the hosted zone the registrar points at (incident
// 001 §3): one UPSERT of one record into the delegated zone. Removing the orphan zone is
// guidance only, never an action. No AWS imports: the Slack function shows this plan.
import * as z from 'zod';
import { defineActionMeta } from './define.js';
import { shellQuote } from './shell.js';

const dnsName = z
  .string()
  .max(255)
  .regex(/^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/);

export const Route53ValidationRecordParams = z.object({
  /** the delegated zone: "Z0123…" */
  zoneId: z.string().regex(/^Z[A-Z0-9]{1,32}$/),
  /** its name, "example.com." (checked again before writing) */
  zoneName: dnsName,
  /** "_<hash>.example.com.": the role may change no other name (serverless.yml, route53:ChangeResourceRecordSetsNormalizedRecordNames) */
  recordName: dnsName.refine((n) => n.startsWith('_'), 'a validation record’s name starts with "_"'),
  /** "_<hash>.<id>.acm-validations.aws." */
  recordValue: dnsName,
  ttl: z.coerce.number().int().min(60).max(86_400).default(300),
  /** the certificate waiting for it, for the verification's last word */
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/)
    .optional(),
  /** the certificate's Region (Route 53 itself is global) */
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
});
export type Route53ValidationRecordParams = z.infer<typeof Route53ValidationRecordParams>;

const dot = (name: string) => (name.endsWith('.') ? name.toLowerCase() : `${name.toLowerCase()}.`);

/** The exact change batch the action sends: one UPSERT, one CNAME, one value. */
export function validationChangeBatch(p: Route53ValidationRecordParams) {
  return {
    Comment: 'whybot: ACM DNS validation record',
    Changes: [
      {
        Action: 'UPSERT' as const,
        ResourceRecordSet: { Name: dot(p.recordName), Type: 'CNAME' as const, TTL: p.ttl, ResourceRecords: [{ Value: dot(p.recordValue) }] },
      },
    ],
  };
}

/** The record must be inside the zone it is written to (a CNAME cannot sit at the apex). */
export function recordInZone(p: Pick<Route53ValidationRecordParams, 'recordName' | 'zoneName'>): boolean {
  const r = dot(p.recordName);
  const zname = dot(p.zoneName);
  return r !== zname && r.endsWith(`.${zname}`);
}

export const route53ValidationRecordMeta = defineActionMeta({
  id: 'route53-validation-record',
  params: Route53ValidationRecordParams,
  dangerous: false,
  label: (p) => `Create the validation CNAME in ${p.zoneId}`,
  doing: (p) => `writing the validation CNAME into ${p.zoneId}`,
  plan: (p) => ({
    resource: `Hosted zone ${dot(p.zoneName)} (${p.zoneId}), the one the registrar points at`,
    apiCall: `route53:ChangeResourceRecordSets ${JSON.stringify({ HostedZoneId: p.zoneId, ChangeBatch: validationChangeBatch(p) })}`,
    effect:
      `Creates (or replaces) ${dot(p.recordName)} CNAME ${dot(p.recordValue)} with TTL ${p.ttl} in ${p.zoneId}. Nothing else in the zone changes; ` +
      'no other zone of the same name is touched.',
    verification:
      `ListResourceRecordSets shows the CNAME in ${p.zoneId} and GetChange reports INSYNC` +
      (p.certificateArn ? '; then the certificate’s status is reported (ACM usually validates within minutes).' : '.'),
    undo: `Delete the record: the same change with Action DELETE (it only serves ACM’s validation; ACM also needs it for automatic renewal, so keep it while the certificate is in use).`,
  }),
  iamActions: {
    write: ['route53:ChangeResourceRecordSets'],
    read: ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:GetChange', 'acm:DescribeCertificate'],
  },
  cli: (p) => {
    const zone = shellQuote(p.zoneId);
    const name = p.recordName.endsWith('.') ? p.recordName : `${p.recordName}.`;
    return [
      `aws route53 change-resource-record-sets --hosted-zone-id ${zone} --change-batch ${shellQuote(JSON.stringify(validationChangeBatch(p)))}`,
      `aws route53 list-resource-record-sets --hosted-zone-id ${zone} --start-record-name ${shellQuote(name)} --start-record-type CNAME --max-items 1`,
      ...(p.certificateArn
        ? [`aws acm describe-certificate --region ${shellQuote(p.region)} --certificate-arn ${shellQuote(p.certificateArn)} --query Certificate.Status`]
        : []),
    ];
  },
});
