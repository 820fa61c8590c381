// The AWS double's Route 53 (restXml), Route 53 Domains and ACM (JSON 1.1), exercised with
// the REAL AWS SDK v3 clients through AWS_ENDPOINT_URL, plus the restXml protocol module.
import {
  ACMClient,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  paginateListCertificates,
} from '@aws-sdk/client-acm';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { GetDomainDetailCommand, Route53DomainsClient } from '@aws-sdk/client-route-53-domains';
import { afterEach, describe, expect, it } from 'vitest';
import { RestXmlProtocol, parseXml, xmlToData } from '../src/sandbox/aws/protocols/rest-xml.js';
import { xmlList } from '../src/sandbox/aws/protocols/query-xml.js';
import { AwsError } from '../src/sandbox/aws/errors.js';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { buildWorld } from '../src/sandbox/aws/world.js';
import { defaultNameServers, DnsScenarioError } from '../src/sandbox/aws/world-dns.js';
import { listScenarios, loadScenario, ScenarioSchema, type Scenario } from '../src/sandbox/scenario.js';

const REAL = 'Z08247963J2TQ4ZQ0UK1B';
const ORPHAN = 'Z03117522FPLN1Z9XDJZ3';
const ALB_CERT = 'arn:aws:acm:ap-northeast-1:123456789012:certificate/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b';
const CDN_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d';
const ALB_RECORD = '_5b1f0c2d9e8a7b6c5d4e3f2a1b0c9d8e.example-shop.com.';
const ALB_VALUE = '_9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49.zfyfvmchrl.acm-validations.aws.';
const T0 = new Date('2026-11-23T12:00:00.000Z');

let double: AwsDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function start(name = 'incident-001-dns', tweak?: (s: Scenario) => void) {
  const scenario = await loadScenario(name);
  tweak?.(scenario);
  double = await startAwsDouble({ scenario });
  process.env.AWS_ENDPOINT_URL = double.url;
  const r53 = (region = 'ap-northeast-1') => new Route53Client({ region, maxAttempts: 1 });
  const domains = (region = 'us-east-1') => new Route53DomainsClient({ region, maxAttempts: 1 });
  const acm = (region = 'ap-northeast-1') => new ACMClient({ region, maxAttempts: 1 });
  return { aws: double, r53, domains, acm };
}

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number; error: unknown }> {
  try {
    await p;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, ...(e.$metadata?.httpStatusCode !== undefined ? { status: e.$metadata.httpStatusCode } : {}), error };
  }
  throw new Error('expected the call to fail');
}

const cname = (Action: 'CREATE' | 'UPSERT' | 'DELETE', Name: string, Value: string, TTL = 300) => ({
  Action,
  ResourceRecordSet: { Name, Type: 'CNAME' as const, TTL, ResourceRecords: [{ Value }] },
});

