// The rotation-failed playbook (issue 14, incident 002: AWS's guide to failed rotations)
// against the AWS double through the real SDK clients: the incident's scenarios
// (scenarios/incident-002-*.json, rotation-healthy.json), and each other symptom → cause of
// the guide as a tweak of them in code. Every finding, its data, cause and buttons; the
// verdict; failed checks naming their IAM action; no secret value from a log line in the
// result; the Slack rendering within Block Kit's limits with log text escaped.
import { afterEach, describe, expect, it } from 'vitest';
import { PlaybookResultSchema, type Finding, type PlaybookResult } from '../src/findings.js';
import { applyRules } from '../src/playbooks/define.js';
import { gather } from '../src/playbooks/rotation-failed/evidence.js';
import { rotationFailed } from '../src/playbooks/rotation-failed/index.js';
import { rules } from '../src/playbooks/rotation-failed/rules/index.js';
import { parseDemoArgs } from '../src/sandbox/app/demo.js';
import { defaultInvocation } from '../src/sandbox/app/scenarios.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Fault, Scenario } from '../src/sandbox/scenario.js';
import { collectMrkdwn, findUnescapedSpecials, validateMessage } from '../src/sandbox/slack/block-kit.js';
import { threadMessages, verdictMessage } from '../src/slack/render.js';
import { awsWorld, clientsFor } from './helpers/harness.js';

const SECRET_NAME = 'prod/orders-db/app';
const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/orders-db/app-Q7mR2x';
const FN = 'orders-db-rotation';
const FN_ARN = `arn:aws:lambda:ap-northeast-1:123456789012:function:${FN}`;
const VPC = 'vpc-0c4f2a9e1b7d30a11';
const SUB_A = 'subnet-0a11c2d3e4f5a6b71';
const SUB_C = 'subnet-0a11c2d3e4f5a6b72';
const SG_FN = 'sg-0f55a6b7c8d9e0f01';
const SG_DB = 'sg-0f55a6b7c8d9e0f02';
const SG_VPCE = 'sg-0f55a6b7c8d9e0f03';
const SM_ENDPOINT = 'vpce-0e7a8b9c0d1e2f302';
const R1 = '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c';
const R2 = '4a0b2d3f-8c5e-4f9b-8d2a-3e4f5a6b7c8d';
const TOKEN = 'b8e1f2a3-4c5d-4e6f-8a7b-9c0d1e2f3a4b';

// ------------------------------------------------------------- Lambda / template log text

type LogEvent = { time: string; message: string };
const start = (id: string) => `START RequestId: ${id} Version: $LATEST`;
const end = (id: string) => `END RequestId: ${id}`;
const report = (id: string, ms: number, extra = '') =>
  `REPORT RequestId: ${id}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.ceil(ms)} ms\tMemory Size: 128 MB\tMax Memory Used: 81 MB${extra ? `\t${extra}` : ''}\t`;
const info = (id: string, text: string) => `[INFO]\t{{time}}\t${id}\t${text}`;
const error = (id: string, text: string) => `[ERROR]\t{{time}}\t${id}\t${text}`;
const found = (id: string) => info(id, 'Found credentials in environment variables.');
const ev = (time: string, message: string): LogEvent => ({ time, message });

const createOk = (id: string, at: string): LogEvent[] => [
  ev(at, start(id)),
  ev(at, found(id)),
  ev(at, info(id, `createSecret: Successfully put secret for ARN ${SECRET_ARN} and version ${TOKEN}.`)),
  ev(at, end(id)),
  ev(at, report(id, 1104.33, 'Init Duration: 391.50 ms')),
];

/** setSecret refused by the DB after `ms`, with the template's lines (and `extra` error lines first). */
const setSecretRefused = (id: string, at: string, ms: number, extra: string[] = []): LogEvent[] => [
  ev(at, start(id)),
  ev(at, found(id)),
  ...extra.map((m) => ev(at, m)),
  ev(at, error(id, `setSecret: Unable to log into database with previous, current, or pending secret of secret arn ${SECRET_ARN}`)),
  ev(at, `[ERROR] ValueError: Unable to log into database with previous, current, or pending secret of secret arn ${SECRET_ARN}\nTraceback (most recent call last):\n  File "/var/task/lambda_function.py", line 174, in set_secret`),
  ev(at, end(id)),
  ev(at, report(id, ms)),
];

