/**
 * Amazon Route 53 (restXml, signing name "route53", global): ListHostedZonesByName,
 * GetHostedZone, ListResourceRecordSets, ChangeResourceRecordSets, GetChange.
 *
 * The zones are the scenario's `route53.zones`, shared by every Region (world-dns.ts).
 * ChangeResourceRecordSets applies its batch at once and atomically (every change is
 * checked before any is applied), records the change as PENDING, and GetChange answers
 * INSYNC once `route53.changeSyncMs` has passed. Records written are visible to
 * ListResourceRecordSets at once, as in Route 53; ACM sees them (world-dns.ts
 * `advanceValidation`) only in the delegated zone and once INSYNC.
 *
 * Differences from AWS: InvalidChangeBatch is sent in the common ErrorResponse shape (AWS
 * uses `<InvalidChangeBatch><messages>…`; the SDK raises InvalidChangeBatch either way);
 * alias, weighted and other routing-policy records are not modelled.
 */
import { AwsError } from '../errors.js';
import { randomHex } from '../ids.js';
import { xmlList } from '../protocols/query-xml.js';
import { RestXmlProtocol, type RestXmlRoute } from '../protocols/rest-xml.js';
import type { CommonErrors } from '../protocols/types.js';
import type { World } from '../world.js';
import { compareNames, fqdn, reversedLabels, sortRecords, type Route53Record, type Route53Zone } from '../world-dns.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