describe('restXml protocol module', () => {
  const protocol = new RestXmlProtocol({
    routes: [
      { operation: 'GetThing', method: 'GET', uri: '/2013-04-01/thing/{Id}', query: { maxitems: 'MaxItems' } },
      { operation: 'PutThing', method: 'POST', uri: '/2013-04-01/thing/{Id}/rrset/' },
    ],
    errors: {
      accessDenied: (m) => new AwsError('AccessDenied', m, 403),
      throttling: () => new AwsError('Throttling', 'Rate exceeded', 400),
      internal: () => new AwsError('InternalFailure', 'x', 500),
      unknownOperation: () => new AwsError('UnknownOperationException', 'x', 404),
      missingParameter: (n) => new AwsError('InvalidInput', n, 400),
      invalidParameter: (m) => new AwsError('InvalidInput', m, 400),
    },
    xmlns: 'https://example.test/doc/',
    bodyLists: { Items: 'Item' },
  });
  const req = (method: string, url: string, body = '') => ({ method, url, headers: {}, body });

  it('routes by method and path (trailing slash optional), labels percent-decoded, query bound', () => {
    expect(protocol.operationOf(req('GET', '/2013-04-01/thing/Z1%2Fx?maxitems=3'))).toBe('GetThing');
    expect(protocol.parseParams(req('GET', '/2013-04-01/thing/Z1%2Fx?maxitems=3'))).toEqual({ Id: 'Z1/x', MaxItems: '3' });
    expect(protocol.operationOf(req('POST', '/2013-04-01/thing/Z1/rrset'))).toBe('PutThing');
    expect(protocol.operationOf(req('POST', '/2013-04-01/thing/Z1/rrset/'))).toBe('PutThing');
    expect(protocol.operationOf(req('DELETE', '/2013-04-01/thing/Z1'))).toBeUndefined();
  });

  it('reads XML bodies: root dropped, wrapped lists (also of one), entities and CDATA', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><PutThingRequest xmlns="https://example.test/doc/"><Batch><Items><Item><V>a &amp; b &#x3C;c&#62;</V></Item></Items>' +
      '<Comment><![CDATA[<raw>]]></Comment><Empty/></Batch></PutThingRequest>';
    expect(protocol.parseParams(req('POST', '/2013-04-01/thing/Z9/rrset', body))).toEqual({
      Id: 'Z9',
      Batch: { Items: [{ V: 'a & b <c>' }], Comment: '<raw>', Empty: '' },
    });
  });

  it('refuses malformed XML with MalformedXML', () => {
    for (const bad of ['<a><b></a>', '<a>', '<a></a><b></b>', 'text', '<a>1 < 2</a>']) {
      expect(() => parseXml(bad), bad).toThrow(AwsError);
      try {
        parseXml(bad);
      } catch (e) {
        expect((e as AwsError).code).toBe('MalformedXML');
      }
    }
    expect(xmlToData(parseXml('<r><__proto__>x</__proto__><k>v</k></r>'))).toEqual({ k: 'v' });
  });

  it('writes <OpResponse xmlns> without a Result wrapper, and ErrorResponse errors', () => {
    const ok = protocol.encodeResult('GetThing', { Things: xmlList('Thing', ['a', 'b']), Flag: true, When: T0 }, 'req-1');
    expect(ok.status).toBe(200);
    expect(ok.headers['x-amzn-requestid']).toBe('req-1');
    expect(ok.body).toContain('<GetThingResponse xmlns="https://example.test/doc/"><Things><Thing>a</Thing><Thing>b</Thing></Things><Flag>true</Flag><When>2026-11-23T12:00:00.000Z</When></GetThingResponse>');
    const err = protocol.encodeError(new AwsError('NoSuchThing', 'No <thing>', 404), 'req-2');
    expect(err.status).toBe(404);
    expect(err.body).toContain('<Error><Type>Sender</Type><Code>NoSuchThing</Code><Message>No &lt;thing&gt;</Message></Error><RequestId>req-2</RequestId>');
  });
});

