/**
 * Amazon Route 53 Domains (awsJson1_1, signing name "route53domains", target prefix
 * "Route53Domains_v20140515"): GetDomainDetail. Served from us-east-1 only, as in AWS:
 * a request signed for another Region is refused the way AWS's endpoint would be
 * unreachable there (here: UnknownOperationException naming the Region).
 *
 * A domain this account has not registered answers `InvalidInput` ("Domain x not found in
 * N account."), as AWS does; contacts are not modelled (privacy protection on).
 */
import { AwsError } from '../errors.js';
import { Json11Protocol } from '../protocols/json11.js';
import { bareHost } from '../world-dns.js';
import { ParamReader } from './params.js';
import type { OperationContext, ServiceModule } from './types.js';

const protocol = new Json11Protocol({
  messageKey: 'message',
  errors: { invalidParameter: (message) => new AwsError('InvalidInput', message, 400) },
});

export const ROUTE53_DOMAINS_REGION = 'us-east-1';

function getDomainDetail(ctx: OperationContext) {
  if (ctx.world.region !== ROUTE53_DOMAINS_REGION)
    throw new AwsError('UnknownOperationException', `Route 53 Domains is served from ${ROUTE53_DOMAINS_REGION} only, not ${ctx.world.region}`, 400);
  const r = new ParamReader(ctx);
  const name = bareHost(r.str('DomainName', true));
  const domain = ctx.world.route53.domains.find((d) => d.name === name);
  if (!domain) throw new AwsError('InvalidInput', `Domain ${name} not found in ${ctx.world.accountId} account.`, 400);
  return {
    DomainName: domain.name,
    Nameservers: domain.nameServers.map((Name) => ({ Name, GlueIps: [] })),
    AutoRenew: true,
    AdminPrivacy: true,
    RegistrantPrivacy: true,
    TechPrivacy: true,
    RegistrarName: 'Amazon Registrar, Inc.',
    WhoIsServer: 'whois.registrar.amazon.com',
    RegistrarUrl: 'https://registrar.amazon.com',
    AbuseContactEmail: 'abuse@amazonaws.com',
    CreationDate: domain.registeredAt,
    UpdatedDate: domain.registeredAt,
    ExpirationDate: domain.expiresAt,
    StatusList: ['clientTransferProhibited'],
    DnsSec: 'unsigned',
  };
}

export const route53Domains: ServiceModule = {
  signingName: 'route53domains',
  protocol,
  operations: { GetDomainDetail: getDomainDetail },
};
