// Hand-built build-failed evidence for the rule and verdict tests: no AWS double. `incident000()`
// is incident 000 (slim image, VPC, x509 in DOWNLOAD_SOURCE, buildspec installing
// ca-certificates, endpoint SG shut to the VPC); `healthy()` is the same project after the fix.
import type { BuildInfo, BuildPhase, ProjectInfo } from '../../../src/aws/codebuild.js';
import type { SecurityGroupInfo } from '../../../src/aws/vpc.js';
import { applyRules, type AnyRule, type Rule, type RuleOutcome } from '../../../src/playbooks/define.js';
import { CHECKS, type BuildFailedEvidence, type CheckId } from '../../../src/playbooks/build-failed/evidence.js';
import type { NetworkPath } from '../../../src/playbooks/vpc-path/read.js';

export const NOW = new Date('2026-11-23T12:00:00Z');
export const REGION = 'ap-northeast-1';
export const PROJECT = 'web-app-build';
export const X509 =
  'Secrets Manager Error: RequestError: send request failed\ncaused by: Post "https://secretsmanager.ap-northeast-1.amazonaws.com/": tls: failed to verify certificate: x509: certificate signed by unknown authority';
export const SLIM = 'node:24.13.0-trixie-slim';

export const checks = (failed: readonly CheckId[] = []) =>
  CHECKS.map((c) => ({ id: c.id, title: c.title, status: failed.includes(c.id) ? ('failed' as const) : ('ok' as const) }));

const vpc = { vpcId: 'vpc-1', subnetIds: ['subnet-a', 'subnet-c'], securityGroupIds: ['sg-build'] };
const env = (image: string) => ({
  image,
  type: 'LINUX_CONTAINER',
  variables: [
    { name: 'NODE_ENV', type: 'PLAINTEXT' },
    { name: 'NPM_TOKEN', type: 'SECRETS_MANAGER', reference: 'prod/ci/npm:token' },
  ],
});
const source = (installCommands: string[]) => ({
  type: 'GITHUB',
  inlineBuildspec: true,
  buildspec: { installCommands, secretsManager: {}, parameterStore: {} },
});
export const CA_INSTALLS = ['apt-get update && apt-get install -y ca-certificates', 'update-ca-certificates'];

const ok = (type: string): BuildPhase => ({ type, status: 'SUCCEEDED', durationSeconds: 1, contexts: [] });
const PHASES = ['SUBMITTED', 'QUEUED', 'PROVISIONING', 'DOWNLOAD_SOURCE', 'INSTALL', 'PRE_BUILD', 'BUILD', 'POST_BUILD', 'UPLOAD_ARTIFACTS', 'FINALIZING'];

/** A finished build `hoursAgo` before NOW; failing in `failedPhase` with `message` unless it succeeded. */
export function build(n: number, hoursAgo: number, opts: { failedPhase?: string; message?: string; image?: string; installs?: string[] } = {}): BuildInfo {
  const end = new Date(NOW.getTime() - hoursAgo * 3_600_000);
  const phases: BuildPhase[] = [];
  for (const type of PHASES) {
    if (opts.failedPhase === type) {
      phases.push({ type, status: 'FAILED', durationSeconds: 2, end, contexts: opts.message ? [{ statusCode: 'CLIENT_ERROR', message: opts.message }] : [] });
      continue;
    }
    if (opts.failedPhase && PHASES.indexOf(type) > PHASES.indexOf(opts.failedPhase) && type !== 'FINALIZING') continue;
    phases.push(ok(type));
  }
  phases.push({ type: 'COMPLETED', contexts: [] });
  return {
    id: `${PROJECT}:${n}`,
    number: n,
    status: opts.failedPhase ? 'FAILED' : 'SUCCEEDED',
    currentPhase: 'COMPLETED',
    start: new Date(end.getTime() - 60_000),
    end,
    phases,
    environment: env(opts.image ?? SLIM),
    vpc,
    source: source(opts.installs ?? CA_INSTALLS),
  };
}