describe('Route 53 in the double (real SDK)', () => {
  it('ListHostedZonesByName: both zones of the name, in id order, paged by NextDNSName/NextHostedZoneId', async () => {
    const { r53 } = await start();
    const client = r53();
    const first = await client.send(new ListHostedZonesByNameCommand({ DNSName: 'example-shop.com', MaxItems: 1 }));
    expect(first.HostedZones?.map((z) => z.Id)).toEqual([`/hostedzone/${ORPHAN}`]);
    expect(first).toMatchObject({ IsTruncated: true, NextDNSName: 'example-shop.com.', NextHostedZoneId: REAL, DNSName: 'example-shop.com', MaxItems: 1 });
    const second = await client.send(
      new ListHostedZonesByNameCommand({ DNSName: first.NextDNSName, HostedZoneId: first.NextHostedZoneId, MaxItems: 1 }),
    );
    expect(second.HostedZones?.[0]).toMatchObject({
      Id: `/hostedzone/${REAL}`,
      Name: 'example-shop.com.',
      Config: { Comment: 'HostedZone created by Route53 Registrar', PrivateZone: false },
      ResourceRecordSetCount: 2,
    });
    expect(second.IsTruncated).toBe(false);
    // Names sort with their labels reversed: nothing after com.example-shop here.
    const after = await client.send(new ListHostedZonesByNameCommand({ DNSName: 'zzz.example-shop.com' }));
    expect(after.HostedZones).toEqual([]);
    const err = await failure(client.send(new ListHostedZonesByNameCommand({ HostedZoneId: REAL })));
    expect(err.name).toBe('InvalidInput');
  });

  it('GetHostedZone: the delegation set; a private zone has VPCs instead; NoSuchHostedZone 404', async () => {
    const { r53 } = await start('dns-healthy');
    const client = r53();
    const pub = await client.send(new GetHostedZoneCommand({ Id: `/hostedzone/${REAL}` }));
    expect(pub.DelegationSet?.NameServers).toEqual(['ns-235.awsdns-29.com', 'ns-740.awsdns-28.net', 'ns-1097.awsdns-09.org', 'ns-1801.awsdns-33.co.uk']);
    const priv = await client.send(new GetHostedZoneCommand({ Id: 'Z0744INTERNAL5VPC0NLY' }));
    expect(priv.HostedZone?.Config?.PrivateZone).toBe(true);
    expect(priv.DelegationSet).toBeUndefined();
    expect(priv.VPCs?.[0]?.VPCRegion).toBe('ap-northeast-1');
    const err = await failure(client.send(new GetHostedZoneCommand({ Id: 'ZNOSUCHZONE' })));
    expect(err.error).toBeInstanceOf(NoSuchHostedZone);
    expect(err).toMatchObject({ message: 'No hosted zone found with ID: ZNOSUCHZONE', status: 404 });
  });

  it('ListResourceRecordSets: SOA and NS at the apex, name order, start name/type, paging', async () => {
    const { r53 } = await start();
    const client = r53();
    const all = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: ORPHAN }));
    expect(all.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual([
      'example-shop.com. NS',
      'example-shop.com. SOA',
      `${ALB_RECORD} CNAME`,
      '_2e4f6a8c0b1d3e5f7a9c1e3b5d7f9a2c.cdn.example-shop.com. CNAME',
    ]);
    expect(all.ResourceRecordSets?.[0]).toMatchObject({ TTL: 172800, ResourceRecords: [{ Value: 'ns-402.awsdns-50.com.' }, { Value: 'ns-1455.awsdns-53.org.' }, { Value: 'ns-920.awsdns-51.net.' }, { Value: 'ns-1988.awsdns-56.co.uk.' }] });
    const page = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: ORPHAN, StartRecordName: ALB_RECORD, StartRecordType: 'CNAME', MaxItems: 1 }));
    expect(page.ResourceRecordSets?.map((r) => r.Name)).toEqual([ALB_RECORD]);
    expect(page).toMatchObject({ IsTruncated: true, NextRecordName: '_2e4f6a8c0b1d3e5f7a9c1e3b5d7f9a2c.cdn.example-shop.com.', NextRecordType: 'CNAME' });
    // The delegated zone does not have it: listing from the name gives what follows.
    const real = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: REAL, StartRecordName: ALB_RECORD, StartRecordType: 'CNAME' }));
    expect(real.ResourceRecordSets).toEqual([]);
  });

  it('ChangeResourceRecordSets: UPSERT writes and returns PENDING; GetChange turns INSYNC; global across Regions', async () => {
    const { r53, aws } = await start();
    const change = await r53().send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: REAL, ChangeBatch: { Comment: 'fix & go', Changes: [cname('UPSERT', ALB_RECORD, ALB_VALUE)] } }),
    );
    expect(change.ChangeInfo).toMatchObject({ Status: 'PENDING', Comment: 'fix & go' });
    expect(change.ChangeInfo?.Id).toMatch(/^\/change\/C[A-Z0-9]+$/);
    expect(change.ChangeInfo?.SubmittedAt).toBeInstanceOf(Date);
    // Visible at once through ListResourceRecordSets, also from another Region's endpoint.
    const seen = await r53('us-east-1').send(new ListResourceRecordSetsCommand({ HostedZoneId: REAL, StartRecordName: ALB_RECORD, StartRecordType: 'CNAME', MaxItems: 1 }));
    expect(seen.ResourceRecordSets?.[0]).toMatchObject({ Name: ALB_RECORD, TTL: 300, ResourceRecords: [{ Value: ALB_VALUE }] });
    await new Promise((r) => setTimeout(r, aws.world.route53.changeSyncMs + 10));
    const synced = await r53().send(new GetChangeCommand({ Id: change.ChangeInfo!.Id }));
    expect(synced.ChangeInfo?.Status).toBe('INSYNC');
    // UPSERT again replaces, it does not add.
    await r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: REAL, ChangeBatch: { Changes: [cname('UPSERT', ALB_RECORD, 'other.acm-validations.aws.', 60)] } }));
    const zone = aws.world.route53.zones.find((z) => z.id === REAL)!;
    expect(zone.records.filter((r) => r.type === 'CNAME')).toMatchObject([{ name: ALB_RECORD, ttl: 60, values: ['other.acm-validations.aws.'] }]);
    const missing = await failure(r53().send(new GetChangeCommand({ Id: 'CNOSUCHCHANGE' })));
    expect(missing).toMatchObject({ name: 'NoSuchChange', status: 404 });
  });

  it('ChangeResourceRecordSets: a batch with one bad change applies nothing (InvalidChangeBatch)', async () => {
    const { r53, aws } = await start();
    const before = JSON.stringify(aws.world.route53.zones);
    const cases = [
      [cname('CREATE', '_new.example-shop.com.', 'x.acm-validations.aws.'), cname('CREATE', ALB_RECORD, ALB_VALUE)],
      [cname('UPSERT', '_new.example-shop.com.', 'x.acm-validations.aws.'), cname('DELETE', '_absent.example-shop.com.', 'x.')],
      [cname('UPSERT', '_x.other.org.', 'x.acm-validations.aws.')],
      [cname('UPSERT', 'example-shop.com.', 'x.acm-validations.aws.')],
    ];
    for (const Changes of cases) {
      const err = await failure(r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ORPHAN, ChangeBatch: { Changes } })));
      expect(err.error, JSON.stringify(Changes)).toBeInstanceOf(InvalidChangeBatch);
    }
    expect(JSON.stringify(aws.world.route53.zones)).toBe(before);
    expect(aws.world.route53.changes).toEqual([]);
    // DELETE must name the record exactly (TTL and values), as in Route 53.
    await r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ORPHAN, ChangeBatch: { Changes: [cname('DELETE', ALB_RECORD, ALB_VALUE)] } }));
    expect(aws.world.route53.zones.find((z) => z.id === ORPHAN)!.records.some((r) => r.name === ALB_RECORD)).toBe(false);
  });

  it('faults: AccessDenied names the action and the zone ARN; Throttling is retried by the SDK', async () => {
    const { r53, aws } = await start();
    aws.inject({ service: 'route53', operation: 'ChangeResourceRecordSets', kind: 'AccessDenied', times: 1 });
    const denied = await failure(r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: REAL, ChangeBatch: { Changes: [cname('UPSERT', ALB_RECORD, ALB_VALUE)] } })));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(denied.message).toBe(
      `User: arn:aws:sts::123456789012:assumed-role/whybot/whybot-sandbox is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/${REAL} because no identity-based policy allows the route53:ChangeResourceRecordSets action`,
    );
    aws.inject({ service: 'route53', operation: 'GetHostedZone', kind: 'Throttling', times: 1 });
    const retried = await new Route53Client({ region: 'ap-northeast-1', maxAttempts: 2 }).send(new GetHostedZoneCommand({ Id: REAL }));
    expect(retried.HostedZone?.Id).toBe(`/hostedzone/${REAL}`);
    expect(aws.calls.filter((c) => c.operation === 'GetHostedZone').map((c) => c.error ?? c.status)).toEqual(['Throttling', 200]);
    expect(aws.calls.find((c) => c.operation === 'ChangeResourceRecordSets')?.error).toBe('AccessDenied');
  });
});

