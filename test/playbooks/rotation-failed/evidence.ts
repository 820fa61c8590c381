// Hand-built rotation-failed evidence for the rule, fact and verdict tests: a healthy
// single-user PostgreSQL rotation by default (a VPC function in two private subnets, a
// Secrets Manager interface endpoint in its own subnet, ACLs that allow everything, a DB whose
// group admits the function's), with helpers to build the function's invocations and to
// change one fact at a time. No AWS double.
import type { DbParameterValues, DbSummary } from '../../../src/aws/rds.js';
import type { FunctionConfig, FunctionSetup } from '../../../src/aws/lambda-function.js';
import type { RotationInvocations } from '../../../src/aws/logs.js';
import { parseRotationLog, type RotationInvocation, type RotationLogLine, type RotationStep } from '../../../src/aws/rotation-log.js';
import type { SecretInfo } from '../../../src/aws/secrets.js';
import type { NaclEntryInfo, NetworkAclInfo, RouteTableInfo, SecurityGroupInfo, SgRuleInfo, SubnetInfo, VpcEndpointInfo } from '../../../src/aws/vpc.js';
import { CHECKS, type CheckId, type RotationFailedEvidence } from '../../../src/playbooks/rotation-failed/evidence.js';
import type { NetworkPath } from '../../../src/playbooks/vpc-path/read.js';

