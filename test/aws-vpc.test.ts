// The VPC network evidence (issue 14): the adapters in src/aws/vpc.ts through the REAL EC2
// SDK client against the AWS double (a scenario built here), and the pure questions of
// src/aws/network-path.ts that the /why-rotation-failed rules will ask.
import { DescribeNetworkAclsCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client, paginateDescribeSubnets } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../src/aws/clients.js';
import { declaredIamActions } from '../src/aws/iam.js';
import { AwsCallError } from '../src/aws/errors.js';
import {
  anySgAllowsIngress,
  cidrContains,
  endpointFor,
  internetPath,
  naclAllowsHttpsOut,
  naclAllowsServerPort,
  naclDecision,
  naclForSubnet,
  parseCidr,
  routeTableForSubnet,
  sgAllowsEgress,
  sgAllowsIngress,
} from '../src/aws/network-path.js';
import {
  VPC_IAM,
  describeNetworkAcls,
  describeRouteTables,
  describeSecurityGroups,
  describeSubnets,
  describeVpcEndpoints,
  describeVpcs,
  type NaclEntryInfo,
  type RouteTableInfo,
  type SecurityGroupInfo,
  type VpcEndpointInfo,
} from '../src/aws/vpc.js';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { buildWorld } from '../src/sandbox/aws/world.js';
import { ScenarioSchema } from '../src/sandbox/scenario.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');

const REGION = 'ap-northeast-1';
const VPC = 'vpc-0a1b2c3d4e5f60001';
const FN_A = 'subnet-0a1b2c3d4e5f6a001';
const FN_B = 'subnet-0a1b2c3d4e5f6b002';
const VPCE_SUBNET = 'subnet-0a1b2c3d4e5f6e003';
const SG_FN = 'sg-0a1b2c3d4e5f60f01';
const SG_VPCE = 'sg-0a1b2c3d4e5f60e02';
const SG_DB = 'sg-0a1b2c3d4e5f60d03';
const SM_POLICY = {
  Statement: [{ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } } }],
};

const scenarioJson = {
  name: 'vpc-network',
  description: 'a rotation function in two private subnets; a Secrets Manager endpoint in a third',
  region: REGION,
  ec2: {
    vpcs: [{ id: VPC, cidrBlock: '10.0.0.0/16', extraCidrBlocks: ['100.64.0.0/16'], tags: { Name: 'app' } }],
    subnets: [
      { id: FN_A, vpcId: VPC, cidrBlock: '10.0.1.0/24', availabilityZone: `${REGION}a` },
      { id: FN_B, vpcId: VPC, cidrBlock: '10.0.2.0/24', availabilityZone: `${REGION}c` },
      { id: VPCE_SUBNET, vpcId: VPC, cidrBlock: '10.0.10.0/24' },
      // more subnets, so that paging is exercised
      ...Array.from({ length: 9 }, (_, i) => ({ id: `subnet-0000000000000${String(i).padStart(4, '0')}`, vpcId: VPC, cidrBlock: `10.0.${100 + i}.0/24` })),
    ],
    routeTables: [
      {
        id: 'rtb-0a1b2c3d4e5f60001',
        vpcId: VPC,
        subnetIds: [FN_A, FN_B],
        routes: [
          { destination: '0.0.0.0/0', natGatewayId: 'nat-0a1b2c3d4e5f60001' },
          { destinationPrefixListId: 'pl-61a54008', gatewayId: 'vpce-0a1b2c3d4e5f60003' },
        ],
      },
    ],
    networkAcls: [
      {
        id: 'acl-0a1b2c3d4e5f60001',
        vpcId: VPC,
        subnetIds: [FN_A, FN_B],
        entries: [
          { ruleNumber: 100, egress: true, protocol: 'tcp', action: 'allow', cidrBlock: '0.0.0.0/0', fromPort: 443, toPort: 443 },
          { ruleNumber: 90, egress: false, protocol: 'tcp', action: 'deny', cidrBlock: '10.0.10.0/24', fromPort: 1024, toPort: 65535 },
          { ruleNumber: 100, egress: false, protocol: 'tcp', action: 'allow', cidrBlock: '0.0.0.0/0', fromPort: 1024, toPort: 65535 },
        ],
      },
    ],
    securityGroups: [
      { id: SG_FN, name: 'rotation-fn', vpcId: VPC },
      { id: SG_VPCE, name: 'vpce-secretsmanager', vpcId: VPC, ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, groupIds: [SG_FN] }] },
      { id: SG_DB, name: 'db', vpcId: VPC, ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: ['10.0.0.0/16'] }], egress: [] },
    ],
    vpcEndpoints: [
      { id: 'vpce-0a1b2c3d4e5f60001', vpcId: VPC, serviceName: `com.amazonaws.${REGION}.secretsmanager`, subnetIds: [VPCE_SUBNET], securityGroupIds: [SG_VPCE], policy: SM_POLICY },
      { id: 'vpce-0a1b2c3d4e5f60002', vpcId: VPC, serviceName: `com.amazonaws.${REGION}.rds`, state: 'pending', subnetIds: [VPCE_SUBNET], securityGroupIds: [SG_VPCE], privateDnsEnabled: false },
      { id: 'vpce-0a1b2c3d4e5f60003', vpcId: VPC, serviceName: `com.amazonaws.${REGION}.s3`, type: 'Gateway', routeTableIds: ['rtb-0a1b2c3d4e5f60001'] },
    ],
  },
};