describe('Route 53 Domains in the double (real SDK)', () => {
  it('GetDomainDetail in us-east-1: the registrar’s name servers; unknown domain → InvalidInput', async () => {
    const { domains } = await start();
    const d = await domains().send(new GetDomainDetailCommand({ DomainName: 'example-shop.com' }));
    expect(d.Nameservers?.map((n) => n.Name)).toEqual(['ns-1097.awsdns-09.org', 'ns-1801.awsdns-33.co.uk', 'ns-235.awsdns-29.com', 'ns-740.awsdns-28.net']);
    expect(d.RegistrarName).toBe('Amazon Registrar, Inc.');
    expect(d.CreationDate).toBeInstanceOf(Date);
    const err = await failure(domains().send(new GetDomainDetailCommand({ DomainName: 'not-mine.com' })));
    expect(err).toMatchObject({ name: 'InvalidInput', message: 'Domain not-mine.com not found in 123456789012 account.' });
  });

  it('is served from us-east-1 only', async () => {
    const { domains } = await start();
    const err = await failure(domains('ap-northeast-1').send(new GetDomainDetailCommand({ DomainName: 'example-shop.com' })));
    expect(err.message).toMatch(/us-east-1 only/);
  });
});

describe('ACM in the double (real SDK)', () => {
  it('each Region serves its own certificates; the status filter applies; paging works', async () => {
    const { acm } = await start();
    const tokyo = await acm().send(new ListCertificatesCommand({ CertificateStatuses: ['PENDING_VALIDATION'] }));
    expect(tokyo.CertificateSummaryList?.map((c) => c.CertificateArn)).toEqual([ALB_CERT]);
    expect(tokyo.CertificateSummaryList?.[0]?.SubjectAlternativeNameSummaries).toEqual(['example-shop.com', '*.example-shop.com']);
    const virginia = await acm('us-east-1').send(new ListCertificatesCommand({}));
    expect(virginia.CertificateSummaryList?.map((c) => c.CertificateArn)).toEqual([CDN_CERT]);
    const issued = await acm().send(new ListCertificatesCommand({ CertificateStatuses: ['ISSUED'] }));
    expect(issued.CertificateSummaryList).toEqual([]);
    const elsewhere = await acm('eu-west-1').send(new ListCertificatesCommand({}));
    expect(elsewhere.CertificateSummaryList).toEqual([]);
    const bad = await failure(acm().send(new ListCertificatesCommand({ CertificateStatuses: ['NOPE' as never] })));
    expect(bad.name).toBe('ValidationException');
  });

  it('paginates with NextToken', async () => {
    const { acm } = await start('incident-001-dns', (s) => {
      s.acm.certificates.push(
        { arn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-4000-8000-000000000001', domain: 'a.example-shop.com', status: 'ISSUED' },
        { arn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-4000-8000-000000000002', domain: 'b.example-shop.com', status: 'ISSUED' },
      );
    });
    const arns: string[] = [];
    for await (const page of paginateListCertificates({ client: acm(), pageSize: 1 }, {})) arns.push(...(page.CertificateSummaryList ?? []).map((c) => c.CertificateArn!));
    expect(arns).toHaveLength(3);
  });

  it('DescribeCertificate: validation options with the CNAME; ResourceNotFound; InvalidArn', async () => {
    const { acm } = await start();
    const out = await acm().send(new DescribeCertificateCommand({ CertificateArn: ALB_CERT }));
    expect(out.Certificate).toMatchObject({ Status: 'PENDING_VALIDATION', DomainName: 'example-shop.com', Type: 'AMAZON_ISSUED' });
    expect(out.Certificate?.DomainValidationOptions).toEqual([
      { DomainName: 'example-shop.com', ValidationDomain: 'example-shop.com', ValidationStatus: 'PENDING_VALIDATION', ValidationMethod: 'DNS', ResourceRecord: { Name: ALB_RECORD, Type: 'CNAME', Value: ALB_VALUE } },
      { DomainName: '*.example-shop.com', ValidationDomain: '*.example-shop.com', ValidationStatus: 'PENDING_VALIDATION', ValidationMethod: 'DNS', ResourceRecord: { Name: ALB_RECORD, Type: 'CNAME', Value: ALB_VALUE } },
    ]);
    // A us-east-1 certificate is not found through the Tokyo endpoint.
    const wrongRegion = await failure(acm().send(new DescribeCertificateCommand({ CertificateArn: CDN_CERT.replace('us-east-1', 'ap-northeast-1') })));
    expect(wrongRegion.name).toBe('ResourceNotFoundException');
    const bad = await failure(acm().send(new DescribeCertificateCommand({ CertificateArn: 'not-an-arn' })));
    expect(bad.name).toBe('InvalidArnException');
  });

  it('validates once the CNAME is in the delegated zone and INSYNC — never from the orphan', async () => {
    const { acm, r53, aws } = await start();
    // long enough that a loaded machine still reads the change before it is INSYNC
    aws.world.route53.changeSyncMs = 1_000;
    // Already in the orphan zone since the start: still pending.
    expect((await acm().send(new DescribeCertificateCommand({ CertificateArn: ALB_CERT }))).Certificate?.Status).toBe('PENDING_VALIDATION');
    await r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: REAL, ChangeBatch: { Changes: [cname('UPSERT', ALB_RECORD, ALB_VALUE)] } }));
    // PENDING change: not resolvable yet.
    expect((await acm().send(new DescribeCertificateCommand({ CertificateArn: ALB_CERT }))).Certificate?.Status).toBe('PENDING_VALIDATION');
    await new Promise((r) => setTimeout(r, aws.world.route53.changeSyncMs + 10));
    const issued = (await acm().send(new DescribeCertificateCommand({ CertificateArn: ALB_CERT }))).Certificate!;
    expect(issued.Status).toBe('ISSUED');
    expect(issued.IssuedAt).toBeInstanceOf(Date);
    expect(issued.DomainValidationOptions?.map((v) => v.ValidationStatus)).toEqual(['SUCCESS', 'SUCCESS']);
    // The CDN certificate's record is still only in the orphan.
    expect((await acm('us-east-1').send(new DescribeCertificateCommand({ CertificateArn: CDN_CERT }))).Certificate?.Status).toBe('PENDING_VALIDATION');
  });

  it('AccessDenied: AccessDeniedException naming acm:DescribeCertificate on the certificate', async () => {
    const { acm, aws } = await start();
    aws.inject({ service: 'acm', operation: 'DescribeCertificate', kind: 'AccessDenied', times: 1 });
    const err = await failure(acm().send(new DescribeCertificateCommand({ CertificateArn: ALB_CERT })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain(`acm:DescribeCertificate on resource: ${ALB_CERT}`);
  });
});

describe('DNS scenario sections', () => {
  it('default to empty, and other scenarios have none', async () => {
    expect(ScenarioSchema.parse({ name: 'x', description: '' })).toMatchObject({ route53: { zones: [], domains: [] }, acm: { certificates: [] } });
    for (const name of await listScenarios()) {
      if (name === 'incident-001-dns' || name === 'dns-healthy') continue;
      const s = await loadScenario(name);
      expect(s.route53, name).toEqual({ zones: [], domains: [] });
      expect(s.acm, name).toEqual({ certificates: [] });
    }
  });

  it('derives name servers and validation records when not given, stable per id', () => {
    const world = buildWorld(
      ScenarioSchema.parse({
        name: 'derived',
        description: '',
        route53: { zones: [{ id: 'Z1ABC', name: 'Example.org' }] },
        acm: { certificates: [{ arn: 'arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-2222-4333-8444-555555555555', domain: 'example.org', sans: ['www.example.org'], status: 'PENDING_VALIDATION' }] },
      }),
      T0,
    );
    const zone = world.route53.zones[0]!;
    expect(zone.name).toBe('example.org.');
    expect(zone.nameServers).toEqual(defaultNameServers('Z1ABC'));
    expect(zone.nameServers).toHaveLength(4);
    const cert = world.acm.certificates[0]!;
    expect(cert.region).toBe('ap-northeast-1');
    expect(cert.validations.map((v) => v.domain)).toEqual(['example.org', 'www.example.org']);
    expect(cert.validations[1]!.recordName).toMatch(/^_[0-9a-f]{32}\.www\.example\.org\.$/);
    expect(cert.validations[1]!.recordValue).toMatch(/^_[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws\.$/);
  });

  it('rejects a record outside its zone and a certificate whose region disagrees with its ARN', () => {
    expect(() =>
      buildWorld(ScenarioSchema.parse({ name: 'bad', description: '', route53: { zones: [{ id: 'Z1', name: 'a.com', records: [{ name: 'b.com', type: 'A', values: ['1.2.3.4'] }] }] } }), T0),
    ).toThrow(DnsScenarioError);
    expect(() =>
      buildWorld(
        ScenarioSchema.parse({
          name: 'bad',
          description: '',
          acm: { certificates: [{ arn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555', domain: 'a.com', status: 'ISSUED', region: 'eu-west-1' }] },
        }),
        T0,
      ),
    ).toThrow(/its ARN is in us-east-1/);
  });
});
