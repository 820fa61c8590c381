// The network questions incident 002 asks, as pure functions over the builder's VPC: how the
// function's subnets reach Secrets Manager, which ACL leg blocks HTTPS, whether the endpoint
// policy lets the function's role in, and whether the DB admits the function.
import { describe, expect, it } from 'vitest';
import { unreachableCauses } from '../../../src/playbooks/rotation-failed/causes.js';
import { dbAdmission } from '../../../src/playbooks/rotation-failed/network-facts.js';
import { aclBlocks, endpointGroupGap, endpointPolicyAllows, ENDPOINT_ENV, serviceRoute } from '../../../src/playbooks/vpc-path/reach.js';
import { acl, db, DB_SG, defaultRoute, endpoint, entry, evidence, fn, network, ROLE, routeTable, sg, sgRule, SUBNET_A, SUBNET_B, SUBNET_E, VPC_CIDR } from './evidence.js';

const e = evidence();
const route = (n = network(), ev = e) => serviceRoute(ev, n, 'secretsmanager');
const vias = (r: ReturnType<typeof route>) => r.subnets.map((s) => s.via);

describe('serviceRoute', () => {
  it('an available endpoint with private DNS serves every subnet', () => {
    const r = route();
    expect(r).toMatchObject({ endpoint: { id: 'vpce-sm' }, privateDnsOff: false });
    expect(vias(r)).toEqual(['endpoint', 'endpoint']);
  });

  it('private DNS off and no SECRETS_MANAGER_ENDPOINT variable: the public name, which needs a NAT gateway', () => {
    const r = route(network({ endpoints: [endpoint({ privateDnsEnabled: false })] }));
    expect(r).toMatchObject({ privateDnsOff: true, endpointVar: false });
    expect(vias(r)).toEqual(['none', 'none']);
    expect(unreachableCauses(evidence({ network: network({ endpoints: [endpoint({ privateDnsEnabled: false })] }) }))[0]).toMatchObject({ id: 'no-route', status: 'found' });
  });

  it('private DNS off with the variable: the endpoint may be named by it, and whybot cannot tell (it never reads values)', () => {
    const n = network({ endpoints: [endpoint({ privateDnsEnabled: false })] });
    const told = evidence({ fn: fn({ environmentNames: [ENDPOINT_ENV] }), network: n });
    const r = route(n, told);
    expect(r).toMatchObject({ privateDnsOff: true, endpointVar: true });
    expect(vias(r)).toEqual(['endpoint', 'endpoint']);
    const noRoute = unreachableCauses(told)[0]!;
    expect(noRoute).toMatchObject({ id: 'no-route', status: 'unknown' });
    expect(noRoute.text).toContain('SECRETS_MANAGER_ENDPOINT');
    // with a NAT gateway either name works
    const natted = network({ endpoints: [endpoint({ privateDnsEnabled: false })], routeTables: [routeTable({ routes: [defaultRoute('nat-gateway', 'nat-1')] })] });
    expect(unreachableCauses(evidence({ fn: fn({ environmentNames: [ENDPOINT_ENV] }), network: natted }))[0]).toMatchObject({ status: 'ruled-out' });
  });

  it('no endpoint: a NAT gateway per subnet, or none; an internet gateway alone is no way out for a Lambda ENI', () => {
    const nat = routeTable({ id: 'rtb-nat', main: false, subnetIds: ['subnet-a'], routes: [defaultRoute('nat-gateway', 'nat-1')] });
    const igw = routeTable({ routes: [defaultRoute('internet-gateway', 'igw-1')] });
    const r = route(network({ endpoints: [], routeTables: [nat, igw] }));
    expect(r.subnets).toEqual([
      { subnet: SUBNET_A, via: 'nat', natGatewayId: 'nat-1' },
      { subnet: SUBNET_B, via: 'none', internetGatewayOnly: 'igw-1' },
    ]);
    const cause = unreachableCauses(evidence({ network: network({ endpoints: [], routeTables: [igw] }) }))[0]!;
    expect(cause).toMatchObject({ id: 'no-route', status: 'found' });
    expect(cause.text).toContain('internet gateway igw-1');
  });

  it('a pending endpoint does not serve, and a blackhole NAT route is no way out', () => {
    const r = route(network({ endpoints: [endpoint({ state: 'pending' })], routeTables: [routeTable({ routes: [defaultRoute('nat-gateway', 'nat-1', 'blackhole')] })] }));
    expect(r.endpoint?.state).toBe('pending');
    expect(vias(r)).toEqual(['none', 'none']);
  });
});