let double: AwsDouble;
let aws: AwsClients;
let ec2: EC2Client;

beforeAll(async () => {
  double = await startAwsDouble({ scenario: ScenarioSchema.parse(scenarioJson) });
  process.env.AWS_ENDPOINT_URL = double.url;
  process.env.AWS_REGION = REGION;
  aws = new AwsClients({ region: REGION, maxAttempts: 1 });
  ec2 = new EC2Client({ region: REGION, maxAttempts: 1 });
});
afterEach(() => double.reset());
afterAll(async () => {
  ec2.destroy();
  await double.close();
});

describe('VPC adapters through the real EC2 client and the double', () => {
  it('describeSubnets and describeVpcs: VPC id, CIDR, AZ; every VPC CIDR block', async () => {
    const subnets = await describeSubnets(aws, [FN_A, FN_B]);
    expect(subnets).toEqual([
      { id: FN_A, vpcId: VPC, cidrBlock: '10.0.1.0/24', availabilityZone: `${REGION}a`, tags: {} },
      { id: FN_B, vpcId: VPC, cidrBlock: '10.0.2.0/24', availabilityZone: `${REGION}c`, tags: {} },
    ]);
    expect(double.calls.at(-1)!.params).toMatchObject({ Filter: [{ Name: 'subnet-id', Value: [FN_A, FN_B] }], MaxResults: '1000' });
    expect(await describeVpcs(aws, [VPC])).toEqual([{ id: VPC, cidrBlocks: ['10.0.0.0/16', '100.64.0.0/16'], isDefault: false, tags: { Name: 'app' } }]);
    expect(await describeSubnets(aws, [])).toEqual([]);
  });

  it('describeRouteTables: explicit associations, the added main table and local routes; targets by kind', async () => {
    const tables = await describeRouteTables(aws, VPC);
    expect(tables).toHaveLength(2);
    const priv = tables.find((t) => t.id === 'rtb-0a1b2c3d4e5f60001')!;
    expect(priv).toMatchObject({ main: false, subnetIds: [FN_A, FN_B] });
    expect(priv.routes).toEqual([
      { destination: '10.0.0.0/16', target: { kind: 'local', id: 'local' }, state: 'active' },
      { destination: '100.64.0.0/16', target: { kind: 'local', id: 'local' }, state: 'active' },
      { destination: '0.0.0.0/0', target: { kind: 'nat-gateway', id: 'nat-0a1b2c3d4e5f60001' }, state: 'active' },
      { destination: 'pl-61a54008', target: { kind: 'vpc-endpoint', id: 'vpce-0a1b2c3d4e5f60003' }, state: 'active' },
    ]);
    const main = tables.find((t) => t.main)!;
    expect(main.subnetIds).toEqual([]);
    expect(main.routes.map((r) => r.target.kind)).toEqual(['local', 'local']);
    // the helper picks the explicit association, else the main table
    expect(routeTableForSubnet(tables, { id: FN_A, vpcId: VPC })).toEqual({ table: priv, explicit: true });
    expect(routeTableForSubnet(tables, { id: VPCE_SUBNET, vpcId: VPC })).toEqual({ table: main, explicit: false });
    expect(internetPath(priv)).toMatchObject({ via: 'nat-gateway', gatewayId: 'nat-0a1b2c3d4e5f60001' });
    expect(internetPath(main)).toBeUndefined();
  });

  it('describeNetworkAcls: by association.subnet-id; entries with the * deny; a subnet without one uses the default ACL', async () => {
    const [acl, ...rest] = await describeNetworkAcls(aws, [FN_A]);
    expect(rest).toEqual([]);
    expect(acl).toMatchObject({ id: 'acl-0a1b2c3d4e5f60001', vpcId: VPC, isDefault: false, subnetIds: [FN_A, FN_B] });
    expect(acl!.entries).toContainEqual({ ruleNumber: 90, egress: false, protocol: '6', action: 'deny', cidrBlock: '10.0.10.0/24', portRange: { from: 1024, to: 65535 } });
    expect(acl!.entries.filter((e) => e.ruleNumber === 32767)).toEqual([
      { ruleNumber: 32767, egress: true, protocol: '-1', action: 'deny', cidrBlock: '0.0.0.0/0' },
      { ruleNumber: 32767, egress: false, protocol: '-1', action: 'deny', cidrBlock: '0.0.0.0/0' },
    ]);
    const both = await describeNetworkAcls(aws, [FN_A, VPCE_SUBNET]);
    const dflt = naclForSubnet(both, VPCE_SUBNET)!;
    expect(dflt.isDefault).toBe(true);
    expect(naclAllowsServerPort(dflt, '10.0.1.0/24', 443).allowed).toBe(true);
    // the function's ACL answers: 443 out is allowed, but the answers from the endpoint's subnet are denied by rule 90
    const toEndpoint = naclAllowsHttpsOut(naclForSubnet(both, FN_A)!, '10.0.10.0/24');
    expect(toEndpoint.allowed).toBe(false);
    expect(toEndpoint.request).toMatchObject({ allowed: true, decidedBy: { ruleNumber: 100, egress: true } });
    expect(toEndpoint.response).toMatchObject({ allowed: false, decidedBy: { ruleNumber: 90, action: 'deny' } });
    expect(naclAllowsHttpsOut(naclForSubnet(both, FN_A)!, '0.0.0.0/0').allowed).toBe(false); // rule 90 denies part of the internet
    expect(naclAllowsHttpsOut(naclForSubnet(both, FN_A)!, '52.119.0.0/16').allowed).toBe(true);
  });

  it('describeSecurityGroups: ingress/egress rules with CIDRs and referenced groups; the default egress', async () => {
    const sgs = await describeSecurityGroups(aws, [SG_VPCE, SG_FN, SG_DB]);
    expect(double.calls.at(-1)!.params).toMatchObject({ Filter: [{ Name: 'group-id' }] });
    const vpce = sgs.find((g) => g.id === SG_VPCE)!;
    expect(vpce).toMatchObject({ name: 'vpce-secretsmanager', vpcId: VPC });
    expect(vpce.ingress).toEqual([{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [], ipv6Cidrs: [], groupIds: [SG_FN], prefixListIds: [] }]);
    const fn = sgs.find((g) => g.id === SG_FN)!;
    expect(fn.egress).toEqual([{ protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }]);
    expect(sgs.find((g) => g.id === SG_DB)!.egress).toEqual([]);
    expect(sgAllowsIngress(vpce, 443, { groupIds: [SG_FN] })).toMatchObject({ allowed: true, via: { groupId: SG_FN } });
    expect(sgAllowsIngress(vpce, 443, { cidr: '10.0.0.0/16' }).allowed).toBe(false);
    expect(sgAllowsEgress(fn, 443, { cidr: '10.0.10.0/24' }).allowed).toBe(true);
  });

  it('describeVpcEndpoints: type, subnets, groups, private DNS, policy, state; endpointFor picks the service', async () => {
    const all = await describeVpcEndpoints(aws, { vpcId: VPC });
    expect(all.map((e) => e.id)).toEqual(['vpce-0a1b2c3d4e5f60001', 'vpce-0a1b2c3d4e5f60002', 'vpce-0a1b2c3d4e5f60003']);
    const sm = all[0]!;
    expect(sm).toMatchObject({
      serviceName: `com.amazonaws.${REGION}.secretsmanager`,
      type: 'Interface',
      vpcId: VPC,
      state: 'available',
      subnetIds: [VPCE_SUBNET],
      securityGroupIds: [SG_VPCE],
      routeTableIds: [],
      privateDnsEnabled: true,
    });
    expect(JSON.parse(sm.policyDocument!)).toEqual(SM_POLICY);
    expect(sm.dnsNames).toContain(`secretsmanager.${REGION}.amazonaws.com`);
    expect(all[2]).toMatchObject({ type: 'Gateway', routeTableIds: ['rtb-0a1b2c3d4e5f60001'], privateDnsEnabled: false, subnetIds: [] });
    expect(JSON.parse(all[2]!.policyDocument!).Statement[0]).toMatchObject({ Effect: 'Allow', Action: '*' });

    const only = await describeVpcEndpoints(aws, { vpcId: VPC, serviceNames: [`com.amazonaws.${REGION}.rds`] });
    expect(only).toHaveLength(1);
    expect(only[0]).toMatchObject({ state: 'pending', privateDnsEnabled: false });
    expect(endpointFor(all, { region: REGION, service: 'secretsmanager', vpcId: VPC })?.id).toBe('vpce-0a1b2c3d4e5f60001');
    expect(endpointFor(all, { region: REGION, service: 'rds', vpcId: VPC })?.state).toBe('pending');
    expect(endpointFor(all, { region: REGION, service: 'kms', vpcId: VPC })).toBeUndefined();
    expect(endpointFor(all, { region: 'us-east-1', service: 'secretsmanager', vpcId: VPC })).toBeUndefined();
  });

  it('AccessDenied names the IAM action of each adapter', async () => {
    const cases: Array<[string, string, () => Promise<unknown>]> = [
      ['DescribeSubnets', VPC_IAM.describeSubnets, () => describeSubnets(aws, [FN_A])],
      ['DescribeVpcs', VPC_IAM.describeVpcs, () => describeVpcs(aws, [VPC])],
      ['DescribeRouteTables', VPC_IAM.describeRouteTables, () => describeRouteTables(aws, VPC)],
      ['DescribeNetworkAcls', VPC_IAM.describeNetworkAcls, () => describeNetworkAcls(aws, [FN_A])],
      ['DescribeSecurityGroups', VPC_IAM.describeSecurityGroups, () => describeSecurityGroups(aws, [SG_FN])],
      ['DescribeVpcEndpoints', VPC_IAM.describeVpcEndpoints, () => describeVpcEndpoints(aws, { vpcId: VPC })],
    ];
    for (const [operation, action, call] of cases) {
      double.inject({ service: 'ec2', operation, kind: 'AccessDenied', times: 1 });
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, operation).toBeInstanceOf(AwsCallError);
      expect(err).toMatchObject({ kind: 'access-denied', iamAction: action, awsCode: 'UnauthorizedOperation', message: `access denied: needs ${action}` });
      expect(declaredIamActions()).toContain(action);
    }
    expect(Object.values(VPC_IAM).sort()).toEqual([
      'ec2:DescribeNetworkAcls',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcEndpoints',
      'ec2:DescribeVpcs',
    ]);
  });

  it('an aborted signal stops the call as a timeout', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(describeVpcEndpoints(aws, { vpcId: VPC }, ac.signal)).rejects.toMatchObject({ kind: 'timeout', iamAction: 'ec2:DescribeVpcEndpoints' });
  });
});