const errors: CommonErrors = {
  accessDenied: (message) => new AwsError('AccessDenied', message, 403),
  throttling: () => new AwsError('Throttling', 'Rate exceeded', 400),
  internal: () => new AwsError('InternalFailure', 'We encountered an internal error. Please try again.', 500),
  unknownOperation: (operation) =>
    new AwsError('UnknownOperationException', operation ? `Unknown operation ${operation}` : 'Unknown operation', 404),
  missingParameter: (name) => new AwsError('InvalidInput', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`, 400),
  invalidParameter: (message) => new AwsError('InvalidInput', message, 400),
};

const routes: RestXmlRoute[] = [
  {
    operation: 'ListHostedZonesByName',
    method: 'GET',
    uri: '/2013-04-01/hostedzonesbyname',
    query: { dnsname: 'DNSName', hostedzoneid: 'HostedZoneId', maxitems: 'MaxItems' },
  },
  { operation: 'GetHostedZone', method: 'GET', uri: '/2013-04-01/hostedzone/{Id}' },
  {
    operation: 'ListResourceRecordSets',
    method: 'GET',
    uri: '/2013-04-01/hostedzone/{HostedZoneId}/rrset',
    query: { name: 'StartRecordName', type: 'StartRecordType', identifier: 'StartRecordIdentifier', maxitems: 'MaxItems' },
  },
  { operation: 'ChangeResourceRecordSets', method: 'POST', uri: '/2013-04-01/hostedzone/{HostedZoneId}/rrset' },
  { operation: 'GetChange', method: 'GET', uri: '/2013-04-01/change/{Id}' },
  // Named so that `calls` shows them; they answer UnknownOperationException.
  { operation: 'ListHostedZones', method: 'GET', uri: '/2013-04-01/hostedzone' },
  { operation: 'CreateHostedZone', method: 'POST', uri: '/2013-04-01/hostedzone' },
  { operation: 'DeleteHostedZone', method: 'DELETE', uri: '/2013-04-01/hostedzone/{Id}' },
];

const protocol = new RestXmlProtocol({
  routes,
  errors,
  xmlns: XMLNS,
  bodyLists: { Changes: 'Change', ResourceRecords: 'ResourceRecord' },
});

const stripZonePrefix = (id: string) => id.replace(/^\/?hostedzone\//, '');
const stripChangePrefix = (id: string) => id.replace(/^\/?change\//, '');

function maxItems(r: ParamReader, fallback: number): number {
  const n = r.int('MaxItems') ?? fallback;
  if (n < 1) throw errors.invalidParameter('MaxItems must be at least 1');
  return Math.min(n, fallback);
}

function zoneById(world: World, rawId: string): Route53Zone {
  const id = stripZonePrefix(rawId);
  const zone = world.route53.zones.find((z) => z.id === id);
  if (!zone) throw new AwsError('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404);
  return zone;
}

function renderZone(z: Route53Zone) {
  return {
    Id: `/hostedzone/${z.id}`,
    Name: z.name,
    CallerReference: z.callerReference,
    Config: { Comment: z.comment || undefined, PrivateZone: z.private },
    ResourceRecordSetCount: z.records.length,
  };
}

function renderRecord(r: Route53Record) {
  return {
    Name: r.name,
    Type: r.type,
    TTL: r.ttl,
    ResourceRecords: xmlList(
      'ResourceRecord',
      r.values.map((Value) => ({ Value })),
    ),
  };
}

/** Zones in name order (labels reversed), then by id: ListHostedZonesByName's order. */
function listHostedZonesByName(ctx: OperationContext) {
  const r = new ParamReader(ctx);
  const dnsName = r.str('DNSName');
  const zoneId = r.str('HostedZoneId');
  if (zoneId !== undefined && dnsName === undefined) throw errors.invalidParameter('HostedZoneId requires DNSName');
  const limit = maxItems(r, 100);
  const sorted = [...ctx.world.route53.zones].sort((a, b) => compareNames(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let start = 0;
  if (dnsName !== undefined) {
    const key = reversedLabels(dnsName);
    const id = zoneId === undefined ? undefined : stripZonePrefix(zoneId);
    start = sorted.findIndex((z) => {
      const k = reversedLabels(z.name);
      return k > key || (k === key && (id === undefined || z.id >= id));
    });
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + limit);
  const next = sorted[start + limit];
  return {
    HostedZones: xmlList('HostedZone', page.map(renderZone)),
    ...(dnsName !== undefined && { DNSName: dnsName }),
    ...(zoneId !== undefined && { HostedZoneId: stripZonePrefix(zoneId) }),
    IsTruncated: next !== undefined,
    ...(next && { NextDNSName: next.name, NextHostedZoneId: next.id }),
    MaxItems: limit,
  };
}

function getHostedZone(ctx: OperationContext) {
  const zone = zoneById(ctx.world, new ParamReader(ctx).str('Id', true));
  return {
    HostedZone: renderZone(zone),
    ...(zone.private
      ? { VPCs: xmlList('VPC', [{ VPCRegion: ctx.world.region, VPCId: `vpc-${zone.id.slice(-8).toLowerCase().padStart(8, '0')}` }]) }
      : { DelegationSet: { NameServers: xmlList('NameServer', zone.nameServers) } }),
  };
}

function listResourceRecordSets(ctx: OperationContext) {
  const r = new ParamReader(ctx);
  const zone = zoneById(ctx.world, r.str('HostedZoneId', true));
  const name = r.str('StartRecordName');
  const type = r.str('StartRecordType');
  if (type !== undefined && name === undefined) throw errors.invalidParameter('The input is not valid: StartRecordType requires StartRecordName');
  const limit = maxItems(r, 300);
  let start = 0;
  if (name !== undefined) {
    const key = reversedLabels(name);
    start = zone.records.findIndex((rec) => {
      const k = reversedLabels(rec.name);
      return k > key || (k === key && (type === undefined || rec.type >= type));
    });
    if (start < 0) start = zone.records.length;
  }
  const page = zone.records.slice(start, start + limit);
  const next = zone.records[start + limit];
  return {
    ResourceRecordSets: xmlList('ResourceRecordSet', page.map(renderRecord)),
    IsTruncated: next !== undefined,
    ...(next && { NextRecordName: next.name, NextRecordType: next.type }),
    MaxItems: limit,
  };
}

interface ChangeIn {
  action: 'CREATE' | 'DELETE' | 'UPSERT';
  record: Route53Record;
}

const invalidBatch = (messages: string[]) => new AwsError('InvalidChangeBatch', `[${messages.join(', ')}]`, 400);

function readChange(raw: unknown, i: number): ChangeIn {
  const c = (raw ?? {}) as Params;
  const action = c.Action;
  if (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT') throw errors.invalidParameter(`Changes[${i}].Action must be CREATE, DELETE or UPSERT`);
  const set = (c.ResourceRecordSet ?? undefined) as Params | undefined;
  if (!set || typeof set !== 'object') throw errors.missingParameter(`changeBatch.changes.${i}.member.resourceRecordSet`);
  if (typeof set.Name !== 'string' || typeof set.Type !== 'string') throw errors.invalidParameter(`Changes[${i}]: Name and Type are required`);
  if (set.AliasTarget !== undefined || set.SetIdentifier !== undefined) throw errors.invalidParameter('The AWS double does not model alias or routing-policy records');
  const rr = Array.isArray(set.ResourceRecords) ? (set.ResourceRecords as Params[]) : [];
  const values = rr.map((x) => (typeof x?.Value === 'string' ? x.Value : ''));
  const ttl = set.TTL === undefined ? undefined : Number(set.TTL);
  if (ttl === undefined || !Number.isInteger(ttl) || ttl < 0) throw invalidBatch([`Invalid Resource Record: FATAL problem: TTL is required for a non-alias record (${set.Name})`]);
  if (values.length === 0 || values.some((v) => v === '')) throw invalidBatch([`Invalid Resource Record: FATAL problem: ResourceRecords must not be empty (${set.Name})`]);
  return { action, record: { name: fqdn(set.Name), type: set.Type, ttl, values } };
}

function changeResourceRecordSets(ctx: OperationContext) {
  const r = new ParamReader(ctx);
  const zone = zoneById(ctx.world, r.str('HostedZoneId', true));
  const batch = r.object('ChangeBatch');
  if (!batch) throw errors.missingParameter('changeBatch');
  const rawChanges = batch.Changes;
  if (!Array.isArray(rawChanges) || rawChanges.length === 0) throw errors.missingParameter('changeBatch.changes');
  const changes = rawChanges.map(readChange);

  // Check the whole batch against a copy; apply only if every change is valid.
  const next = zone.records.map((x) => ({ ...x, values: [...x.values] }));
  const problems: string[] = [];
  for (const { action, record } of changes) {
    const where = `[name='${record.name}', type='${record.type}']`;
    if (record.name !== zone.name && !record.name.endsWith(`.${zone.name}`)) {
      problems.push(`RRSet with DNS name ${record.name} is not permitted in zone ${zone.name}`);
      continue;
    }
    if (record.type === 'CNAME' && record.name === zone.name) {
      problems.push(`RRSet of type CNAME with DNS name ${record.name} is not permitted at apex in zone ${zone.name}`);
      continue;
    }
    const i = next.findIndex((x) => x.name === record.name && x.type === record.type);
    const conflictingCname = next.some(
      (x) => x.name === record.name && ((record.type === 'CNAME' && x.type !== 'CNAME') || (record.type !== 'CNAME' && x.type === 'CNAME')),
    );
    if (action !== 'DELETE' && conflictingCname) {
      problems.push(`RRSet of type ${record.type} with DNS name ${record.name} is not permitted because a conflicting RRSet of type ${record.type === 'CNAME' ? 'other than CNAME' : 'CNAME'} with the same DNS name already exists in zone ${zone.name}.`);
      continue;
    }
    if (action === 'CREATE') {
      if (i >= 0) problems.push(`Tried to create resource record set ${where} but it already exists`);
      else next.push(record);
    } else if (action === 'DELETE') {
      const found = next[i];
      if (!found || found.ttl !== record.ttl || found.values.join('\n') !== record.values.join('\n'))
        problems.push(`Tried to delete resource record set ${where} but it was not found`);
      else next.splice(i, 1);
    } else if (i >= 0) next[i] = record;
    else next.push(record);
  }
  if (problems.length > 0) throw invalidBatch(problems);

  const change = {
    id: `C${randomHex(20).toUpperCase()}`,
    zoneId: zone.id,
    submittedAt: ctx.now,
    insyncAt: new Date(ctx.now.getTime() + ctx.world.route53.changeSyncMs),
    ...(typeof batch.Comment === 'string' && { comment: batch.Comment }),
  };
  for (const { action, record } of changes) if (action !== 'DELETE') record.changeId = change.id;
  sortRecords(next);
  zone.records = next;
  ctx.world.route53.changes.push(change);
  return { ChangeInfo: renderChange(change, ctx.now) };
}

function renderChange(c: { id: string; submittedAt: Date; insyncAt: Date; comment?: string }, now: Date) {
  return { Id: `/change/${c.id}`, Status: now >= c.insyncAt ? 'INSYNC' : 'PENDING', SubmittedAt: c.submittedAt, Comment: c.comment };
}

function getChange(ctx: OperationContext) {
  const id = stripChangePrefix(new ParamReader(ctx).str('Id', true));
  const change = ctx.world.route53.changes.find((c) => c.id === id);
  if (!change) throw new AwsError('NoSuchChange', `A change with the specified change ID does not exist: ${id}`, 404);
  return { ChangeInfo: renderChange(change, ctx.now) };
}

export const route53: ServiceModule = {
  signingName: 'route53',
  protocol,
  operations: {
    ListHostedZonesByName: listHostedZonesByName,
    GetHostedZone: getHostedZone,
    ListResourceRecordSets: listResourceRecordSets,
    ChangeResourceRecordSets: changeResourceRecordSets,
    GetChange: getChange,
  },
  iamResource(operation, params) {
    const zone = params.Id ?? params.HostedZoneId;
    if (operation === 'GetChange' && typeof params.Id === 'string') return `arn:aws:route53:::change/${stripChangePrefix(params.Id)}`;
    if (typeof zone === 'string') return `arn:aws:route53:::hostedzone/${stripZonePrefix(zone)}`;
    return '*';
  },
};
