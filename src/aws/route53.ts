// Route 53 (hosted zones, records, changes) and Route 53 Domains (the registrar's name
// servers). Names come back as Route 53 spells them: lower case with a trailing dot; ids
// without their "/hostedzone/" or "/change/" prefix.
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ListHostedZonesByNameCommandOutput,
  type ListResourceRecordSetsCommandOutput,
  type RRType,
  Route53Client
} from '@aws-sdk/client-route-53';
import { GetDomainDetailCommand, Route53DomainsClient } from '@aws-sdk/client-route-53-domains';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

const route53Client = (aws: AwsClients) => withAbort(aws.client('route53', (config) => new Route53Client(config)));
/** Route 53 Domains is served from us-east-1 only, whatever the investigation's Region */
const route53DomainsClient = (aws: AwsClients) => withAbort(aws.client('route53domains', (config) => new Route53DomainsClient(config), 'us-east-1'));

export const ROUTE53_IAM = {
  listHostedZonesByName: iam('route53:ListHostedZonesByName'),
  getHostedZone: iam('route53:GetHostedZone'),
  listResourceRecordSets: iam('route53:ListResourceRecordSets'),
  changeResourceRecordSets: iam('route53:ChangeResourceRecordSets'),
  getChange: iam('route53:GetChange'),
} as const;

export const ROUTE53_DOMAINS_IAM = { getDomainDetail: iam('route53domains:GetDomainDetail') } as const;

export interface HostedZone {
  /** "Z0123…" */
  id: string;
  /** "example.com." */
  name: string;
  private: boolean;
  comment?: string;
  recordCount?: number;
}

export interface HostedZoneDetail extends HostedZone {
  /** the delegation set, lower case without trailing dots; empty for a private zone */
  nameServers: string[];
}

export interface RecordSet {
  name: string;
  type: string;
  ttl?: number;
  values: string[];
}

export interface ChangeInfo {
  /** "C0123…" */
  id: string;
  status: 'PENDING' | 'INSYNC' | string;
  submittedAt?: Date;
  requestId?: string;
}

/** "Example.com" → "example.com." */
export const fqdn = (name: string): string => {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
};
/** "NS-1.awsdns-01.org." → "ns-1.awsdns-01.org" */
export const bareHost = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');
const zoneId = (id: string) => id.replace(/^\/?hostedzone\//, '');
const changeId = (id: string) => id.replace(/^\/?change\//, '');

/** Route 53 escapes some characters in names as \ooo octal (e.g. "*" as \052). */
const unescapeName = (name: string): string => name.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * Every hosted zone (public and private) whose name is exactly `name`. ListHostedZonesByName
 * lists zones in name order starting at `name`; the walk stops at the first other name.
 */
export async function hostedZonesNamed(aws: AwsClients, name: string, signal?: AbortSignal): Promise<HostedZone[]> {
  const wanted = fqdn(name);
  return awsCall(ROUTE53_IAM.listHostedZonesByName, async () => {
    const zones: HostedZone[] = [];
    let dnsName: string | undefined = wanted;
    let hostedZoneId: string | undefined;
    for (let page = 0; page < 20 && dnsName !== undefined; page++) {
      const out: ListHostedZonesByNameCommandOutput = await route53Client(aws).send(new ListHostedZonesByNameCommand({ DNSName: dnsName, HostedZoneId: hostedZoneId, MaxItems: 100 }), { abortSignal: signal });
      for (const z of out.HostedZones ?? []) {
        if (fqdn(unescapeName(z.Name ?? '')) !== wanted) return zones;
        zones.push({
          id: zoneId(z.Id ?? ''),
          name: wanted,
          private: z.Config?.PrivateZone ?? false,
          ...(z.Config?.Comment ? { comment: z.Config.Comment } : {}),
          ...(z.ResourceRecordSetCount !== undefined ? { recordCount: z.ResourceRecordSetCount } : {}),
        });
      }
      if (!out.IsTruncated) break;
      dnsName = out.NextDNSName;
      hostedZoneId = out.NextHostedZoneId;
    }
    return zones;
  });
}

export async function getHostedZone(aws: AwsClients, id: string, signal?: AbortSignal): Promise<HostedZoneDetail> {
  return awsCall(ROUTE53_IAM.getHostedZone, async () => {
    const out = await route53Client(aws).send(new GetHostedZoneCommand({ Id: zoneId(id) }), { abortSignal: signal });
    const z = out.HostedZone;
    return {
      id: zoneId(z?.Id ?? id),
      name: fqdn(unescapeName(z?.Name ?? '')),
      private: z?.Config?.PrivateZone ?? false,
      ...(z?.Config?.Comment ? { comment: z.Config.Comment } : {}),
      ...(z?.ResourceRecordSetCount !== undefined ? { recordCount: z.ResourceRecordSetCount } : {}),
      nameServers: (out.DelegationSet?.NameServers ?? []).map(bareHost),
    };
  });
}

/**
 * The record sets of one name (and type, if given) in a zone: ListResourceRecordSets from
 * that name, until the names move past it.
 */
export async function recordSetsNamed(
  aws: AwsClients,
  zone: string,
  name: string,
  type?: string,
  signal?: AbortSignal,
): Promise<RecordSet[]> {
  const wanted = fqdn(name);
  return awsCall(ROUTE53_IAM.listResourceRecordSets, async () => {
    const found: RecordSet[] = [];
    let startName: string | undefined = wanted;
    let startType: string | undefined = type;
    for (let page = 0; page < 10 && startName !== undefined; page++) {
      const out: ListResourceRecordSetsCommandOutput = await route53Client(aws).send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId(zone),
          StartRecordName: startName,
          ...(startType ? { StartRecordType: startType as RRType } : {}),
          MaxItems: 100,
        }),
        { abortSignal: signal },
      );
      for (const r of out.ResourceRecordSets ?? []) {
        if (fqdn(unescapeName(r.Name ?? '')) !== wanted) return found;
        if (type && r.Type !== type) return found;
        found.push({
          name: wanted,
          type: r.Type ?? '?',
          ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
          values: (r.ResourceRecords ?? []).map((v) => v.Value ?? ''),
        });
      }
      if (!out.IsTruncated) break;
      startName = out.NextRecordName;
      startType = out.NextRecordType;
    }
    return found;
  });
}