describe('the double: EC2 query-protocol paging, filters and errors', () => {
  it('pages DescribeSubnets with MaxResults/NextToken through the SDK paginator', async () => {
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of paginateDescribeSubnets({ client: ec2, pageSize: 5 }, { Filters: [{ Name: 'vpc-id', Values: [VPC] }] })) {
      pages.push(page.Subnets!.length);
      ids.push(...page.Subnets!.map((s) => s.SubnetId!));
    }
    expect(pages).toEqual([5, 5, 2]);
    expect(new Set(ids).size).toBe(12);
    await expect(ec2.send(new DescribeSubnetsCommand({ MaxResults: 4 }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(ec2.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: 'bogus' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('ids, wildcards and unknown ids as EC2 answers them', async () => {
    const byId = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [VPCE_SUBNET] }));
    expect(byId.Subnets!.map((s) => s.CidrBlock)).toEqual(['10.0.10.0/24']);
    const wild = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'cidr-block', Values: ['10.0.10?.0/24'] }] }));
    expect(wild.Subnets).toHaveLength(9);
    await expect(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-00000000'] }))).rejects.toMatchObject({
      name: 'InvalidSubnetID.NotFound',
      message: "The subnet ID 'subnet-00000000' does not exist",
    });
    await expect(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-00000000'] }))).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
    await expect(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [SG_FN], MaxResults: 5 }))).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['db'] }));
    expect(byName.SecurityGroups!.map((g) => g.GroupId)).toEqual([SG_DB]);
    const referencing = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.group-id', Values: [SG_FN] }] }));
    expect(referencing.SecurityGroups!.map((g) => g.GroupId)).toEqual([SG_VPCE]);
    const dflt = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }] }));
    expect(dflt.NetworkAcls![0]!.Entries!.map((e) => [e.RuleNumber, e.Egress, e.RuleAction])).toEqual([
      [100, true, 'allow'],
      [32767, true, 'deny'],
      [100, false, 'allow'],
      [32767, false, 'deny'],
    ]);
    await expect(ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('scenario validation: references must exist; existing scenarios need no network data', () => {
    const base = { name: 't', description: '' };
    expect(() => buildWorld(ScenarioSchema.parse({ ...base, ec2: { subnets: [{ id: FN_A, vpcId: VPC, cidrBlock: '10.0.1.0/24' }] } }), NOW)).toThrow(
      /subnet subnet-0a1b2c3d4e5f6a001 names VPC vpc-0a1b2c3d4e5f60001, which is not in ec2.vpcs/,
    );
    const twoTables = structuredClone(scenarioJson);
    twoTables.ec2.routeTables.push({ id: 'rtb-0a1b2c3d4e5f60002', vpcId: VPC, subnetIds: [FN_A], routes: [] });
    expect(() => buildWorld(ScenarioSchema.parse(twoTables), NOW)).toThrow(/associated with route tables/);
    expect(ScenarioSchema.safeParse({ ...base, ec2: { vpcs: [{ id: 'vpc-1', cidrBlock: '10.0.0.0/16' }] } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ ...base, ec2: { vpcs: [{ id: VPC, cidrBlock: '10.0.0.0' }] } }).success).toBe(false);
    const empty = buildWorld(ScenarioSchema.parse(base), NOW);
    expect(empty.ec2).toMatchObject({ vpcs: [], subnets: [], routeTables: [], networkAcls: [], securityGroups: [], vpcEndpoints: [] });
  });
});