describe('endpointGroupGap', () => {
  it('none when the endpoint’s group admits the VPC CIDR or the function’s group', () => {
    expect(endpointGroupGap(network(), endpoint())).toBeUndefined();
    const byGroup = network({ endpointGroups: [sg('sg-vpce', [sgRule({ groupIds: ['sg-fn'] })])] });
    expect(endpointGroupGap(byGroup, endpoint())).toBeUndefined();
  });

  it('names the subnets shut out, the group to fix and the VPC CIDR', () => {
    const n = network({ endpointGroups: [sg('sg-vpce', [sgRule({ cidrs: ['10.0.1.0/24'] })])] });
    expect(endpointGroupGap(n, endpoint())).toEqual({ endpoint: endpoint(), subnets: [SUBNET_B], groupId: 'sg-vpce', vpcCidr: VPC_CIDR });
  });
});

describe('aclBlocks', () => {
  const only = (id: string, subnets: string[], entries: ReturnType<typeof entry>[]) =>
    network({ acls: id === 'acl-fn' ? [acl('acl-fn', subnets, entries), acl('acl-vpce', ['subnet-e'])] : [acl('acl-fn', ['subnet-a', 'subnet-b']), acl('acl-vpce', subnets, entries)] });
  const blocked = (n: ReturnType<typeof network>) => aclBlocks(n, route(n)).map((b) => ({ acl: b.acl.id, subnet: b.subnet.id, leg: b.leg, side: b.side, cidr: b.cidr, rule: b.entry?.ruleNumber }));

  it('none when both ACLs allow everything', () => {
    expect(aclBlocks(network(), route())).toEqual([]);
  });

  it('function side, request: 443 out denied', () => {
    const n = only('acl-fn', ['subnet-a', 'subnet-b'], [entry(90, true, 'deny', { protocol: '6', portRange: { from: 443, to: 443 } }), entry(100, true, 'allow'), entry(100, false, 'allow')]);
    expect(blocked(n)).toEqual([
      { acl: 'acl-fn', subnet: 'subnet-a', leg: 'request', side: 'function', cidr: SUBNET_E.cidrBlock, rule: 90 },
      { acl: 'acl-fn', subnet: 'subnet-b', leg: 'request', side: 'function', cidr: SUBNET_E.cidrBlock, rule: 90 },
    ]);
  });

  it('function side, response: only 443 allowed back in, not the ephemeral ports (the final * deny)', () => {
    const n = only('acl-fn', ['subnet-a', 'subnet-b'], [entry(100, true, 'allow'), entry(100, false, 'allow', { protocol: '6', portRange: { from: 443, to: 443 } })]);
    expect(blocked(n)[0]).toEqual({ acl: 'acl-fn', subnet: 'subnet-a', leg: 'response', side: 'function', cidr: SUBNET_E.cidrBlock, rule: undefined });
  });

  it('endpoint side, request: 443 in from the function’s subnet denied (once per ACL)', () => {
    const n = only('acl-vpce', ['subnet-e'], [entry(100, true, 'allow'), entry(100, false, 'allow', { cidrBlock: '10.0.2.0/24' })]);
    expect(blocked(n)).toEqual([{ acl: 'acl-vpce', subnet: 'subnet-e', leg: 'request', side: 'endpoint', cidr: SUBNET_A.cidrBlock, rule: undefined }]);
  });

  it('endpoint side, response: the answers out denied', () => {
    const n = only('acl-vpce', ['subnet-e'], [entry(50, true, 'deny', { protocol: '6', portRange: { from: 1024, to: 65535 } }), entry(100, true, 'allow'), entry(100, false, 'allow')]);
    expect(blocked(n)[0]).toMatchObject({ acl: 'acl-vpce', leg: 'response', side: 'endpoint', rule: 50 });
  });

  it('through a NAT gateway: asked about 0.0.0.0/0', () => {
    const n = network({
      endpoints: [],
      routeTables: [routeTable({ routes: [defaultRoute('nat-gateway', 'nat-1')] })],
      acls: [acl('acl-fn', ['subnet-a', 'subnet-b'], [entry(100, true, 'allow', { cidrBlock: VPC_CIDR }), entry(100, false, 'allow')])],
    });
    expect(blocked(n).map((b) => [b.leg, b.side, b.cidr])).toEqual([
      ['request', 'function', '0.0.0.0/0'],
      ['request', 'function', '0.0.0.0/0'],
    ]);
  });
});

