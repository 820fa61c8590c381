// The db-down playbook against the AWS double through the real SDK clients: each scenario
// must reach the diagnosis a person reached by hand (incident 003), or say what it could not see.
import { afterEach, describe, expect, it } from 'vitest';
import { PlaybookResultSchema, type PlaybookResult } from '../src/findings.js';
import { dbDown } from '../src/playbooks/db-down/index.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import { awsWorld, clientsFor } from './helpers/harness.js';

let double: AwsDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function investigate(scenarioName: string, target = 'prod-db', extra: { secret?: string; hours?: number } = {}) {
  const { aws, scenario } = await awsWorld(scenarioName);
  double = aws;
  const clients = clientsFor(scenario.region);
  const progress: string[][] = [];
  try {
    const result = await dbDown.run(
      clients,
      { target, region: scenario.region, hours: extra.hours ?? 24, ...(extra.secret ? { secret: extra.secret } : {}) },
      { timeoutMs: 5_000, onProgress: (checks) => progress.push(checks.map((c) => `${c.id}:${c.state}`)) },
    );
    return { result: PlaybookResultSchema.parse(result), progress, aws };
  } finally {
    clients.destroy();
  }
}

const ids = (r: PlaybookResult) => r.findings.map((f) => f.id);
const check = (r: PlaybookResult, id: string) => r.checks.find((c) => c.id === id);