// ---------------------------------------------------------------- pure helpers

const entry = (e: Partial<NaclEntryInfo> & Pick<NaclEntryInfo, 'ruleNumber' | 'egress' | 'action'>): NaclEntryInfo => ({
  protocol: '6',
  cidrBlock: '0.0.0.0/0',
  ...e,
});
const star = [entry({ ruleNumber: 32767, egress: true, action: 'deny', protocol: '-1' }), entry({ ruleNumber: 32767, egress: false, action: 'deny', protocol: '-1' })];

describe('network ACL evaluation', () => {
  it('rule-number order, first match wins: a deny before an allow blocks; an allow before a deny passes', () => {
    const denyFirst = { entries: [entry({ ruleNumber: 200, egress: true, action: 'allow', portRange: { from: 443, to: 443 } }), entry({ ruleNumber: 100, egress: true, action: 'deny', portRange: { from: 0, to: 65535 } }), ...star] };
    expect(naclDecision(denyFirst, { egress: true, protocol: 'tcp', ports: { from: 443, to: 443 }, cidr: '10.0.10.0/24' })).toMatchObject({
      allowed: false,
      decidedBy: { ruleNumber: 100, action: 'deny' },
    });
    const allowFirst = { entries: [entry({ ruleNumber: 100, egress: true, action: 'allow', portRange: { from: 443, to: 443 } }), entry({ ruleNumber: 200, egress: true, action: 'deny', portRange: { from: 0, to: 65535 } }), ...star] };
    expect(naclDecision(allowFirst, { egress: true, protocol: 'tcp', ports: { from: 443, to: 443 }, cidr: '10.0.10.0/24' })).toMatchObject({ allowed: true, decidedBy: { ruleNumber: 100 } });
  });

  it('nothing matches → the * deny; protocol -1 matches TCP; UDP does not', () => {
    const udpOnly = { entries: [entry({ ruleNumber: 100, egress: true, action: 'allow', protocol: '17', portRange: { from: 0, to: 65535 } }), ...star] };
    const d = naclDecision(udpOnly, { egress: true, protocol: 'tcp', ports: { from: 443, to: 443 }, cidr: '10.0.0.0/16' });
    expect(d.allowed).toBe(false);
    expect(d.decidedBy).toMatchObject({ ruleNumber: 32767 });
    expect(naclDecision({ entries: [] }, { egress: true, protocol: 'tcp', ports: { from: 443, to: 443 }, cidr: '10.0.0.0/16' })).toEqual({ allowed: false, partlyDeniedBy: [] });
    const all = { entries: [entry({ ruleNumber: 100, egress: false, action: 'allow', protocol: '-1' }), ...star] };
    expect(naclDecision(all, { egress: false, protocol: 'tcp', ports: { from: 1024, to: 65535 }, cidr: '10.0.0.0/16' }).allowed).toBe(true);
  });

  it('HTTPS out needs 443 out and the whole ephemeral range 1024–65535 back in', () => {
    const out443 = entry({ ruleNumber: 100, egress: true, action: 'allow', portRange: { from: 443, to: 443 } });
    const narrow = { entries: [out443, entry({ ruleNumber: 100, egress: false, action: 'allow', portRange: { from: 32768, to: 65535 } }), ...star] };
    const r = naclAllowsHttpsOut(narrow, '10.0.10.0/24');
    expect(r.request.allowed).toBe(true);
    expect(r.response).toMatchObject({ allowed: false, decidedBy: { ruleNumber: 32767 } });
    expect(r.allowed).toBe(false);
    const wide = { entries: [out443, entry({ ruleNumber: 100, egress: false, action: 'allow', portRange: { from: 1024, to: 65535 } }), ...star] };
    expect(naclAllowsHttpsOut(wide, '10.0.10.0/24').allowed).toBe(true);
    // no 443 out at all: the request leg fails
    const noOut = { entries: [entry({ ruleNumber: 100, egress: false, action: 'allow', portRange: { from: 1024, to: 65535 } }), ...star] };
    expect(naclAllowsHttpsOut(noOut, '10.0.10.0/24')).toMatchObject({ allowed: false, request: { allowed: false }, response: { allowed: true } });
  });

  it('a deny over part of the ports or of the CIDR, before the allow, blocks that part', () => {
    const acl = {
      entries: [
        entry({ ruleNumber: 50, egress: false, action: 'deny', portRange: { from: 1024, to: 2048 }, cidrBlock: '0.0.0.0/0' }),
        entry({ ruleNumber: 100, egress: false, action: 'allow', portRange: { from: 1024, to: 65535 } }),
        ...star,
      ],
    };
    const d = naclDecision(acl, { egress: false, protocol: 'tcp', ports: { from: 1024, to: 65535 }, cidr: '10.0.0.0/16' });
    expect(d).toMatchObject({ allowed: false, decidedBy: { ruleNumber: 100 }, partlyDeniedBy: [{ ruleNumber: 50 }] });
    // the same deny on another CIDR does not touch this traffic
    acl.entries[0] = entry({ ruleNumber: 50, egress: false, action: 'deny', portRange: { from: 1024, to: 2048 }, cidrBlock: '192.168.0.0/16' });
    expect(naclDecision(acl, { egress: false, protocol: 'tcp', ports: { from: 1024, to: 65535 }, cidr: '10.0.0.0/16' }).allowed).toBe(true);
  });

  it('an allow whose CIDR does not contain all of the peer does not decide', () => {
    const acl = { entries: [entry({ ruleNumber: 100, egress: true, action: 'allow', portRange: { from: 443, to: 443 }, cidrBlock: '10.0.10.0/25' }), ...star] };
    expect(naclDecision(acl, { egress: true, protocol: 'tcp', ports: { from: 443, to: 443 }, cidr: '10.0.10.0/24' }).allowed).toBe(false);
    expect(naclDecision(acl, { egress: true, protocol: 'tcp', ports: { from: 443, to: 443 }, cidr: '10.0.10.7' }).allowed).toBe(true);
  });
});

