/**
 * EC2 AuthorizeSecurityGroupIngress (query protocol), on the world's VPC security groups
 * (world-vpc.ts): `GroupId` and `IpPermissions.N` with `IpProtocol`, `FromPort`, `ToPort`,
 * `IpRanges.N.CidrIp`/`.Description` and `UserIdGroupPairs.N.GroupId` (IPv6 ranges and
 * prefix lists are refused here: whybot sends neither). Each CIDR or group becomes a rule of
 * its own, as EC2 stores them (DescribeSecurityGroups then lists it). A rule identical to one
 * already there (protocol, ports, peer) → `InvalidPermission.Duplicate`, and nothing is
 * added; an unknown group → `InvalidGroup.NotFound`. Answers `return` and the new rules'
 * `securityGroupRuleSet` (sgr- ids random).
 */
import { AwsError } from '../errors.js';
import { randomHex } from '../ids.js';
import { xmlList } from '../protocols/query-xml.js';
import type { Ec2SgRule } from '../world-vpc.js';
import { ParamReader } from './params.js';
import type { OperationContext } from './types.js';

const PROTOCOLS: Record<string, string> = { tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', '-1': '-1', all: '-1' };

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const items = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(record) : v === undefined || v === '' ? [] : [record(v)]);
const port = (v: unknown): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

function peerText(r: Ec2SgRule): string {
  const peer = r.cidrs[0] ?? r.groupIds[0] ?? '?';
  const proto = r.protocol === '-1' ? 'ALL' : r.protocol.toUpperCase();
  return r.fromPort === undefined ? `peer: ${peer}, ${proto}, ALLOW` : `peer: ${peer}, ${proto}, from port: ${r.fromPort}, to port: ${r.toPort}, ALLOW`;
}

const sameRule = (a: Ec2SgRule, b: Ec2SgRule) =>
  a.protocol === b.protocol &&
  a.fromPort === b.fromPort &&
  a.toPort === b.toPort &&
  b.cidrs.every((c) => a.cidrs.includes(c)) &&
  b.groupIds.every((g) => a.groupIds.includes(g));

export function authorizeSecurityGroupIngress(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const groupId = p.str('GroupId', true);
  const group = ctx.world.ec2.securityGroups.find((g) => g.id === groupId);
  if (!group) throw new AwsError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`, 400);
  const perms = items(ctx.params.IpPermissions);
  if (perms.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions', 400);

  const added: Ec2SgRule[] = [];
  for (const perm of perms) {
    const protocol = PROTOCOLS[String(perm.IpProtocol ?? '').toLowerCase()];
    if (!protocol) throw new AwsError('InvalidParameterValue', `Invalid value '${String(perm.IpProtocol)}' for IP protocol. Unknown protocol.`, 400);
    if (items(perm.Ipv6Ranges).length > 0 || items(perm.PrefixListIds).length > 0)
      throw new AwsError('InvalidParameterValue', 'the AWS double models IPv4 ranges and group pairs only', 400);
    const from = protocol === '-1' ? undefined : port(perm.FromPort);
    const to = protocol === '-1' ? undefined : port(perm.ToPort);
    if ((protocol === 'tcp' || protocol === 'udp') && (from === undefined || to === undefined || from < 0 || to > 65535 || from > to))
      throw new AwsError('InvalidParameterValue', `Invalid port range (${String(perm.FromPort)}-${String(perm.ToPort)})`, 400);
    const base = { protocol, ...(from !== undefined && { fromPort: from }), ...(to !== undefined && { toPort: to }), prefixListIds: [] };
    const peers: Ec2SgRule[] = [
      ...items(perm.IpRanges).map((r) => ({ ...base, cidrs: [String(r.CidrIp ?? '')], groupIds: [], ...(r.Description !== undefined && { description: String(r.Description) }) })),
      ...items(perm.UserIdGroupPairs).map((g) => ({ ...base, cidrs: [], groupIds: [String(g.GroupId ?? '')], ...(g.Description !== undefined && { description: String(g.Description) }) })),
    ];
    if (peers.length === 0) throw new AwsError('InvalidParameterValue', 'The request must contain a source: an IP range or a group', 400);
    for (const rule of peers) {
      if (rule.cidrs.some((c) => !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c)))
        throw new AwsError('InvalidParameterValue', `CIDR block ${rule.cidrs[0]} is malformed`, 400);
      if ([...group.ingress, ...added].some((r) => sameRule(r, rule)))
        throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${peerText(rule)}" already exists`, 400);
      added.push(rule);
    }
  }
  group.ingress.push(...added);
  return {
    return: true,
    securityGroupRuleSet: xmlList(
      'item',
      added.map((r) => ({
        securityGroupRuleId: `sgr-${randomHex(17)}`,
        groupId,
        groupOwnerId: ctx.world.accountId,
        isEgress: false,
        ipProtocol: r.protocol,
        fromPort: r.fromPort ?? -1,
        toPort: r.toPort ?? -1,
        cidrIpv4: r.cidrs[0],
        description: r.description,
      })),
    ),
  };
}