export const REGION = 'ap-northeast-1';
export const ACCOUNT = '123456789012';
export const NOW = new Date('2026-12-01T15:00:00Z');
/** when the last attempt started */
export const ATTEMPT = new Date('2026-12-01T14:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const SECRET_NAME = 'prod/orders-db/app';
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_NAME}-AbC123`;
export const FN_NAME = 'SecretsManagerRDSPostgreSQLRotationSingleUser';
export const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN_NAME}`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/rotation-role`;
export const VPC_ID = 'vpc-1';
export const VPC_CIDR = '10.0.0.0/16';

export const secret = (over: Partial<SecretInfo> = {}): SecretInfo => ({
  arn: SECRET_ARN,
  name: SECRET_NAME,
  rotationEnabled: true,
  rotationDays: 30,
  rotationLambdaArn: FN_ARN,
  lastRotated: new Date(ATTEMPT.getTime() - 30 * DAY),
  nextRotation: new Date(ATTEMPT.getTime() + DAY),
  tags: {},
  pendingVersion: false,
  ...over,
});

export const fn = (over: Partial<FunctionConfig> = {}): FunctionConfig => ({
  name: FN_NAME,
  arn: FN_ARN,
  runtime: 'python3.12',
  timeoutSeconds: 30,
  role: ROLE,
  vpc: { vpcId: VPC_ID, subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-fn'] },
  environmentNames: [],
  logGroup: `/aws/lambda/${FN_NAME}`,
  ...over,
});

export const setup = (createdAt = new Date('2024-03-01T00:00:00Z'), stackName = 'SecretsManagerRDSPostgreSQLRotationSingleUser-stack'): FunctionSetup => ({ stackName, createdAt });

export const subnet = (id: string, cidrBlock: string): SubnetInfo => ({ id, vpcId: VPC_ID, cidrBlock, availabilityZone: `${REGION}a`, tags: {} });
export const SUBNET_A = subnet('subnet-a', '10.0.1.0/24');
export const SUBNET_B = subnet('subnet-b', '10.0.2.0/24');
export const SUBNET_E = subnet('subnet-e', '10.0.10.0/24');

export const sgRule = (over: Partial<SgRuleInfo> = {}): SgRuleInfo => ({ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [], ipv6Cidrs: [], groupIds: [], prefixListIds: [], ...over });
const ALL_OUT = sgRule({ protocol: '-1', fromPort: undefined, toPort: undefined, cidrs: ['0.0.0.0/0'] });
export const sg = (id: string, ingress: SgRuleInfo[], egress: SgRuleInfo[] = [ALL_OUT]): SecurityGroupInfo => ({ id, name: id, vpcId: VPC_ID, ingress, egress, tags: {} });
export const FN_SG = sg('sg-fn', []);
export const ENDPOINT_SG = sg('sg-vpce', [sgRule({ cidrs: [VPC_CIDR] })]);
export const DB_SG = sg('sg-db', [sgRule({ fromPort: 5432, toPort: 5432, groupIds: ['sg-fn'] })]);

export const entry = (ruleNumber: number, egress: boolean, action: 'allow' | 'deny', over: Partial<NaclEntryInfo> = {}): NaclEntryInfo => ({
  ruleNumber,
  egress,
  protocol: '-1',
  action,
  cidrBlock: '0.0.0.0/0',
  ...over,
});
/** allow everything both ways, then the `*` deny */
export const OPEN_ENTRIES = [entry(100, true, 'allow'), entry(100, false, 'allow'), entry(32767, true, 'deny'), entry(32767, false, 'deny')];
export const acl = (id: string, subnetIds: string[], entries: NaclEntryInfo[] = OPEN_ENTRIES): NetworkAclInfo => ({ id, vpcId: VPC_ID, isDefault: false, subnetIds, entries, tags: {} });

export const routeTable = (over: Partial<RouteTableInfo> = {}): RouteTableInfo => ({
  id: 'rtb-main',
  vpcId: VPC_ID,
  main: true,
  subnetIds: [],
  routes: [{ destination: VPC_CIDR, target: { kind: 'local', id: 'local' }, state: 'active' }],
  tags: {},
  ...over,
});
export const defaultRoute = (kind: 'nat-gateway' | 'internet-gateway', id: string, state = 'active') => ({ destination: '0.0.0.0/0', target: { kind, id }, state });

export const endpoint = (over: Partial<VpcEndpointInfo> = {}): VpcEndpointInfo => ({
  id: 'vpce-sm',
  serviceName: `com.amazonaws.${REGION}.secretsmanager`,
  type: 'Interface',
  vpcId: VPC_ID,
  state: 'available',
  subnetIds: ['subnet-e'],
  securityGroupIds: ['sg-vpce'],
  routeTableIds: [],
  privateDnsEnabled: true,
  dnsNames: [],
  tags: {},
  ...over,
});
export const rdsEndpoint = (over: Partial<VpcEndpointInfo> = {}) => endpoint({ id: 'vpce-rds', serviceName: `com.amazonaws.${REGION}.rds`, ...over });

/** The function's network: two private subnets (no NAT), the Secrets Manager endpoint in subnet-e. */
export const network = (over: Partial<NetworkPath> = {}): NetworkPath => ({
  vpcId: VPC_ID,
  vpc: { id: VPC_ID, cidrBlocks: [VPC_CIDR], isDefault: false, tags: {} },
  subnets: [SUBNET_A, SUBNET_B],
  functionGroups: [FN_SG],
  routeTables: [routeTable()],
  acls: [acl('acl-fn', ['subnet-a', 'subnet-b']), acl('acl-vpce', ['subnet-e'])],
  endpoints: [endpoint()],
  endpointSubnets: [SUBNET_E],
  endpointGroups: [ENDPOINT_SG],
  ...over,
});

export const db = (over: Partial<DbSummary> = {}): DbSummary => ({
  kind: 'instance',
  id: 'orders-db',
  arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders-db`,
  status: 'available',
  engine: 'postgres',
  engineVersion: '16.4',
  parameterGroup: 'orders-pg16',
  port: 5432,
  securityGroupIds: ['sg-db'],
  ...over,
});

export const params = (values: Record<string, string>): DbParameterValues => ({
  values: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { name, value, source: 'user' }])),
  pages: 1,
  truncated: false,
});

// ---------------------------------------------------------------- invocations