describe('db-down on incident 003', () => {
  it('finds the 3 stale tasks of api, the rotation and the short interval', async () => {
    const { result, aws } = await investigate('incident-003');
    expect(ids(result)).toEqual(['stale-credentials', 'short-rotation-interval']);
    expect(result.verdict.severity).toBe('critical');
    expect(result.verdict.summary).toMatch(/^Likely cause: secret rds!cluster-6f1c2d3e-\S+ rotated at .* \(RDS: Reset master credentials\)\. 3 tasks of ECS service api started before that and still hold the old password\.$/);

    const stale = result.findings[0]!;
    expect(stale.title).toMatch(/^3 of 4 tasks of ECS service api started before/);
    const staleTasks = stale.evidence.filter((e) => e.source === 'ECS task').map((e) => e.text.split(' ')[1]);
    expect(staleTasks.sort()).toEqual([
      '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      '1b2c3d4e5f60718293a4b5c6d7e8f90a',
      '2c3d4e5f60718293a4b5c6d7e8f90a1b',
    ]);
    expect(stale.remediations.map((r) => r.id)).toEqual(['ecs-redeploy', 'show-cli']);
    expect(stale.remediations[0]!.params).toMatchObject({ cluster: 'prod', service: 'api' });
    expect(stale.detail).toMatch(/EventBridge/);
    expect(stale.detail).toMatch(/IAM database authentication/);

    const interval = result.findings[1]!;
    expect(interval.severity).toBe('warning');
    expect(interval.remediations[0]).toMatchObject({ id: 'rotation-schedule', params: { days: 30 } });
    expect(interval.detail).toMatch(/Next rotation: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // One timeline: RDS event, CloudTrail chain in order, task starts, next rotation.
    const chain = result.timeline.filter((t) => t.source === 'CloudTrail').map((t) => t.text.split(' ')[0]);
    expect(chain).toEqual(['RotationStarted', 'GetRandomPassword', 'PutSecretValue', 'UpdateSecretVersionStage', 'RotationSucceeded']);
    expect(result.timeline.some((t) => t.source === 'RDS' && t.text === 'Reset master credentials')).toBe(true);
    expect(result.timeline.filter((t) => t.source === 'ECS')).toHaveLength(4);
    const times = result.timeline.map((t) => t.time);
    expect([...times].sort()).toEqual(times);
    // every check but who stopped the DB, which only a stopped DB needs
    expect(result.checks.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual(['stop-event']);

    // Metadata only: never the secret's value; web-static's tasks are not listed.
    expect(aws.calls.some((c) => c.operation === 'GetSecretValue')).toBe(false);
    expect(aws.calls.filter((c) => c.operation === 'ListTasks')).toHaveLength(1);
    expect(aws.calls.filter((c) => c.operation === 'LookupEvents')).toHaveLength(1);
  });

  it('reports progress as checks move from running to done', async () => {
    const { progress } = await investigate('incident-003');
    expect(progress[0]).toContain('db:running');
    expect(progress.at(-1)!.filter((s) => !s.endsWith(':ok'))).toEqual(['stop-event:skipped']);
  });
});

describe('db-down on other worlds', () => {
  it('healthy: says so, and what was checked', async () => {
    const { result } = await investigate('healthy');
    expect(ids(result)).toContain('credentials-healthy');
    expect(ids(result)).not.toContain('stale-credentials');
    expect(result.verdict.severity).toBe('ok');
    expect(result.findings.find((f) => f.id === 'credentials-healthy')!.detail).toMatch(/running tasks of api/);
  });

  it('DB stopped: db-unavailable with since when', async () => {
    const { result } = await investigate('db-stopped');
    expect(ids(result)[0]).toBe('db-unavailable');
    expect(result.verdict.severity).toBe('critical');
    expect(result.findings[0]!.title).toMatch(/is stopped/);
    expect(result.findings[0]!.detail).toMatch(/since .* \(RDS: DB cluster stopped\)/);
    // who stopped it and when (CloudTrail), and how to start it, in the finding and the verdict
    expect(check(result, 'stop-event')).toMatchObject({ status: 'ok' });
    expect(result.findings[0]!.detail).toMatch(/alice stopped it at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(CloudTrail: StopDBCluster\)/);
    expect(result.findings[0]!.evidence).toContainEqual(expect.objectContaining({ source: 'CloudTrail', text: expect.stringMatching(/^StopDBCluster by .*alice/) }));
    expect(result.verdict.summary).toMatch(/stopped it at .* \(StopDBCluster\)\. Start it: aws rds start-db-cluster --db-cluster-identifier prod-db --region ap-northeast-1$/);
  });

  it('a DB that is not stopped: no CloudTrail lookup for who stopped it', async () => {
    const { result } = await investigate('incident-003');
    expect(check(result, 'stop-event')).toMatchObject({ status: 'skipped', reason: 'the DB is not stopped' });
  });

  it('rotation failed: rotation-failed, and no stale-credentials claim', async () => {
    const { result } = await investigate('rotation-failed');
    expect(ids(result)).toContain('rotation-failed');
    expect(ids(result)).not.toContain('stale-credentials');
    expect(result.verdict.severity).toBe('critical');
    expect(result.verdict.summary).toMatch(/RotationFailed/);
  });

  it('no permissions: still answers, naming each failed check and its IAM action', async () => {
    const { result } = await investigate('no-permissions');
    expect(check(result, 'rotation-history')).toMatchObject({ status: 'failed', iamAction: 'cloudtrail:LookupEvents' });
    expect(check(result, 'ecs-consumers')).toMatchObject({ status: 'failed', iamAction: 'ecs:ListClusters' });
    expect(check(result, 'db')!.status).toBe('ok');
    expect(check(result, 'secret')!.status).toBe('ok');
    expect(ids(result)).not.toContain('credentials-healthy');
    // What it could see still points at the cause: the password changed, consumers unknown.
    expect(ids(result)[0]).toBe('password-changed-consumers-unknown');
    expect(result.verdict.severity).toBe('warning');
    expect(result.verdict.summary).toMatch(/password changed at .*RDS: Reset master credentials.*could not run: .*rotation-history/);
  });

  it('unknown DB: says so and suggests close names', async () => {
    const { result } = await investigate('many-dbs', 'prod-bd');
    expect(ids(result)).toEqual(['db-not-found']);
    expect(result.findings[0]!.detail).toMatch(/Did you mean: prod-db/);
    expect(check(result, 'secret')!.status).toBe('skipped');
  });

  it('a throttled API is retried by the SDK and the check still passes', async () => {
    const { aws, scenario } = await awsWorld('incident-003');
    double = aws;
    aws.inject({ service: 'cloudtrail', operation: 'LookupEvents', kind: 'Throttling', times: 1 });
    const clients = clientsFor(scenario.region);
    const result = await dbDown.run(clients, { target: 'prod-db', region: scenario.region, hours: 24 }, { timeoutMs: 5_000 });
    clients.destroy();
    expect(check(result, 'rotation-history')!.status).toBe('ok');
    expect(aws.calls.filter((c) => c.operation === 'LookupEvents')).toHaveLength(2);
    expect(ids(result)[0]).toBe('stale-credentials');
  });

  it('a slow API fails its check with a timeout, and the rest still answer', async () => {
    const { aws, scenario } = await awsWorld('incident-003');
    double = aws;
    aws.inject({ service: 'ecs', operation: 'ListClusters', kind: 'Delay', delayMs: 1_500 });
    const clients = clientsFor(scenario.region);
    const result = await dbDown.run(clients, { target: 'prod-db', region: scenario.region, hours: 24 }, { timeoutMs: 400 });
    clients.destroy();
    expect(check(result, 'ecs-consumers')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/timed out/) });
    expect(check(result, 'db')!.status).toBe('ok');
    expect(ids(result)).not.toContain('credentials-healthy');
    expect(result.verdict.summary).toMatch(/could not run: ecs-consumers/);
  });

  it('a 500 from AWS fails the check with the reason', async () => {
    const { aws, scenario } = await awsWorld('incident-003');
    double = aws;
    aws.inject({ service: 'secretsmanager', operation: 'DescribeSecret', kind: 'InternalError' });
    const clients = clientsFor(scenario.region);
    const result = await dbDown.run(clients, { target: 'prod-db', region: scenario.region, hours: 24 }, { timeoutMs: 5_000 });
    clients.destroy();
    expect(check(result, 'secret')).toMatchObject({ status: 'failed', iamAction: 'secretsmanager:DescribeSecret' });
    expect(check(result, 'secret')!.reason).toMatch(/500/);
    // The stale tasks are still found from the RDS event and CloudTrail.
    expect(ids(result)[0]).toBe('stale-credentials');
  });
});
