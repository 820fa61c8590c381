import { describeCertificate } from '../aws/acm.js';
import { getChange, getHostedZone, recordSetsNamed, upsertCname, fqdn } from '../aws/route53.js';
import { defineAction } from './define.js';
import { recordInZone, route53ValidationRecordMeta, validationChangeBatch } from './route53-validation-record.meta.js';
import { pollUntil } from './types.js';

export const route53ValidationRecord = defineAction(route53ValidationRecordMeta, {
  async execute(aws, p) {
    if (!recordInZone(p)) throw new Error(`refusing: ${p.recordName} is not inside zone ${p.zoneName}`);
    // The id came from a finding: make sure it is still the zone of that name before writing.
    const zone = await getHostedZone(aws, p.zoneId);
    if (zone.name !== fqdn(p.zoneName)) throw new Error(`refusing: hosted zone ${p.zoneId} is now ${zone.name}, not ${fqdn(p.zoneName)}`);
    if (zone.private) throw new Error(`refusing: hosted zone ${p.zoneId} is private; ACM validates through public DNS`);
    const batch = validationChangeBatch(p);
    const change = await upsertCname(aws, p.zoneId, p.recordName, p.recordValue, p.ttl, batch.Comment);
    return {
      done: `wrote ${fqdn(p.recordName)} CNAME into ${p.zoneId}`,
      ...(change.requestId ? { awsRequestId: change.requestId } : {}),
      facts: { changeId: change.id },
    };
  },
  async verify(aws, p, facts, opts) {
    const want = fqdn(p.recordValue);
    return pollUntil(async () => {
      const sets = await recordSetsNamed(aws, p.zoneId, p.recordName, 'CNAME');
      const value = sets[0]?.values[0];
      if (value === undefined) return { done: false, ok: false, detail: `${fqdn(p.recordName)} CNAME not listed in ${p.zoneId} yet` };
      if (fqdn(value) !== want) return { done: true, ok: false, detail: `${p.zoneId} has ${fqdn(p.recordName)} CNAME ${value}, not ${want}` };
      const change = facts.changeId ? await getChange(aws, facts.changeId) : undefined;
      if (change && change.status !== 'INSYNC') return { done: false, ok: false, detail: `record listed; change ${change.id} is ${change.status}` };
      let cert = '';
      if (p.certificateArn) {
        try {
          const c = await describeCertificate(aws, p.certificateArn);
          cert = c.status === 'ISSUED' ? '; the certificate is ISSUED' : `; the certificate is ${c.status} (ACM checks again within minutes)`;
        } catch (err) {
          cert = `; the certificate’s status could not be read (${err instanceof Error ? err.message : String(err)})`;
        }
      }
      return { done: true, ok: true, detail: `${fqdn(p.recordName)} CNAME ${want} is in ${p.zoneId}${change ? `, change ${change.id} INSYNC` : ''}${cert}` };
    }, opts);
  },
});