let seq = 0;
/** a request id unique within the test file */
export const requestId = () => `${(++seq).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;

/** One invocation, as the parser would give it. */
export const invocation = (over: Partial<RotationInvocation> = {}): RotationInvocation => {
  const startedAt = over.startedAt ?? ATTEMPT;
  const durationMs = over.durationMs ?? 800;
  return {
    requestId: requestId(),
    stream: '2026/12/01/[$LATEST]abc',
    startedAt,
    lastAt: new Date(startedAt.getTime() + durationMs),
    steps: [],
    durationMs,
    timedOut: false,
    ended: true,
    foundCredentials: true,
    secretArns: [SECRET_ARN],
    lineCount: 5,
    ...over,
  };
};

const after = (i: number, ms = 60_000) => new Date(ATTEMPT.getTime() + i * ms);

/** A rotation that finished: one invocation per step. */
export const successfulRotation = (start = ATTEMPT): RotationInvocation[] =>
  (['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as RotationStep[]).map((step, i) =>
    invocation({ startedAt: new Date(start.getTime() + i * 1000), steps: [step], lastLine: `${step}: Successfully done for ARN ${SECRET_ARN}` }),
  );

/** Nothing after "Found credentials in environment variables" until the timeout. */
export const silentTimeout = (timeoutSeconds = 30): RotationInvocation =>
  invocation({ startedAt: after(0), steps: [], durationMs: timeoutSeconds * 1000, timedOut: true, timeoutSeconds, secretArns: [], lastLine: 'Found credentials in environment variables.' });

/** createSecret put AWSPENDING, then setSecret's invocation went silent until its timeout. */
export const stalledAfterCreate = (timeoutSeconds = 30): RotationInvocation[] => [
  invocation({ startedAt: after(0), steps: ['createSecret'], lastLine: `createSecret: Successfully put secret for ARN ${SECRET_ARN}` }),
  invocation({ startedAt: after(1), steps: [], durationMs: timeoutSeconds * 1000, timedOut: true, timeoutSeconds, secretArns: [] }),
];

/** createSecret, then setSecret "Unable to log into database" after `durationMs`. */
export const loginFailure = (durationMs: number): RotationInvocation[] => [
  invocation({ startedAt: after(0), steps: ['createSecret'] }),
  invocation({ startedAt: after(1), steps: ['setSecret'], durationMs, error: 'setSecret: Unable to log into database with previous, current, or pending secret of secret arn', lastLine: 'setSecret: Unable to log into database' }),
];
export const shortLoginFailure = () => loginFailure(900);
export const longLoginFailure = () => loginFailure(8_000);

/** "KeyError: '<key> key is missing from secret JSON'" in createSecret. */
export const missingKey = (key = 'username'): RotationInvocation[] => [
  invocation({ startedAt: after(0), steps: ['createSecret'], missingKey: key, error: `KeyError: '${key} key is missing from secret JSON'` }),
];

/** Invocations parsed from raw log lines (the real parser, redaction included). */
export const parsed = (messages: string[], start = ATTEMPT): RotationInvocation[] =>
  parseRotationLog(messages.map((message, i): RotationLogLine => ({ time: new Date(start.getTime() + i * 100), stream: 's1', message }))).invocations;

export const logs = (invocations: RotationInvocation[], over: Partial<RotationInvocations> = {}): RotationInvocations => ({
  logGroupName: `/aws/lambda/${FN_NAME}`,
  invocations,
  groupNotFound: false,
  truncated: false,
  unattributed: 0,
  otherSecrets: 0,
  ...over,
});

// ---------------------------------------------------------------- the evidence

type Over = Partial<Omit<RotationFailedEvidence, 'checks'>> & {
  /** checks that failed (the rest are ok) */
  failed?: CheckId[];
  /** checks that were skipped */
  skipped?: CheckId[];
  /** the failed checks' IAM action */
  iamAction?: string;
};

/** A healthy rotation by default: the last attempt (at ATTEMPT) finished; the next is due a day later. */
export function evidence(over: Over = {}): RotationFailedEvidence {
  const { failed = [], skipped = [], iamAction, ...rest } = over;
  return {
    input: { target: SECRET_NAME, region: REGION, hours: 24 },
    now: NOW,
    since: new Date(NOW.getTime() - 24 * HOUR),
    secret: secret({ lastRotated: ATTEMPT }),
    fn: fn(),
    setup: setup(),
    logs: logs(successfulRotation()),
    network: network(),
    db: { db: db(), how: 'secret-name' },
    dbParameters: params({}),
    dbGroups: [DB_SG],
    ...rest,
    checks: CHECKS.map((c) =>
      failed.includes(c.id)
        ? { id: c.id, title: c.title, status: 'failed' as const, reason: 'AccessDenied', ...(iamAction ? { iamAction } : {}) }
        : skipped.includes(c.id)
          ? { id: c.id, title: c.title, status: 'skipped' as const, reason: 'not needed' }
          : { id: c.id, title: c.title, status: 'ok' as const },
    ),
  };
}

/** The last attempt is these invocations (a failed rotation leaves AWSPENDING). */
export const failing = (invocations: RotationInvocation[], over: Over = {}): RotationFailedEvidence =>
  evidence({ secret: secret({ pendingVersion: true }), logs: logs(invocations), ...over });