describe('CIDR containment', () => {
  it('contains, equal, outside, the whole internet, bad input', () => {
    expect(parseCidr('10.0.1.77/24')).toEqual({ first: 167772416, last: 167772671 });
    expect(cidrContains('10.0.0.0/16', '10.0.10.0/24')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.0.0.0/16')).toBe(true);
    expect(cidrContains('10.0.10.0/24', '10.0.0.0/16')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.1.0.0/24')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.9')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '255.255.255.255/32')).toBe(false);
    expect(cidrContains('10.0.0.0/33', '10.0.0.1')).toBe(false);
    expect(cidrContains('2001:db8::/32', '2001:db8::1')).toBe(false);
  });
});

describe('security groups', () => {
  const sg = (ingress: SecurityGroupInfo['ingress']): SecurityGroupInfo => ({ id: 'sg-1', name: 'x', ingress, egress: [], tags: {} });
  const rule = (r: Partial<SecurityGroupInfo['ingress'][number]>) => ({ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [], ipv6Cidrs: [], groupIds: [], prefixListIds: [], ...r });

  it('a group referencing the function group admits it; the port must be in range', () => {
    const g = sg([rule({ groupIds: ['sg-fn'] })]);
    expect(sgAllowsIngress(g, 443, { groupIds: ['sg-other', 'sg-fn'] })).toMatchObject({ allowed: true, via: { groupId: 'sg-fn' } });
    expect(sgAllowsIngress(g, 5432, { groupIds: ['sg-fn'] }).allowed).toBe(false);
    expect(sgAllowsIngress(g, 443, { groupIds: ['sg-other'] }).allowed).toBe(false);
    // a CIDR rule does not admit a group, nor a group rule a CIDR
    expect(sgAllowsIngress(g, 443, { cidr: '10.0.0.0/16' }).allowed).toBe(false);
  });

  it('CIDR rules admit a peer whose whole CIDR they contain; all-traffic rules any port; UDP is not TCP', () => {
    const g = sg([rule({ cidrs: ['10.0.0.0/16'] }), rule({ protocol: 'udp', fromPort: 0, toPort: 65535, cidrs: ['0.0.0.0/0'] })]);
    expect(sgAllowsIngress(g, 443, { cidr: '10.0.2.0/24' })).toMatchObject({ allowed: true, via: { cidr: '10.0.0.0/16' } });
    expect(sgAllowsIngress(g, 443, { cidr: '10.0.0.0/8' }).allowed).toBe(false);
    expect(sgAllowsIngress(g, 443, { cidr: '192.168.0.1' }).allowed).toBe(false);
    const all = sg([{ protocol: '-1', cidrs: ['10.0.0.0/16'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }]);
    expect(sgAllowsIngress(all, 5432, { cidr: '10.0.1.0/24' }).allowed).toBe(true);
    const num = sg([rule({ protocol: '6', cidrs: ['10.0.0.0/16'] })]);
    expect(sgAllowsIngress(num, 443, { cidr: '10.0.1.0/24' }).allowed).toBe(true);
    expect(anySgAllowsIngress([sg([]), { ...g, id: 'sg-2' }], 443, { cidr: '10.0.2.0/24' })).toMatchObject({ allowed: true, groupId: 'sg-2' });
    expect(anySgAllowsIngress([], 443, { cidr: '10.0.2.0/24' }).allowed).toBe(false);
  });
});

describe('routes and endpoints', () => {
  const table = (routes: RouteTableInfo['routes']): RouteTableInfo => ({ id: 'rtb-1', vpcId: 'vpc-1', main: false, subnetIds: ['subnet-1'], routes, tags: {} });
  const local = { destination: '10.0.0.0/16', target: { kind: 'local' as const, id: 'local' }, state: 'active' };

  it('no 0.0.0.0/0 route → no path; a blackhole or a transit gateway is no NAT/IGW path; an IGW is', () => {
    expect(internetPath(table([local]))).toBeUndefined();
    expect(internetPath(table([local, { destination: '0.0.0.0/0', target: { kind: 'nat-gateway', id: 'nat-1' }, state: 'blackhole' }]))).toBeUndefined();
    expect(internetPath(table([local, { destination: '0.0.0.0/0', target: { kind: 'transit-gateway', id: 'tgw-1' }, state: 'active' }]))).toBeUndefined();
    expect(internetPath(table([local, { destination: '0.0.0.0/0', target: { kind: 'internet-gateway', id: 'igw-1' }, state: 'active' }]))).toMatchObject({
      via: 'internet-gateway',
      gatewayId: 'igw-1',
    });
  });

  it('a subnet with no explicit association and no main table has no route table', () => {
    expect(routeTableForSubnet([table([local])], { id: 'subnet-2', vpcId: 'vpc-1' })).toBeUndefined();
  });

  it('endpointFor prefers an available Interface endpoint of the VPC', () => {
    const ep = (e: Partial<VpcEndpointInfo>): VpcEndpointInfo => ({
      id: 'vpce-1',
      serviceName: 'com.amazonaws.ap-northeast-1.secretsmanager',
      type: 'Interface',
      vpcId: 'vpc-1',
      state: 'available',
      subnetIds: [],
      securityGroupIds: [],
      routeTableIds: [],
      privateDnsEnabled: true,
      dnsNames: [],
      tags: {},
      ...e,
    });
    const list = [ep({ id: 'vpce-failed', state: 'failed' }), ep({ id: 'vpce-other-vpc', vpcId: 'vpc-2' }), ep({ id: 'vpce-ok' }), ep({ id: 'vpce-gone', state: 'deleted' })];
    expect(endpointFor(list, { region: 'ap-northeast-1', service: 'secretsmanager', vpcId: 'vpc-1' })?.id).toBe('vpce-ok');
    expect(endpointFor([list[0]!, list[3]!], { region: 'ap-northeast-1', service: 'secretsmanager', vpcId: 'vpc-1' })?.id).toBe('vpce-failed');
    expect(endpointFor(list, { region: 'ap-northeast-1', service: 'secretsmanager', vpcId: 'vpc-3' })).toBeUndefined();
  });
});

describe('unknown ids through the adapters', () => {
  it('are absent, not errors (the adapters select by filter)', async () => {
    expect(await describeSubnets(aws, ['subnet-00000000'])).toEqual([]);
    expect(await describeSecurityGroups(aws, ['sg-00000000', SG_FN])).toHaveLength(1);
  });
});