describe('endpointPolicyAllows', () => {
  const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
  const allowAll = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };

  it('no policy, or the default full-access one: allowed', () => {
    expect(endpointPolicyAllows(undefined, ROLE)).toEqual({ allowed: true, conditional: false });
    expect(endpointPolicyAllows(policy(allowAll), ROLE)).toEqual({ allowed: true, conditional: false });
  });

  it('an explicit Deny of one of the rotation’s calls wins, named by its Sid', () => {
    const v = endpointPolicyAllows(policy(allowAll, { Sid: 'NoPut', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:PutSecretValue', Resource: '*' }), ROLE);
    expect(v).toEqual({ allowed: false, statement: 'NoPut', conditional: false });
  });

  it('an Allow that misses a call the rotation makes is not enough', () => {
    const v = endpointPolicyAllows(policy({ Effect: 'Allow', Principal: '*', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: '*' }), ROLE);
    expect(v).toMatchObject({ allowed: false, statement: 'no statement allows secretsmanager:PutSecretValue' });
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:*', Resource: '*' }), ROLE).allowed).toBe(true);
  });

  it('NotAction: an Allow of everything but DeleteSecret allows; a Deny of everything but GetSecretValue denies', () => {
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: '*', NotAction: 'secretsmanager:DeleteSecret', Resource: '*' }), ROLE)).toEqual({ allowed: true, conditional: false });
    const v = endpointPolicyAllows(policy(allowAll, { Sid: 'ReadOnly', Effect: 'Deny', Principal: '*', NotAction: 'secretsmanager:GetSecretValue', Resource: '*' }), ROLE);
    expect(v).toMatchObject({ allowed: false, statement: 'ReadOnly' });
  });

  it('principals: the role, its account (root or bare id), another account, NotPrincipal', () => {
    const allowFor = (AWS: unknown) => endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { AWS }, Action: '*', Resource: '*' }), ROLE).allowed;
    expect(allowFor(ROLE)).toBe(true);
    expect(allowFor(['arn:aws:iam::123456789012:root'])).toBe(true);
    expect(allowFor('123456789012')).toBe(true);
    expect(allowFor('arn:aws:iam::123456789012:role/rotation-*')).toBe(true);
    expect(allowFor('arn:aws:iam::999999999999:root')).toBe(false);
    // the role unknown: a statement naming a role does not count for it
    expect(endpointPolicyAllows(policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: '*' }), undefined).allowed).toBe(false);
    // "deny everyone but the admin role" denies the rotation role
    const notPrincipal = { Sid: 'OnlyAdmin', Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:role/admin' }, Action: '*', Resource: '*' };
    expect(endpointPolicyAllows(policy(allowAll, notPrincipal), ROLE)).toMatchObject({ allowed: false, statement: 'OnlyAdmin' });
    expect(endpointPolicyAllows(policy(allowAll, { ...notPrincipal, NotPrincipal: { AWS: ROLE } }), ROLE).allowed).toBe(true);
  });

  it('conditions are not evaluated and say so; an unconditional Deny is preferred over a conditional one', () => {
    const cond = { StringEquals: { 'aws:PrincipalAccount': '123456789012' } };
    expect(endpointPolicyAllows(policy({ ...allowAll, Condition: cond }), ROLE)).toEqual({ allowed: true, conditional: true });
    const conditionalDeny = { Sid: 'OtherAccounts', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringNotEquals: cond.StringEquals } };
    expect(endpointPolicyAllows(policy(allowAll, conditionalDeny), ROLE)).toEqual({ allowed: false, statement: 'OtherAccounts', conditional: true });
    const hard = { Sid: 'Hard', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue' };
    expect(endpointPolicyAllows(policy(allowAll, conditionalDeny, hard), ROLE)).toEqual({ allowed: false, statement: 'Hard', conditional: false });
  });

  it('a conditional Deny leaves the endpoint-policy cause not ruled out, not found', () => {
    const doc = policy(allowAll, { Sid: 'OtherAccounts', Effect: 'Deny', Principal: '*', Action: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } } });
    const causes = unreachableCauses(evidence({ network: network({ endpoints: [endpoint({ policyDocument: doc })] }) }));
    expect(causes.find((c) => c.id === 'endpoint-policy')).toMatchObject({ status: 'unknown' });
  });

  it('unreadable JSON counts as allowing, conditionally', () => {
    expect(endpointPolicyAllows('{not json', ROLE)).toEqual({ allowed: true, conditional: true });
  });
});

describe('dbAdmission', () => {
  it('the DB’s group admits the function’s group on 5432', () => {
    expect(dbAdmission(e, network())).toEqual({ port: 5432, shutSubnets: [], egressShut: false, dbGroupId: 'sg-db' });
  });

  it('names the subnets shut out and a function group that lets nothing out', () => {
    const shut = evidence({ dbGroups: [sg('sg-db', [sgRule({ fromPort: 5432, toPort: 5432, cidrs: ['10.0.1.0/24'] })])] });
    const n = network({ functionGroups: [sg('sg-fn', [], [sgRule({ cidrs: ['0.0.0.0/0'] })])] });
    expect(dbAdmission(shut, n)).toEqual({ port: 5432, shutSubnets: [SUBNET_B], egressShut: true, dbGroupId: 'sg-db' });
  });

  it('undefined without the DB’s groups; the engine’s default port when the DB gives none', () => {
    expect(dbAdmission(evidence({ dbGroups: undefined }), network())).toBeUndefined();
    expect(dbAdmission(evidence({ db: { db: db({ port: undefined }), how: 'secret-name' } }), network())?.port).toBe(5432);
    expect(dbAdmission(evidence({ db: { db: db({ port: 6543 }), how: 'secret-name' }, dbGroups: [DB_SG] }), network())?.shutSubnets).toEqual([SUBNET_A, SUBNET_B]);
  });
});
