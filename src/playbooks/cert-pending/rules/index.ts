// cert-pending's rules, in the order they run (cert-dns-healthy reads the ones before it).
import certDnsHealthy from './cert-dns-healthy.js';
import duplicateHostedZones from './duplicate-hosted-zones.js';
import noHostedZone from './no-hosted-zone.js';
import noPendingCertificate from './no-pending-certificate.js';
import nsMismatch from './ns-mismatch.js';
import registrarUnknown from './registrar-unknown.js';
import validationRecordInOrphanZone from './validation-record-in-orphan-zone.js';
import validationRecordMissing from './validation-record-missing.js';
import validationRecordPresent from './validation-record-present.js';

export const rules = [
  noHostedZone,
  duplicateHostedZones,
  nsMismatch,
  validationRecordPresent,
  validationRecordInOrphanZone,
  validationRecordMissing,
  noPendingCertificate,
  registrarUnknown,
  certDnsHealthy,
] as const;