export const project = (image = SLIM, installs = CA_INSTALLS): ProjectInfo => ({
  name: PROJECT,
  arn: `arn:aws:codebuild:${REGION}:123456789012:project/${PROJECT}`,
  serviceRole: 'arn:aws:iam::123456789012:role/service-role/codebuild-web-app-build-service-role',
  environment: env(image),
  vpc,
  source: source(installs),
});

const group = (id: string, ingressCidrs: string[]): SecurityGroupInfo => ({
  id,
  name: id,
  vpcId: 'vpc-1',
  ingress: ingressCidrs.map((c) => ({ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [c], ipv6Cidrs: [], groupIds: [], prefixListIds: [] })),
  egress: [{ protocol: '-1', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], groupIds: [], prefixListIds: [] }],
  tags: {},
});

/** The VPC of incident 000: a Secrets Manager endpoint whose group admits 443 from `endpointCidrs` only. */
export function network(endpointCidrs = ['10.20.100.0/24']): NetworkPath {
  const subnets = [
    { id: 'subnet-a', vpcId: 'vpc-1', cidrBlock: '10.20.1.0/24', tags: {} },
    { id: 'subnet-c', vpcId: 'vpc-1', cidrBlock: '10.20.2.0/24', tags: {} },
  ];
  return {
    vpcId: 'vpc-1',
    vpc: { id: 'vpc-1', cidrBlocks: ['10.20.0.0/16'], isDefault: false, tags: {} },
    subnets,
    functionGroups: [group('sg-build', [])],
    routeTables: [{ id: 'rtb-1', vpcId: 'vpc-1', main: true, subnetIds: [], routes: [{ destination: '10.20.0.0/16', target: { kind: 'local', id: 'local' }, state: 'active' }], tags: {} }],
    acls: [],
    endpoints: [
      {
        id: 'vpce-sm',
        serviceName: `com.amazonaws.${REGION}.secretsmanager`,
        type: 'Interface',
        vpcId: 'vpc-1',
        state: 'available',
        subnetIds: ['subnet-a', 'subnet-c'],
        securityGroupIds: ['sg-vpce'],
        routeTableIds: [],
        privateDnsEnabled: true,
        dnsNames: [],
        tags: {},
      },
    ],
    endpointSubnets: subnets,
    endpointGroups: [group('sg-vpce', endpointCidrs)],
  };
}

export function evidence(over: Partial<BuildFailedEvidence> = {}, failed: readonly CheckId[] = []): BuildFailedEvidence {
  return { input: { target: PROJECT, region: REGION, hours: 24 }, now: NOW, project: project(), builds: [], network: network(), checks: checks(failed), ...over };
}

/** Incident 000: the last two builds failed in DOWNLOAD_SOURCE with the x509 error; the one before succeeded on the managed image. */
export const incident000 = (over: Partial<BuildFailedEvidence> = {}, failed: readonly CheckId[] = []) =>
  evidence(
    {
      builds: [
        build(3, 1, { failedPhase: 'DOWNLOAD_SOURCE', message: X509 }),
        build(2, 3, { failedPhase: 'DOWNLOAD_SOURCE', message: X509 }),
        build(1, 72, { image: 'aws/codebuild/standard:7.0', installs: [] }),
      ],
      ...over,
    },
    failed,
  );

/** After the fix: full image, the endpoint admits the VPC, the latest build succeeded. */
export const healthy = (over: Partial<BuildFailedEvidence> = {}) =>
  evidence({ project: project('node:24.13.0-trixie', []), network: network(['10.20.0.0/16']), builds: [build(4, 1, { image: 'node:24.13.0-trixie', installs: [] }), build(3, 2, { failedPhase: 'DOWNLOAD_SOURCE', message: X509 })], ...over });

/** One rule's outcome on the evidence, as definePlaybook would run it. */
export function outcome<Id extends string, D>(rule: Rule<BuildFailedEvidence, Id, D, CheckId>, e: BuildFailedEvidence): RuleOutcome<Id, D> {
  return applyRules([rule as AnyRule<BuildFailedEvidence>], e).outcome(rule.id) as RuleOutcome<Id, D>;
}
