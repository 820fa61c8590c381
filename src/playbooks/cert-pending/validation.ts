// What the three validation-record rules say alike: the certificate's wait, ACM's 72-hour
// deadline, the evidence lines and the button that writes the CNAME into the delegated zone.
import type { HostedZoneDetail } from '../../aws/route53.js';
import type { Evidence, RemediationRef } from '../../findings.js';
import { formatDuration } from '../../time.js';
import type { CertPendingEvidence } from './evidence.js';
import { ACM_TIMEOUT_MS, delegation, type PendingValidation, type ValidationState } from './facts.js';

const VALIDATION_TTL = 300;

export interface ValidationData {
  recordName: string;
  certificateArn: string;
  /** the names the record validates */
  names: string[];
  /** the delegated zone, when known */
  delegatedZoneId?: string;
}

export function validationWording(e: CertPendingEvidence, s: ValidationState) {
  const p = s.pending;
  const { delegated } = delegation(e);
  const age = e.now.getTime() - (p.certificate.createdAt?.getTime() ?? e.now.getTime());
  const certText = `certificate for ${p.certificate.domain} (${p.certificate.region}) has been PENDING_VALIDATION for ${formatDuration(age)}`;
  const timeout =
    age > ACM_TIMEOUT_MS / 2
      ? ` ACM gives up after 72 hours (VALIDATION_TIMED_OUT, ${formatDuration(Math.max(0, ACM_TIMEOUT_MS - age))} left); after that request a new certificate.`
      : '';
  const evidence: Evidence[] = [
    {
      source: 'ACM',
      ...(p.certificate.createdAt ? { time: p.certificate.createdAt.toISOString() } : {}),
      text: `${p.certificate.arn}: ${p.names.join(', ')} wants ${p.recordName} CNAME ${p.recordValue}`,
    },
    ...s.held.map((h) => ({
      source: 'Route 53',
      text: `zone ${h.zoneId}${delegated?.id === h.zoneId ? ' (delegated)' : ''}: ${h.value ? `CNAME ${h.value}` : 'no such CNAME'}`,
    })),
  ];
  const data: ValidationData = {
    recordName: p.recordName,
    certificateArn: p.certificate.arn,
    names: p.names,
    ...(delegated ? { delegatedZoneId: delegated.id } : {}),
  };
  return { certText, timeout, evidence, data };
}

export function validationRemediations(zone: HostedZoneDetail | undefined, p: PendingValidation): RemediationRef[] {
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