/** One UPSERT of one CNAME: the whole change batch, nothing else. */
export function cnameUpsertBatch(name: string, value: string, ttl: number, comment?: string) {
  return {
    ...(comment ? { Comment: comment } : {}),
    Changes: [
      {
        Action: 'UPSERT' as const,
        ResourceRecordSet: { Name: fqdn(name), Type: 'CNAME' as const, TTL: ttl, ResourceRecords: [{ Value: fqdn(value) }] },
      },
    ],
  };
}

export async function upsertCname(aws: AwsClients, zone: string, name: string, value: string, ttl: number, comment?: string): Promise<ChangeInfo> {
  return awsCall(ROUTE53_IAM.changeResourceRecordSets, async () => {
    const out = await route53Client(aws).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId(zone), ChangeBatch: cnameUpsertBatch(name, value, ttl, comment) }));
    return {
      id: changeId(out.ChangeInfo?.Id ?? ''),
      status: out.ChangeInfo?.Status ?? 'PENDING',
      ...(out.ChangeInfo?.SubmittedAt ? { submittedAt: out.ChangeInfo.SubmittedAt } : {}),
      ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}),
    };
  });
}

export async function getChange(aws: AwsClients, id: string): Promise<ChangeInfo> {
  return awsCall(ROUTE53_IAM.getChange, async () => {
    const out = await route53Client(aws).send(new GetChangeCommand({ Id: changeId(id) }));
    return {
      id: changeId(out.ChangeInfo?.Id ?? id),
      status: out.ChangeInfo?.Status ?? 'PENDING',
      ...(out.ChangeInfo?.SubmittedAt ? { submittedAt: out.ChangeInfo.SubmittedAt } : {}),
    };
  });
}

export type RegistrarInfo =
  | { registered: true; domain: string; nameServers: string[]; registrar?: string; created?: Date; updated?: Date }
  /** Route 53 Domains does not hold this domain for this account (registered elsewhere or not at all) */
  | { registered: false; domain: string; reason: string };

/** The name servers the registrar publishes, if the domain is registered with Route 53 Domains in this account. */
export async function registrarNameServers(aws: AwsClients, domain: string, signal?: AbortSignal): Promise<RegistrarInfo> {
  const name = bareHost(domain);
  try {
    return await awsCall(ROUTE53_DOMAINS_IAM.getDomainDetail, async () => {
      const out = await route53DomainsClient(aws).send(new GetDomainDetailCommand({ DomainName: name }), { abortSignal: signal });
      return {
        registered: true as const,
        domain: name,
        nameServers: (out.Nameservers ?? []).map((n) => bareHost(n.Name ?? '')).filter(Boolean),
        ...(out.RegistrarName ? { registrar: out.RegistrarName } : {}),
        ...(out.CreationDate ? { created: out.CreationDate } : {}),
        ...(out.UpdatedDate ? { updated: out.UpdatedDate } : {}),
      };
    });
  } catch (err) {
    // "Domain x not found in N account." / a TLD Route 53 does not sell: not an error for us.
    if (err instanceof AwsCallError && (err.awsCode === 'InvalidInput' || err.awsCode === 'UnsupportedTLD'))
      return { registered: false, domain: name, reason: err.message.replace(/^\w+: /, '') };
    throw err;
  }
}