/** An invocation that logs "Found credentials" and nothing else until its timeout. */
const silentTimeout = (id: string, startAt: string, endAt: string, seconds: number): LogEvent[] => [
  ev(startAt, start(id)),
  ev(startAt, found(id)),
  ev(endAt, `{{time}} ${id} Task timed out after ${seconds.toFixed(2)} seconds`),
  ev(endAt, end(id)),
  ev(endAt, report(id, seconds * 1000 + 3.12, 'Status: timeout')),
];

// ------------------------------------------------------------------------ scenario tweaks

const fn = (s: Scenario) => s.lambda.functions[0]!;
const logEvents = (s: Scenario, events: LogEvent[]) => {
  s.logs.groups[0]!.events = events;
};
const group = (s: Scenario, id: string) => s.ec2.securityGroups.find((g) => g.id === id)!;
/** The endpoint's group admits the VPC CIDR, as the guide says. */
const endpointAdmitsVpc = (s: Scenario) => {
  group(s, SG_VPCE).ingress = [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.20.0.0/16'] }];
};
/** Rotation set up from a current template (after the SCRAM and TLS fixes). */
const newFunction = (s: Scenario) => {
  s.cloudformation.stacks[0]!.creationTime = '2024-03-05T01:40:00Z';
};
const deny = (service: string, operation: string): Fault => ({ service, operation, kind: 'AccessDenied' });

// ------------------------------------------------------------------------------- harness

let double: AwsDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function investigate(scenarioName: string, tweak?: (s: Scenario) => void, target = SECRET_NAME) {
  const { aws, scenario } = await awsWorld(scenarioName, tweak);
  double = aws;
  const clients = clientsFor(scenario.region);
  try {
    const input = { target, region: scenario.region, hours: 24 };
    const result = PlaybookResultSchema.parse(await rotationFailed.run(clients, input, { timeoutMs: 5_000 }));
    // the rules' structured data (not part of the JSON result): the same evidence read again
    const outcomes = applyRules(rules, await gather(clients, input, { timeoutMs: 5_000 }));
    const data: Record<string, Record<string, unknown>> = {};
    for (const f of outcomes.findings) data[f.id] = outcomes.outcome(f.id as never).hits[0]!.data as Record<string, unknown>;
    Object.defineProperty(result, 'data', { value: data, enumerable: false });
    return { result: result as PlaybookResult & { data: Record<string, Record<string, unknown>> }, aws };
  } finally {
    clients.destroy();
  }
}

const ids = (r: PlaybookResult) => r.findings.map((f) => f.id);
/** A finding of the result, with its rule's structured data. */
const finding = (r: PlaybookResult, id: string): Finding & { data: Record<string, unknown> } => {
  const f = r.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id}; got ${ids(r).join(', ') || 'none'}`);
  return { ...f, data: (r as PlaybookResult & { data: Record<string, Record<string, unknown>> }).data[id]! };
};
const buttons = (f: Finding) => f.remediations.map((r) => r.id);
const check = (r: PlaybookResult, id: string) => r.checks.find((c) => c.id === id)!;
const text = (f: Finding) => `${f.title}\n${f.detail}\n${f.evidence.map((e) => e.text).join('\n')}`;

// -------------------------------------------------------------------- the incident's scenarios

describe('rotation-failed on incident 002’s scenarios', () => {
  it('no endpoint, no NAT: silent after "Found credentials" until the timeout → endpoint-unreachable, cause no-route', async () => {
    const { result, aws } = await investigate('incident-002-no-endpoint');
    expect(ids(result)).toEqual(['endpoint-unreachable']);
    const f = finding(result, 'endpoint-unreachable');
    expect(f.severity).toBe('critical');
    expect(f.data).toMatchObject({ function: FN, secret: SECRET_NAME, requestId: R1, cause: 'no-route' });
    expect(f.title).toContain(`no Secrets Manager endpoint in ${VPC}`);
    expect(f.title).toContain(`${SUB_A}, ${SUB_C} have no NAT gateway`);
    expect(f.detail).toContain(`aws ec2 create-vpc-endpoint --vpc-id ${VPC} --vpc-endpoint-type Interface --service-name com.amazonaws.ap-northeast-1.secretsmanager`);
    // the other causes of the guide were looked at and ruled out
    expect(f.detail).toMatch(/Ruled out:[\s\S]*network ACL[\s\S]*endpoint policy/);
    expect(buttons(f)).toEqual(['rotate-now']);
    expect(f.remediations[0]!.params).toMatchObject({ secretId: SECRET_ARN });
    expect(f.evidence[0]!.text).toMatch(/no step logged, ran 30 s, timed out; last line: Found credentials in environment variables\./);
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'endpoint-unreachable', subject: SECRET_NAME });
    expect(result.verdict.summary).toMatch(/^Likely cause: orders-db-rotation cannot reach Secrets Manager: no Secrets Manager endpoint/);
    expect(result.checks.every((c) => c.status === 'ok')).toBe(true);
    // read-only, and never the secret's value
    expect(aws.calls.some((c) => c.operation === 'GetSecretValue')).toBe(false);
  });

  it('endpoint group admits one subnet only: log stops after createSecret → stalled-after-create, cause endpoint-sg, sg-allow-https-from-vpc', async () => {
    const { result } = await investigate('incident-002-stalled');
    expect(ids(result)).toEqual(['stalled-after-create']);
    const f = finding(result, 'stalled-after-create');
    expect(f.data).toMatchObject({ function: FN, secret: SECRET_NAME, cause: 'endpoint-sg', notRuledOut: [] });
    expect(f.title).toContain(`${SM_ENDPOINT} (${SG_VPCE}) do not admit HTTPS (443) from subnets ${SUB_C} 10.20.2.0/24`);
    expect(f.title).not.toContain(SUB_A);
    expect(f.title).toMatch(/^Rotation stops after createSecret: the endpoint’s security group does not admit the VPC \(/);
    expect(buttons(f)).toEqual(['sg-allow-https-from-vpc', 'rotate-now']);
    expect(f.remediations[0]!.params).toEqual({ groupId: SG_VPCE, cidr: '10.20.0.0/16', region: 'ap-northeast-1', vpcId: VPC, description: `Secrets Manager endpoint ${SM_ENDPOINT}` });
    // the guide's other four causes, each ruled out from what was read
    expect(f.detail).toMatch(/Ruled out:/);
    for (const cause of ['network ACL', 'timeout is 30 s', 'policy of vpce-0e7a8b9c0d1e2f302 allows', 'single-user rotation']) expect(f.detail).toContain(cause);
    expect(f.evidence.map((e) => e.text.split(',')[0])).toEqual(['invocation 3f9a1c2e: createSecret', 'invocation 4a0b2d3f: no step logged', `${FN}: timeout 30 s`]);
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'stalled-after-create' });
  });

  it('Aurora PostgreSQL 15 (scram-sha-256) and a function set up 2021-06: quick refusal → scram-unsupported, not cannot-login-credentials', async () => {
    const { result } = await investigate('incident-002-scram');
    expect(ids(result)).toEqual(['scram-unsupported']);
    const f = finding(result, 'scram-unsupported');
    expect(f.severity).toBe('critical');
    expect(f.data).toMatchObject({ db: 'orders-db', engineVersion: '15.4', function: FN, loginFailed: true });
    expect(new Date(f.data.setUpAt as string).toISOString()).toBe('2021-06-14T05:20:00.000Z');
    expect(f.detail).toContain('scram-sha-256');
    expect(f.detail).toContain('readelf -a libpq.so.5');
    // the default group's value is the engine's default (RDS says Source: engine-default), not a setting someone made
    expect(f.evidence[0]!.text).toBe('orders-db: aurora-postgresql 15.4; password_encryption = scram-sha-256 (engine-default)');
    expect(f.detail).toContain('the engine’s default for this version');
    expect(buttons(f)).toEqual(['rotation-function-recreate']);
    expect(f.remediations[0]!.params).toMatchObject({ secretId: SECRET_ARN, functionName: FN_ARN, reason: 'scram' });
    expect(result.findings.some((x) => x.id === 'cannot-login-credentials' || x.id === 'cannot-login-network')).toBe(false);
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'scram-unsupported' });
  });

  it('scram: the engine default is enough (no password_encryption in the group)', async () => {
    const { result } = await investigate('incident-002-scram', (s) => {
      s.rds.parameterGroups![0]!.parameters = {};
      s.rds.parameterGroups![0]!.engineDefaults = [];
    });
    expect(ids(result)).toEqual(['scram-unsupported']);
    expect(finding(result, 'scram-unsupported').evidence[0]!.text).toContain('scram-sha-256 (engine-default)');
  });

  it('healthy: the last rotation succeeded and the next is scheduled → rotation-healthy, verdict ok', async () => {
    const { result } = await investigate('rotation-healthy');
    expect(ids(result)).toEqual(['rotation-healthy']);
    const f = finding(result, 'rotation-healthy');
    expect(f.severity).toBe('ok');
    expect(f.data).toMatchObject({ secret: SECRET_NAME });
    expect(new Date(f.data.nextRotation as string).getTime()).toBeGreaterThan(Date.now());
    expect(f.title).toMatch(/^Rotation of prod\/orders-db\/app is healthy: last rotated \d{4}-\d\d-\d\d \d\d:\d\d UTC, next \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(f.detail).toMatch(/shows the last rotation finishing at/);
    expect(result.verdict.severity).toBe('ok');
    expect(result.verdict.cause).toBeUndefined();
    expect(result.checks.every((c) => c.status === 'ok')).toBe(true);
    expect(result.timeline.filter((t) => t.source === 'CloudWatch Logs')).toHaveLength(4);
  });

  it('managed rotation (the rotation-failed scenario: RDS rotates the master secret) → managed-rotation, pending → warning', async () => {
    const { result } = await investigate('rotation-failed', undefined, 'rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f');
    expect(ids(result)).toEqual(['managed-rotation']);
    const f = finding(result, 'managed-rotation');
    expect(f).toMatchObject({ severity: 'warning', data: { owner: 'rds', pending: true, db: 'prod-db' } });
    expect(f.detail).toContain('/why-db-down prod-db');
    expect(result.verdict).toMatchObject({ severity: 'warning', cause: 'managed-rotation' });
    for (const id of ['function', 'function-setup', 'logs', 'network']) expect(check(result, id).status).toBe('skipped');
  });
});

// ------------------------------------------------------------- the guide's other causes

describe('rotation-failed: the guide’s other symptom → cause pairs (tweaks of the scenarios)', () => {
  it('private DNS off on the endpoint, no NAT → endpoint-unreachable, cause no-route, saying so', async () => {
    const { result } = await investigate('incident-002-no-endpoint', (s) => {
      s.ec2.vpcEndpoints.push({ id: SM_ENDPOINT, vpcId: VPC, serviceName: 'com.amazonaws.ap-northeast-1.secretsmanager', subnetIds: [SUB_A, SUB_C], securityGroupIds: [SG_VPCE], privateDnsEnabled: false });
      s.ec2.securityGroups.push({ id: SG_VPCE, vpcId: VPC, ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.20.0.0/16'] }] });
      delete fn(s).environment;
    });
    const f = finding(result, 'endpoint-unreachable');
    expect(f.data).toMatchObject({ cause: 'no-route' });
    expect(f.title).toContain(`endpoint ${SM_ENDPOINT} has private DNS off`);
    expect(result.verdict.cause).toBe('endpoint-unreachable');
  });

  it('private DNS off, and the SECRETS_MANAGER_ENDPOINT variable the templates always set: not ruled out, never "ruled out"', async () => {
    // the templates set the variable to the public name by default; whybot reads names only,
    // so the variable's presence cannot show the function is told the endpoint's own name
    const { result } = await investigate('incident-002-no-endpoint', (s) => {
      s.ec2.vpcEndpoints.push({ id: SM_ENDPOINT, vpcId: VPC, serviceName: 'com.amazonaws.ap-northeast-1.secretsmanager', subnetIds: [SUB_A, SUB_C], securityGroupIds: [SG_VPCE], privateDnsEnabled: false });
      s.ec2.securityGroups.push({ id: SG_VPCE, vpcId: VPC, ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.20.0.0/16'] }] });
    });
    const f = finding(result, 'endpoint-unreachable');
    expect(f.data.cause).toBeUndefined();
    expect(f.detail).toMatch(/Not ruled out:[\s\S]*No way to Secrets Manager[\s\S]*private DNS off[\s\S]*SECRETS_MANAGER_ENDPOINT/);
    expect(f.detail).not.toMatch(/Ruled out:[\s\S]*No way to Secrets Manager/);
  });

  it('a network ACL without the ephemeral ports back in → stalled-after-create, cause nacl, nacl-allow-https', async () => {
    const { result } = await investigate('incident-002-stalled', (s) => {
      endpointAdmitsVpc(s);
      s.ec2.networkAcls = [
        {
          id: 'acl-0e44f5a6b7c8d9e01',
          vpcId: VPC,
          subnetIds: [SUB_A, SUB_C],
          entries: [
            { ruleNumber: 100, egress: true, protocol: 'tcp', action: 'allow', cidrBlock: '10.20.0.0/16', fromPort: 443, toPort: 443 },
            { ruleNumber: 110, egress: true, protocol: 'tcp', action: 'allow', cidrBlock: '10.20.0.0/16', fromPort: 5432, toPort: 5432 },
            { ruleNumber: 100, egress: false, protocol: 'tcp', action: 'allow', cidrBlock: '10.20.0.0/16', fromPort: 443, toPort: 443 },
            { ruleNumber: 110, egress: false, protocol: 'tcp', action: 'allow', cidrBlock: '10.20.0.0/16', fromPort: 5432, toPort: 5432 },
          ],
        },
      ];
    });
    const f = finding(result, 'stalled-after-create');
    expect(f.data).toMatchObject({ cause: 'nacl' });
    expect(f.title).toContain('network ACL acl-0e44f5a6b7c8d9e01');
    expect(f.title).toContain('answers (TCP 1024–65535)');
    expect(buttons(f)).toEqual(['nacl-allow-https', 'rotate-now']);
    expect(f.remediations[0]!.params).toMatchObject({ naclId: 'acl-0e44f5a6b7c8d9e01', region: 'ap-northeast-1' });
  });

  it('a 3 s function timeout → stalled-after-create, cause timeout, lambda-timeout to 120 s', async () => {
    const { result } = await investigate('incident-002-stalled', (s) => {
      endpointAdmitsVpc(s);
      fn(s).timeout = 3;
      logEvents(s, [...createOk(R1, 'now-1h12m'), ...silentTimeout(R2, 'now-1h11m58s', 'now-1h11m55s', 3)]);
    });
    const f = finding(result, 'stalled-after-create');
    expect(f.data).toMatchObject({ cause: 'timeout' });
    expect(f.title).toContain('timeout is 3 s, shorter than the 30 s');
    expect(buttons(f)).toEqual(['lambda-timeout', 'rotate-now']);
    expect(f.remediations[0]!.params).toMatchObject({ functionName: FN_ARN, timeoutSeconds: 120, currentSeconds: 3 });
    expect(result.verdict.cause).toBe('stalled-after-create');
  });

  it('an endpoint policy that lets only the app in → stalled-after-create, cause endpoint-policy', async () => {
    const { result } = await investigate('incident-002-stalled', (s) => {
      endpointAdmitsVpc(s);
      s.ec2.vpcEndpoints.find((e) => e.id === SM_ENDPOINT)!.policy = {
        Version: '2012-10-17',
        Statement: [{ Sid: 'OrdersApiOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/orders-api-task' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
      };
    });
    const f = finding(result, 'stalled-after-create');
    expect(f.data).toMatchObject({ cause: 'endpoint-policy' });
    expect(f.title).toContain(`role arn:aws:iam::123456789012:role/${FN}-role`);
    expect(buttons(f)).toEqual(['rotate-now']);
  });

  it('the secret’s JSON lacks a key → secret-json-missing-keys with the key and the structure, from the log alone', async () => {
    const { result, aws } = await investigate('incident-002-scram', (s) => {
      newFunction(s);
      logEvents(s, [
        ev('now-20m', start(R1)),
        ev('now-20m', found(R1)),
        ev(
          'now-20m',
          `[ERROR] KeyError: 'username key is missing from secret JSON'\nTraceback (most recent call last):\n  File "/var/task/lambda_function.py", line 110, in create_secret\n    current_dict = get_secret_dict(service_client, arn, "AWSCURRENT")`,
        ),
        ev('now-20m', end(R1)),
        ev('now-20m', report(R1, 843.21)),
      ]);
    });
    expect(ids(result)).toEqual(['secret-json-missing-keys']);
    const f = finding(result, 'secret-json-missing-keys');
    expect(f.data).toMatchObject({ key: 'username', engine: 'postgres', keys: ['engine', 'host', 'username', 'password'], requestId: R1 });
    expect(f.detail).toContain('"username": <username>');
    expect(buttons(f)).toEqual(['rotate-now']);
    expect(aws.calls.some((c) => c.operation === 'GetSecretValue')).toBe(false);
  });

  it('a long login failure (7.5 s) and a DB group that does not admit the function → cannot-login-network naming the DB’s group', async () => {
    const { result } = await investigate('incident-002-scram', (s) => {
      newFunction(s);
      group(s, SG_DB).ingress = group(s, SG_DB).ingress!.filter((r) => !r.groupIds?.includes(SG_FN));
      logEvents(s, [...createOk(R1, 'now-40m'), ...setSecretRefused(R2, 'now-39m50s', 7512.4)]);
    });
    expect(ids(result)).toEqual(['cannot-login-network']);
    const f = finding(result, 'cannot-login-network');
    expect(f.data).toMatchObject({ db: 'orders-db', port: 5432, shutSubnets: [SUB_A, SUB_C], egressShut: false });
    expect(f.title).toContain(`orders-db’s security groups (${SG_DB}) do not admit port 5432 from the function’s groups (${SG_FN})`);
    expect(f.detail).toContain(`aws ec2 authorize-security-group-ingress --region ap-northeast-1 --group-id ${SG_DB} --protocol tcp --port 5432 --source-group ${SG_FN}`);
    expect(buttons(f)).toEqual(['rotate-now']);
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'cannot-login-network' });
  });

  it('a short login failure with a current function → cannot-login-credentials with the by-hand commands for AWSCURRENT and AWSPREVIOUS', async () => {
    const { result } = await investigate('incident-002-scram', newFunction);
    expect(ids(result)).toEqual(['cannot-login-credentials']);
    const f = finding(result, 'cannot-login-credentials');
    expect(f.data).toMatchObject({ function: FN, secret: SECRET_NAME, durationMs: 1843.52 });
    for (const stage of ['AWSCURRENT', 'AWSPREVIOUS'])
      expect(f.detail).toContain(`aws secretsmanager get-secret-value --region ap-northeast-1 --secret-id '${SECRET_ARN}' --version-stage ${stage} --query SecretString --output text`);
    expect(buttons(f)).toEqual(['rotate-now']);
    expect(f.detail).not.toContain('Not ruled out');
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'cannot-login-credentials' });
  });

  it('a DB that requires TLS and a function set up before 2021-12-20 → tls-required-old-function (and neither SCRAM nor credentials)', async () => {
    const { result } = await investigate('incident-002-scram', (s) => {
      s.rds.parameterGroups![0]!.parameters = { password_encryption: 'md5', 'rds.force_ssl': '1' };
      s.rds.parameterGroups![0]!.engineDefaults = [];
    });
    expect(ids(result)).toEqual(['tls-required-old-function']);
    const f = finding(result, 'tls-required-old-function');
    expect(f.data).toMatchObject({ db: 'orders-db', parameter: 'rds.force_ssl', function: FN, loginFailed: true });
    expect(f.severity).toBe('critical');
    expect(buttons(f)).toEqual(['rotation-function-recreate']);
    expect(f.remediations[0]!.params).toMatchObject({ reason: 'tls' });
    expect(result.verdict.cause).toBe('tls-required-old-function');
  });

  it('the rotation function is gone → function-missing; its reads are skipped', async () => {
    const { result } = await investigate('incident-002-no-endpoint', (s) => {
      s.lambda.functions = [];
    });
    expect(ids(result)).toEqual(['function-missing']);
    expect(finding(result, 'function-missing').data).toEqual({ secret: SECRET_NAME, functionArn: FN_ARN });
    expect(result.verdict).toMatchObject({ severity: 'critical', cause: 'function-missing' });
    for (const id of ['function', 'function-setup', 'logs']) expect(check(result, id).status).toBe('skipped');
  });

  it('a rotation left AWSPENDING and no invocation in the log → not-invoked', async () => {
    const { result } = await investigate('incident-002-no-endpoint', (s) => logEvents(s, []));
    expect(ids(result)).toEqual(['not-invoked']);
    const f = finding(result, 'not-invoked');
    expect(f).toMatchObject({ severity: 'warning', data: { function: FN, logGroup: `/aws/lambda/${FN}`, groupNotFound: false } });
    expect(f.detail).toContain(`aws lambda get-policy --function-name ${FN}`);
    expect(result.verdict).toMatchObject({ severity: 'warning', cause: 'not-invoked' });
  });
});

// ------------------------------------------------------------------ permissions and secrets

describe('rotation-failed: what it could not read, and what it never shows', () => {
  it('no permission for the logs: the logs check fails naming logs:FilterLogEvents; the other checks still answer', async () => {
    const { result } = await investigate('incident-002-no-endpoint', (s) => {
      s.faults = [deny('logs', 'FilterLogEvents')];
    });
    expect(check(result, 'logs')).toMatchObject({ status: 'failed', iamAction: 'logs:FilterLogEvents' });
    expect(result.checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual(['logs']);
    for (const id of ['secret', 'function', 'function-setup', 'network', 'db', 'db-parameters', 'db-network']) expect(check(result, id).status).toBe('ok');
    // the rotation is known not to have finished (AWSPENDING), and the verdict says so
    expect(result.verdict.severity).toBe('warning');
    expect(result.verdict.summary).toMatch(/did not finish/);
    // …and what the network shows: no endpoint, no NAT
    expect(result.verdict.summary).toContain(`the network shows a likely cause: no Secrets Manager endpoint in ${VPC}`);
    expect(result.verdict.summary).toMatch(/1 check could not run: logs\.$/);
    const thread = threadMessages(result).flatMap((m) => collectMrkdwn({ blocks: m.blocks }).map((t) => t.text)).join('\n');
    // the check line names the action it needs, once
    const line = thread.split('\n').find((l) => l.includes('CloudWatch Logs') && l.includes('logs:FilterLogEvents'));
    expect(line).toBeDefined();
    expect(line!.match(/logs:FilterLogEvents/g)).toHaveLength(1);
  });

  it('no permission for the DB: the login finding the logs support is still given, the db check names its action', async () => {
    const { result } = await investigate('incident-002-scram', (s) => {
      s.faults = [deny('rds', 'DescribeDBClusters')];
    });
    expect(check(result, 'db')).toMatchObject({ status: 'failed', iamAction: 'rds:DescribeDBClusters' });
    expect(ids(result)).toEqual(['cannot-login-credentials']);
    // SCRAM (the real cause here) cannot be decided without the DB: the finding says so, with the action
    const f = finding(result, 'cannot-login-credentials');
    expect(f.detail).toMatch(/Not ruled out: an old rotation function against a database that hashes passwords with SCRAM or requires TLS/);
    expect(f.detail).toContain('needs rds:DescribeDBClusters');
  });

  const failures: Array<[string, Fault, string]> = [
    ['secret', deny('secretsmanager', 'DescribeSecret'), 'secretsmanager:DescribeSecret'],
    ['function', deny('lambda', 'GetFunctionConfiguration'), 'lambda:GetFunctionConfiguration'],
    ['function-setup', deny('lambda', 'ListTags'), 'lambda:ListTags'],
    ['function-setup', deny('cloudformation', 'DescribeStacks'), 'cloudformation:DescribeStacks'],
    ['logs', deny('logs', 'FilterLogEvents'), 'logs:FilterLogEvents'],
    ['network', deny('ec2', 'DescribeVpcEndpoints'), 'ec2:DescribeVpcEndpoints'],
    ['network', deny('ec2', 'DescribeRouteTables'), 'ec2:DescribeRouteTables'],
    ['db', deny('rds', 'DescribeDBClusters'), 'rds:DescribeDBClusters'],
    ['db-parameters', deny('rds', 'DescribeDBClusterParameters'), 'rds:DescribeDBClusterParameters'],
    ['db-network', deny('ec2', 'DescribeSecurityGroups'), 'ec2:DescribeSecurityGroups'],
  ];
  it.each(failures)('check %s denied (%j) names %s', async (id, fault, action) => {
    const { result } = await investigate('incident-002-stalled', (s) => {
      s.faults = [fault];
    });
    expect(check(result, id)).toMatchObject({ status: 'failed', iamAction: action });
    for (const c of result.checks.filter((x) => x.status === 'failed')) expect(c.iamAction, c.id).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    // the unknown is said, not guessed: without the network the causes are "not ruled out"
    if (id === 'network') {
      const f = finding(result, 'stalled-after-create');
      expect(f.data).toMatchObject({ notRuledOut: expect.arrayContaining(['nacl', 'endpoint-sg', 'endpoint-policy']) });
      expect(f.detail).toContain(`needs ${action}`);
    }
  });

  it('a password a function echoed into its log never reaches a finding, the timeline or the JSON', async () => {
    const password = 'Xk9mQ2vL8pR4tZw7';
    const { result } = await investigate('incident-002-scram', (s) => {
      newFunction(s);
      logEvents(s, [
        ...createOk(R1, 'now-40m'),
        ...setSecretRefused(R2, 'now-39m58s', 1843.52, [
          error(R2, `setSecret: connect failed: postgresql://app:${password}@orders-db.cluster-c1x2y3z4w5v6.ap-northeast-1.rds.amazonaws.com:5432/orders`),
          info(R2, `setSecret: trying login with password ${password} for user app`),
        ]),
      ]);
    });
    const json = JSON.stringify(result);
    expect(json).not.toContain(password);
    expect(json).toContain('postgresql://app:[redacted]@orders-db.cluster-c1x2y3z4w5v6');
    expect(finding(result, 'cannot-login-credentials').evidence[0]!.text).toContain('[redacted]');
    const rendered = [verdictMessage(result), ...threadMessages(result)];
    expect(JSON.stringify(rendered)).not.toContain(password);
  });
});

