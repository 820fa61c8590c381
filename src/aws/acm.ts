// ACM certificates and their DNS validation records. ACM is regional: certificates for an
// ALB live in its Region, certificates for CloudFront in us-east-1, so every call names
// the Region it asks.
import { DescribeCertificateCommand, paginateListCertificates, type KeyAlgorithm, ACMClient } from '@aws-sdk/client-acm';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

/** ACM is regional; certificates for CloudFront live in us-east-1 */
const acmClient = (aws: AwsClients, region?: string) => withAbort(aws.client('acm', (config) => new ACMClient(config), region));

export const ACM_IAM = {
  listCertificates: iam('acm:ListCertificates'),
  describeCertificate: iam('acm:DescribeCertificate'),
} as const;

export interface CertificateSummary {
  arn: string;
  region: string;
  domain: string;
  /** the domain and the other names (as far as ListCertificates shows them) */
  names: string[];
  status: string;
  createdAt?: Date;
}

export interface DomainValidation {
  domain: string;
  status?: string;
  method?: string;
  /** the CNAME ACM looks for */
  record?: { name: string; type: string; value: string };
}

export interface Certificate extends CertificateSummary {
  validations: DomainValidation[];
  issuedAt?: Date;
  inUseBy: string[];
}

/** Without `Includes`, ListCertificates returns RSA-2048 certificates only. */
const ALL_KEY_TYPES: KeyAlgorithm[] = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1'];

export async function listCertificates(aws: AwsClients, region: string, statuses: string[], signal?: AbortSignal): Promise<CertificateSummary[]> {
  return awsCall(ACM_IAM.listCertificates, async () => {
    const all: CertificateSummary[] = [];
    const pages = paginateListCertificates(
      { client: acmClient(aws, region), pageSize: 100 },
      { CertificateStatuses: statuses as never, Includes: { keyTypes: ALL_KEY_TYPES } },
    );
    for await (const page of pages) {
      if (signal?.aborted) break;
      for (const c of page.CertificateSummaryList ?? [])
        all.push({
          arn: c.CertificateArn ?? '',
          region,
          domain: c.DomainName ?? '',
          names: [...new Set([c.DomainName ?? '', ...(c.SubjectAlternativeNameSummaries ?? [])].filter(Boolean))],
          status: c.Status ?? 'UNKNOWN',
          ...(c.CreatedAt ? { createdAt: c.CreatedAt } : {}),
        });
    }
    return all;
  });
}

export async function describeCertificate(aws: AwsClients, arn: string, signal?: AbortSignal): Promise<Certificate> {
  const region = arn.split(':')[3] ?? '';
  return awsCall(ACM_IAM.describeCertificate, async () => {
    const out = await acmClient(aws, region).send(new DescribeCertificateCommand({ CertificateArn: arn }), { abortSignal: signal });
    const c = out.Certificate;
    return {
      arn: c?.CertificateArn ?? arn,
      region,
      domain: c?.DomainName ?? '',
      names: [...new Set([c?.DomainName ?? '', ...(c?.SubjectAlternativeNames ?? [])].filter(Boolean))],
      status: c?.Status ?? 'UNKNOWN',
      ...(c?.CreatedAt ? { createdAt: c.CreatedAt } : {}),
      ...(c?.IssuedAt ? { issuedAt: c.IssuedAt } : {}),
      inUseBy: c?.InUseBy ?? [],
      validations: (c?.DomainValidationOptions ?? []).map((v) => ({
        domain: v.DomainName ?? '',
        ...(v.ValidationStatus ? { status: v.ValidationStatus } : {}),
        ...(v.ValidationMethod ? { method: v.ValidationMethod } : {}),
        ...(v.ResourceRecord?.Name && v.ResourceRecord.Value
          ? { record: { name: v.ResourceRecord.Name, type: v.ResourceRecord.Type ?? 'CNAME', value: v.ResourceRecord.Value } }
          : {}),
      })),
    };
  });
}
