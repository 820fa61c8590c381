/**
 * AWS Certificate Manager (awsJson1_1, signing name "acm", target prefix
 * "CertificateManager"): ListCertificates, DescribeCertificate.
 *
 * The certificates are the scenario's `acm.certificates`; each lives in the Region of its
 * ARN, and a Region's endpoint serves only its own (CloudFront's live in us-east-1).
 * Before answering, pending DNS validations are re-checked (world-dns.ts
 * `advanceValidation`): a validation CNAME in the delegated hosted zone, INSYNC, passes;
 * one in a zone the registrar does not point at never does.
 *
 * Differences from AWS: `Includes` (key types, extended key usages) is ignored — every
 * certificate is RSA_2048; issuance happens on the next read after the record is INSYNC,
 * without ACM's minutes of delay.
 */
import { AwsError } from '../errors.js';
import { Json11Protocol } from '../protocols/json11.js';
import { advanceValidation, type AcmCertificate } from '../world-dns.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, ServiceModule } from './types.js';

const protocol = new Json11Protocol({
  messageKey: 'message',
  errors: {
    // ACM spells this one's message member "Message".
    accessDenied: (message) => new AwsError('AccessDeniedException', message, 400, { fields: { Message: message } }),
    invalidParameter: (message) => new AwsError('ValidationException', message, 400),
  },
});

const STATUSES = new Set(['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED']);

function inRegion(ctx: OperationContext): AcmCertificate[] {
  advanceValidation(ctx.world.acm, ctx.world.route53, ctx.now);
  return ctx.world.acm.certificates.filter((c) => c.region === ctx.world.region);
}

function listCertificates(ctx: OperationContext) {
  const r = new ParamReader(ctx);
  const statuses = r.strings('CertificateStatuses');
  for (const s of statuses ?? []) if (!STATUSES.has(s)) throw r.invalid(`1 validation error detected: Value '${s}' at 'certificateStatuses' failed to satisfy constraint`);
  const limit = r.int('MaxItems') ?? 1000;
  if (limit < 1 || limit > 1000) throw r.invalid('MaxItems must be between 1 and 1000');
  const all = inRegion(ctx).filter((c) => !statuses?.length || statuses.includes(c.status));
  const page = paginate(all, {
    token: r.str('NextToken'),
    limit,
    scope: { statuses, region: ctx.world.region },
    invalidToken: () => new AwsError('InvalidArgsException', 'The NextToken is not valid.', 400),
  });
  return {
    CertificateSummaryList: page.items.map((c) => ({
      CertificateArn: c.arn,
      DomainName: c.domain,
      SubjectAlternativeNameSummaries: [c.domain, ...c.sans],
      HasAdditionalSubjectAlternativeNames: false,
      Status: c.status,
      Type: 'AMAZON_ISSUED',
      KeyAlgorithm: 'RSA-2048',
      KeyUsages: ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'],
      ExtendedKeyUsages: ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION'],
      InUse: false,
      RenewalEligibility: 'INELIGIBLE',
      CreatedAt: c.createdAt,
      ...(c.issuedAt && { IssuedAt: c.issuedAt }),
    })),
    ...(page.next && { NextToken: page.next }),
  };
}

function describeCertificate(ctx: OperationContext) {
  const r = new ParamReader(ctx);
  const arn = r.str('CertificateArn', true);
  if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/.test(arn)) throw new AwsError('InvalidArnException', `String '${arn}' is not a valid ARN.`, 400);
  const c = inRegion(ctx).find((x) => x.arn === arn);
  if (!c) throw new AwsError('ResourceNotFoundException', `Could not find certificate ${arn}.`, 400);
  return {
    Certificate: {
      CertificateArn: c.arn,
      DomainName: c.domain,
      SubjectAlternativeNames: [c.domain, ...c.sans],
      DomainValidationOptions: c.validations.map((v) => ({
        DomainName: v.domain,
        ValidationDomain: v.domain,
        ValidationStatus: v.status,
        ResourceRecord: { Name: v.recordName, Type: 'CNAME', Value: v.recordValue },
        ValidationMethod: 'DNS',
      })),
      Status: c.status,
      Type: 'AMAZON_ISSUED',
      KeyAlgorithm: 'RSA-2048',
      SignatureAlgorithm: 'SHA256WITHRSA',
      InUseBy: [],
      CreatedAt: c.createdAt,
      ...(c.issuedAt && { IssuedAt: c.issuedAt, NotBefore: c.issuedAt, NotAfter: new Date(c.issuedAt.getTime() + 395 * 86_400_000) }),
      RenewalEligibility: 'INELIGIBLE',
      Options: { CertificateTransparencyLoggingPreference: 'ENABLED' },
    },
  };
}

export const acm: ServiceModule = {
  signingName: 'acm',
  protocol,
  operations: { ListCertificates: listCertificates, DescribeCertificate: describeCertificate },
  iamResource(_operation, params) {
    return typeof params.CertificateArn === 'string' ? params.CertificateArn : '*';
  },
};