// ------------------------------------------------------------------------------ Slack

describe('rotation-failed in Slack: Block Kit limits and escaped log text', () => {
  const hostile = 'setSecret: Unable to log into database: FATAL: role "<!channel> *bold* & <@U0ALICE>" does not exist';

  it('log text with <!channel>, *bold* and & is escaped; a long log stays within 50 blocks and 3000-character sections', async () => {
    const { result } = await investigate('incident-002-scram', (s) => {
      newFunction(s);
      // 80 refused logins, a hostile line in each: a long timeline to page
      const ids80 = Array.from({ length: 80 }, (_, i) => `${(0x10000000 + i).toString(16)}-1111-4222-8333-${'4'.repeat(12)}`);
      logEvents(s, [
        ...createOk(R1, 'now-23h'),
        ...ids80.flatMap((id, i) => setSecretRefused(id, `now-22h${i}m`, 1200 + i, [error(id, `${hostile} ${'x'.repeat(200)}`)])),
      ]);
    });
    const f = finding(result, 'cannot-login-credentials');
    expect(f.evidence[0]!.text).toContain('<!channel> *bold* &'); // the finding keeps the text as logged…
    const messages = [verdictMessage(result), ...threadMessages(result, (ref) => `signed:${ref.id}`)];
    expect(messages.length).toBeGreaterThan(2);
    let all = '';
    for (const m of messages) {
      expect(validateMessage(m).errors).toEqual([]);
      expect(m.blocks.length).toBeLessThanOrEqual(50);
      for (const b of m.blocks) if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      for (const { path, text } of collectMrkdwn({ text: m.text, blocks: m.blocks })) {
        expect(findUnescapedSpecials(text), path).toEqual([]);
        all += `${text}\n`;
      }
    }
    // …and Slack gets it escaped: no ping, no mention, the ampersand as an entity
    expect(all).toContain('&lt;!channel&gt; *bold* &amp; &lt;@U0ALICE&gt;');
    expect(all).not.toContain('<!channel>');
    // the buttons reach Slack
    const actions = messages.flatMap((m) => m.blocks).filter((b) => b.type === 'actions');
    expect(actions.length).toBeGreaterThan(0);
  });

  it('each scenario’s verdict and thread render within limits', async () => {
    for (const name of ['incident-002-no-endpoint', 'incident-002-stalled', 'incident-002-scram', 'rotation-healthy']) {
      const { result } = await investigate(name);
      await double?.close();
      double = undefined;
      for (const m of [verdictMessage(result), ...threadMessages(result, (ref) => `signed:${ref.id}`)]) {
        expect(validateMessage(m).errors, name).toEqual([]);
        expect(m.blocks.length).toBeLessThanOrEqual(50);
      }
    }
  });
});

// ------------------------------------------------------------------------------- demo

describe('whybot demo on the incident 002 scenarios', () => {
  it.each(['incident-002-no-endpoint', 'incident-002-stalled', 'incident-002-scram', 'rotation-healthy'])('%s runs rotation-failed on prod/orders-db/app by default', async (name) => {
    expect(defaultInvocation(name)).toEqual({ playbook: 'rotation-failed', target: SECRET_NAME });
    const parsed = await parseDemoArgs([name]);
    expect(parsed).toEqual({ ok: true, args: { scenario: name, playbook: 'rotation-failed', target: SECRET_NAME, json: false } });
  });
});
