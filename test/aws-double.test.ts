// End-to-end tests of the local AWS double with the REAL AWS SDK v3 clients, which reach it
// through AWS_ENDPOINT_URL (no `endpoint:` passed to any client).
import {
  CloudTrailClient,
  LookupEventsCommand,
  paginateLookupEvents,
  type Event as TrailLookupEvent,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  paginateListServices,
  paginateListTasks,
  waitUntilServicesStable,
} from '@aws-sdk/client-ecs';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeEventsCommand,
  RDSClient,
  paginateDescribeDBClusters,
} from '@aws-sdk/client-rds';
import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { listScenarios, loadScenario, resolveTime, scenariosDir, ScenarioSchema, type Scenario } from '../src/sandbox/scenario.js';
import { startAwsDouble, type AwsDouble } from '../src/sandbox/aws/server.js';
import { buildWorld } from '../src/sandbox/aws/world.js';
import { AWS_QUOTAS, QuotaLimiter, TokenBucket, describeQuota, type QuotaTable } from '../src/sandbox/aws/quotas.js';
import { failure, startFor, T0 } from './helpers/aws-double.js';

const SECRET_ARN =
  'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f-Ab12Cd';
const SECRET_NAME = 'rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const API_TASK_IDS = [
  '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  '1b2c3d4e5f60718293a4b5c6d7e8f90a',
  '2c3d4e5f60718293a4b5c6d7e8f90a1b',
  '3d4e5f60718293a4b5c6d7e8f90a1b2c',
];

/** A fixed "now" so that expected times are exact. */
const at = (rel: string) => resolveTime(rel, T0);

interface Clients {
  rds: RDSClient;
  sm: SecretsManagerClient;
  ct: CloudTrailClient;
  ecs: ECSClient;
}

function makeClients(maxAttempts?: number): Clients {
  const config = maxAttempts === undefined ? {} : { maxAttempts };
  return {
    rds: new RDSClient(config),
    sm: new SecretsManagerClient(config),
    ct: new CloudTrailClient(config),
    ecs: new ECSClient(config),
  };
}


async function signedPost(url: string, signingName: string, headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(`${url}/`, {
    method: 'POST',
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=test/20261123/ap-northeast-1/${signingName}/aws4_request, SignedHeaders=host, Signature=00`,
      ...headers,
    },
    body,
  });
}

// ---------------------------------------------------------------------------------------

describe('incident-003: reads', () => {
  let aws: AwsDouble;
  let c: Clients;
  beforeAll(async () => {
    aws = await startFor(await loadScenario('incident-003'));
    // These tests are about answers, not rates: the quotas have their own tests below.
    aws.setQuotas(false);
    c = makeClients();
  });
  afterAll(async () => aws.close());
  afterEach(() => aws.clearFaults());

  it('routes by signing name and records every call in order', async () => {
    aws.reset();
    await c.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'prod-db' }));
    await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_NAME }));
    await c.ecs.send(new ListClustersCommand({}));
    await c.ct.send(new LookupEventsCommand({ MaxResults: 5 }));
    expect(aws.calls.map((x) => `${x.service}:${x.operation}:${x.status}`)).toEqual([
      'rds:DescribeDBClusters:200',
      'secretsmanager:DescribeSecret:200',
      'ecs:ListClusters:200',
      'cloudtrail:LookupEvents:200',
    ]);
    expect(aws.calls[0]!.params).toEqual({ DBClusterIdentifier: 'prod-db' });
    expect(aws.calls[1]!.params).toEqual({ SecretId: SECRET_NAME });
    expect(aws.calls[3]!.params).toEqual({ MaxResults: 5 });
    expect(aws.calls[0]!.at).toBeGreaterThanOrEqual(T0.getTime());
    expect(aws.calls[3]!.at).toBeGreaterThanOrEqual(aws.calls[0]!.at);
  });

  it('RDS DescribeDBClusters returns the cluster as the scenario says', async () => {
    const out = await c.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'prod-db' }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.DBClusters).toHaveLength(1);
    const cl = out.DBClusters![0]!;
    expect(cl.DBClusterIdentifier).toBe('prod-db');
    expect(cl.Status).toBe('available');
    expect(cl.Engine).toBe('aurora-mysql');
    expect(cl.EngineVersion).toBe('8.0.mysql_aurora.3.08.0');
    expect(cl.Endpoint).toBe('prod-db.cluster-abcdefghijkl.ap-northeast-1.rds.amazonaws.com');
    expect(cl.ReaderEndpoint).toBe('prod-db.cluster-ro-abcdefghijkl.ap-northeast-1.rds.amazonaws.com');
    expect(cl.Port).toBe(3306);
    expect(cl.MasterUsername).toBe('db_user');
    expect(cl.DBClusterArn).toBe('arn:aws:rds:ap-northeast-1:123456789012:cluster:prod-db');
    expect(cl.ClusterCreateTime).toEqual(at('now-16d'));
    expect(cl.MasterUserSecret?.SecretArn).toBe(SECRET_ARN);
    expect(cl.MasterUserSecret?.SecretStatus).toBe('active');
    expect(cl.MasterUserSecret?.KmsKeyId).toMatch(/^arn:aws:kms:ap-northeast-1:123456789012:key\//);
    expect(cl.DBClusterMembers).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: 'prod-db-instance-1', IsClusterWriter: true }),
    ]);
    expect(cl.StorageEncrypted).toBe(true);
  });

  it('RDS DescribeDBInstances includes DBClusterIdentifier for an Aurora member', async () => {
    const out = await c.rds.send(new DescribeDBInstancesCommand({}));
    expect(out.DBInstances).toHaveLength(1);
    const i = out.DBInstances![0]!;
    expect(i.DBInstanceIdentifier).toBe('prod-db-instance-1');
    expect(i.DBClusterIdentifier).toBe('prod-db');
    expect(i.DBInstanceStatus).toBe('available');
    expect(i.Engine).toBe('aurora-mysql');
    expect(i.Endpoint).toEqual({ Address: 'prod-db-instance-1.abcdefghijkl.ap-northeast-1.rds.amazonaws.com', Port: 3306 });
    expect(i.InstanceCreateTime).toEqual(at('now-16d'));
    expect(i.DBInstanceArn).toBe('arn:aws:rds:ap-northeast-1:123456789012:db:prod-db-instance-1');
    expect(i.MasterUserSecret).toBeUndefined();
  });

  it('RDS not-found errors are typed, with status 404', async () => {
    const cluster = await failure(c.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'nope-db' })));
    expect(cluster).toMatchObject({ name: 'DBClusterNotFoundFault', status: 404, message: 'DBCluster nope-db not found.', fault: 'client' });
    const instance = await failure(c.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope-1' })));
    expect(instance).toMatchObject({ name: 'DBInstanceNotFoundFault', status: 404, message: 'DBInstance nope-1 not found.' });
  });

  it('RDS DescribeEvents uses the default one-hour window, Duration in minutes, and StartTime/EndTime', async () => {
    const lastHour = await c.rds.send(new DescribeEventsCommand({ SourceIdentifier: 'prod-db', SourceType: 'db-cluster' }));
    expect(lastHour.Events).toEqual([]);
    const fourHours = await c.rds.send(
      new DescribeEventsCommand({ SourceIdentifier: 'prod-db', SourceType: 'db-cluster', Duration: 240 }),
    );
    expect(fourHours.Events).toEqual([
      {
        SourceIdentifier: 'prod-db',
        SourceType: 'db-cluster',
        Message: 'Reset master credentials',
        EventCategories: ['configuration change'],
        Date: at('now-3h'),
        SourceArn: 'arn:aws:rds:ap-northeast-1:123456789012:cluster:prod-db',
      },
    ]);
    const window = await c.rds.send(new DescribeEventsCommand({ StartTime: at('now-3h5m'), EndTime: at('now-2h55m') }));
    expect(window.Events?.map((e) => e.Message)).toEqual(['Reset master credentials']);
    const before = await c.rds.send(new DescribeEventsCommand({ StartTime: at('now-5h'), EndTime: at('now-4h') }));
    expect(before.Events).toEqual([]);
    const otherSource = await c.rds.send(new DescribeEventsCommand({ SourceType: 'db-instance', Duration: 240 }));
    expect(otherSource.Events).toEqual([]);
    const err = await failure(c.rds.send(new DescribeEventsCommand({ SourceIdentifier: 'prod-db', Duration: 240 })));
    expect(err).toMatchObject({ name: 'InvalidParameterCombination', status: 400 });
  });

  it('RDS XML text is escaped', async () => {
    aws.world.rds.events.push({
      sourceId: 'prod-db',
      sourceType: 'db-cluster',
      sourceArn: 'arn:aws:rds:ap-northeast-1:123456789012:cluster:prod-db',
      time: at('now-10m'),
      message: 'Storage <full> & "growing" \'fast\'',
      categories: ['low storage'],
    });
    try {
      const out = await c.rds.send(new DescribeEventsCommand({ SourceIdentifier: 'prod-db', SourceType: 'db-cluster' }));
      expect(out.Events?.map((e) => e.Message)).toEqual(['Storage <full> & "growing" \'fast\'']);
    } finally {
      aws.world.rds.events.pop();
    }
  });

  it('Secrets Manager DescribeSecret accepts a name, a full ARN or a partial ARN', async () => {
    for (const id of [SECRET_NAME, SECRET_ARN, SECRET_ARN.slice(0, -7)]) {
      const out = await c.sm.send(new DescribeSecretCommand({ SecretId: id }));
      expect(out.ARN).toBe(SECRET_ARN);
    }
    const s = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_ARN }));
    expect(s.Name).toBe(SECRET_NAME);
    expect(s.Description).toBe('Secret associated with primary RDS DB cluster: arn:aws:rds:ap-northeast-1:123456789012:cluster:prod-db');
    expect(s.RotationEnabled).toBe(true);
    expect(s.RotationRules).toEqual({ AutomaticallyAfterDays: 7 });
    expect(s.RotationLambdaARN).toBeUndefined();
    expect(s.LastRotatedDate).toEqual(at('now-3h'));
    expect(s.NextRotationDate).toEqual(at('now+6d21h'));
    expect(s.CreatedDate).toEqual(at('now-16d'));
    expect(s.OwningService).toBe('rds');
    expect(s.Tags).toEqual([
      { Key: 'aws:rds:primaryDBClusterArn', Value: 'arn:aws:rds:ap-northeast-1:123456789012:cluster:prod-db' },
      { Key: 'aws:secretsmanager:owningService', Value: 'rds' },
    ]);
    const stages = Object.values(s.VersionIdsToStages ?? {}).flat().sort();
    expect(stages).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  it('Secrets Manager: an unknown secret is ResourceNotFoundException', async () => {
    const err = await failure(c.sm.send(new DescribeSecretCommand({ SecretId: 'no-such-secret' })));
    expect(err).toMatchObject({ name: 'ResourceNotFoundException', status: 400, message: "Secrets Manager can't find the specified secret." });
  });

  it('CloudTrail LookupEvents pages newest first with paginateLookupEvents', async () => {
    aws.reset();
    const pages: TrailLookupEvent[][] = [];
    for await (const page of paginateLookupEvents({ client: c.ct, pageSize: 2 }, {})) pages.push(page.Events ?? []);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(aws.calls.filter((x) => x.operation === 'LookupEvents')).toHaveLength(3);
    const events = pages.flat();
    expect(events.map((e) => e.EventName)).toEqual([
      'DescribeSecret',
      'RotationSucceeded',
      'UpdateSecretVersionStage',
      'PutSecretValue',
      'GetRandomPassword',
      'RotationStarted',
    ]);
    const times = events.map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(events[0]!.EventTime).toEqual(at('now-2h'));
    expect(new Set(events.map((e) => e.EventId)).size).toBe(6);
  });

  it('CloudTrail rotation service events follow the published sample', async () => {
    const out = await c.ct.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RotationSucceeded' }] }),
    );
    expect(out.Events).toHaveLength(1);
    const e = out.Events![0]!;
    expect(e.EventSource).toBe('secretsmanager.amazonaws.com');
    expect(e.ReadOnly).toBe('false');
    expect(e.Resources).toEqual([]);
    expect(e.Username).toBeUndefined();
    const record = JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>;
    expect(record).toMatchObject({
      eventType: 'AwsServiceEvent',
      eventName: 'RotationSucceeded',
      eventSource: 'secretsmanager.amazonaws.com',
      eventTime: at('now-3h').toISOString().replace('.000Z', 'Z'),
      awsRegion: 'ap-northeast-1',
      userIdentity: { accountId: '123456789012', invokedBy: 'secretsmanager.amazonaws.com' },
      requestParameters: null,
      responseElements: null,
      additionalEventData: { SecretId: SECRET_ARN },
      resources: [],
      eventID: e.EventId,
      readOnly: false,
      managementEvent: true,
      recipientAccountId: '123456789012',
      eventCategory: 'Management',
    });
    expect(record.requestID).toMatch(new RegExp(`^Rotation-${SECRET_ARN.replace(/[.*+?^${}()|[\]\\!]/g, '\\$&')}-[0-9a-f-]{36}$`));
    expect(record).toHaveProperty('eventVersion');
    expect(record).toHaveProperty('sourceIPAddress');
    expect(record).toHaveProperty('userAgent');
  });

  it('CloudTrail API-call events name the secret in requestParameters and Resources', async () => {
    const out = await c.ct.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: SECRET_ARN }] }),
    );
    expect(out.Events?.map((e) => e.EventName)).toEqual(['UpdateSecretVersionStage', 'PutSecretValue']);
    const put = out.Events![1]!;
    expect(put.Username).toBe('SLRSession');
    expect(put.Resources).toEqual([{ ResourceType: 'AWS::SecretsManager::Secret', ResourceName: SECRET_ARN }]);
    const record = JSON.parse(put.CloudTrailEvent!) as Record<string, unknown> & { userIdentity: Record<string, unknown> };
    expect(record).toMatchObject({ eventType: 'AwsApiCall', requestParameters: { secretId: SECRET_ARN }, readOnly: false, eventID: put.EventId });
    expect(record.userIdentity.arn).toBe('arn:aws:iam::123456789012:user/SLRSession');
    expect(record).not.toHaveProperty('errorCode');

    const random = await c.ct.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetRandomPassword' }] }),
    );
    expect(JSON.parse(random.Events![0]!.CloudTrailEvent!)).toMatchObject({ requestParameters: null, readOnly: true });
  });

  it('CloudTrail filters by the other attributes and by time', async () => {
    const lookup = async (AttributeKey: 'ReadOnly' | 'Username' | 'EventSource' | 'EventId', AttributeValue: string) =>
      (await c.ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey, AttributeValue }] }))).Events ?? [];
    expect((await lookup('ReadOnly', 'true')).map((e) => e.EventName)).toEqual(['DescribeSecret', 'GetRandomPassword']);
    expect((await lookup('Username', 'someone')).map((e) => e.EventName)).toEqual(['DescribeSecret']);
    expect(await lookup('EventSource', 'kms.amazonaws.com')).toEqual([]);
    const one = (await lookup('EventSource', 'secretsmanager.amazonaws.com'))[3]!;
    expect((await lookup('EventId', one.EventId!)).map((e) => e.EventName)).toEqual([one.EventName]);

    const late = await c.ct.send(new LookupEventsCommand({ StartTime: at('now-2h30m') }));
    expect(late.Events?.map((e) => e.EventName)).toEqual(['DescribeSecret']);
    const early = await c.ct.send(new LookupEventsCommand({ EndTime: at('now-3h1m') }));
    expect(early.Events?.map((e) => e.EventName)).toEqual(['PutSecretValue', 'GetRandomPassword', 'RotationStarted']);
  });

  it('CloudTrail validates LookupAttributes and MaxResults like AWS', async () => {
    const two = await failure(
      c.ct.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventSource', AttributeValue: 'secretsmanager.amazonaws.com' },
            { AttributeKey: 'EventName', AttributeValue: 'PutSecretValue' },
          ],
        }),
      ),
    );
    expect(two).toMatchObject({ name: 'InvalidLookupAttributesException', status: 400 });
    const big = await failure(c.ct.send(new LookupEventsCommand({ MaxResults: 51 })));
    expect(big).toMatchObject({ name: 'InvalidMaxResultsException', status: 400 });
    const range = await failure(c.ct.send(new LookupEventsCommand({ StartTime: at('now-1h'), EndTime: at('now-2h') })));
    expect(range).toMatchObject({ name: 'InvalidTimeRangeException', status: 400 });
    const first = await c.ct.send(new LookupEventsCommand({ MaxResults: 1 }));
    const mismatched = await failure(
      c.ct.send(new LookupEventsCommand({ MaxResults: 1, NextToken: first.NextToken, StartTime: at('now-1d') })),
    );
    expect(mismatched).toMatchObject({ name: 'InvalidNextTokenException', status: 400 });
  });

  it('ECS lists and describes clusters, services, task definitions and tasks', async () => {
    const clusters = await c.ecs.send(new ListClustersCommand({}));
    expect(clusters.clusterArns).toEqual(['arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod']);

    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListServices({ client: c.ecs, pageSize: 1 }, { cluster: 'prod' })) {
      pages++;
      names.push(...(page.serviceArns ?? []));
    }
    expect(pages).toBe(2);
    expect(names).toEqual([
      'arn:aws:ecs:ap-northeast-1:123456789012:service/prod/api',
      'arn:aws:ecs:ap-northeast-1:123456789012:service/prod/web-static',
    ]);

    const described = await c.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api', 'ghost'] }));
    expect(described.failures).toEqual([{ arn: 'arn:aws:ecs:ap-northeast-1:123456789012:service/prod/ghost', reason: 'MISSING' }]);
    const api = described.services![0]!;
    expect(api).toMatchObject({
      serviceName: 'api',
      serviceArn: 'arn:aws:ecs:ap-northeast-1:123456789012:service/prod/api',
      clusterArn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod',
      status: 'ACTIVE',
      desiredCount: 4,
      runningCount: 4,
      taskDefinition: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:12',
    });
    expect(api.deployments).toHaveLength(1);
    expect(api.deployments![0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      taskDefinition: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:12',
      runningCount: 4,
      desiredCount: 4,
    });
    expect(api.deployments![0]!.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(api.deployments![0]!.createdAt).toBeInstanceOf(Date);
    expect(api.events![0]!.message).toBe('(service api) has reached a steady state.');

    for (const ref of ['api', 'api:12', 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:12']) {
      const td = await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
      expect(td.taskDefinition?.taskDefinitionArn).toBe('arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:12');
      expect(td.taskDefinition?.containerDefinitions?.[0]?.secrets?.map((s) => s.name)).toEqual([
        'DB_USER',
        'DB_PASSWORD',
        'RAILS_MASTER_KEY',
      ]);
      expect(td.taskDefinition?.containerDefinitions?.[0]?.secrets?.[1]?.valueFrom).toBe(`${SECRET_ARN}:password::`);
    }

    const taskArns: string[] = [];
    for await (const page of paginateListTasks({ client: c.ecs, pageSize: 3 }, { cluster: 'prod', serviceName: 'api' })) {
      taskArns.push(...(page.taskArns ?? []));
    }
    expect(taskArns).toEqual(API_TASK_IDS.map((id) => `arn:aws:ecs:ap-northeast-1:123456789012:task/prod/${id}`));
    const tasks = await c.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [...taskArns, 'ffffffffffffffffffffffffffffffff'] }));
    expect(tasks.failures).toEqual([
      { arn: 'arn:aws:ecs:ap-northeast-1:123456789012:task/prod/ffffffffffffffffffffffffffffffff', reason: 'MISSING' },
    ]);
    expect(tasks.tasks!.map((t) => t.startedAt)).toEqual([at('now-5d2h'), at('now-5d2h'), at('now-4d7h'), at('now-1h')]);
    for (const t of tasks.tasks!) {
      expect(t).toMatchObject({
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        group: 'service:api',
        clusterArn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod',
        taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:12',
      });
      expect(t.createdAt!.getTime()).toBeLessThan(t.startedAt!.getTime());
    }
  });

  it('ECS errors are typed', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `svc-${i}`);
    expect(await failure(c.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: eleven })))).toMatchObject({
      name: 'InvalidParameterException',
      status: 400,
    });
    expect(await failure(c.ecs.send(new ListServicesCommand({ cluster: 'staging' })))).toMatchObject({
      name: 'ClusterNotFoundException',
      status: 400,
      message: 'Cluster not found.',
    });
    expect(await failure(c.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'ghost' })))).toMatchObject({
      name: 'ServiceNotFoundException',
    });
    expect(await failure(c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:99' })))).toMatchObject({
      name: 'ClientException',
      message: 'Unable to describe task definition.',
    });
  });

  it('serves the scenario in its own Region only: other Regions are empty', async () => {
    const rds = new RDSClient({ region: 'us-east-1' });
    const sm = new SecretsManagerClient({ region: 'us-east-1' });
    expect((await rds.send(new DescribeDBClustersCommand({}))).DBClusters).toEqual([]);
    expect((await failure(sm.send(new DescribeSecretCommand({ SecretId: SECRET_NAME })))).name).toBe('ResourceNotFoundException');
    expect(aws.calls.at(-1)).toMatchObject({ service: 'secretsmanager', region: 'us-east-1' });
    expect((await c.rds.send(new DescribeDBClustersCommand({}))).DBClusters).toHaveLength(1);
  });

  it('answers operations it does not implement with the protocol error for unknown operations', async () => {
    expect(await failure(c.sm.send(new ListSecretVersionIdsCommand({ SecretId: SECRET_ARN })))).toMatchObject({
      name: 'UnknownOperationException',
      status: 400,
    });
    expect(await failure(c.rds.send(new DescribeDBSnapshotsCommand({})))).toMatchObject({ name: 'InvalidAction', status: 400 });
    // (STS is served since issue 16, for AssumeRole: SNS stands for a service the double does not serve)
    const sns = await signedPost(aws.url, 'sns', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=ListTopics&Version=2010-03-31');
    expect(sns.status).toBe(400);
    const text = await sns.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(sns.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(aws.calls.at(-1)).toMatchObject({ service: 'sns', operation: 'ListTopics', status: 400, error: 'InvalidAction' });
  });
});

// ---------------------------------------------------------------------------------------

describe('faults', () => {
  let aws: AwsDouble;
  let c: Clients;
  let once: Clients;
  beforeAll(async () => {
    aws = await startFor(await loadScenario('incident-003'));
    c = makeClients();
    once = makeClients(1);
  });
  afterAll(async () => aws.close());
  afterEach(() => {
    aws.clearFaults();
    aws.reset();
  });

  it('AccessDenied on a JSON service: AccessDeniedException 400 with the IAM message', async () => {
    aws.inject({ service: 'cloudtrail', operation: 'LookupEvents', kind: 'AccessDenied' });
    const err = await failure(c.ct.send(new LookupEventsCommand({})));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      'User: arn:aws:sts::123456789012:assumed-role/whybot/whybot-sandbox is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action',
    );
    expect(aws.calls).toHaveLength(1);
    expect(aws.calls[0]).toMatchObject({ service: 'cloudtrail', operation: 'LookupEvents', status: 400, error: 'AccessDeniedException' });

    aws.inject({ service: 'secretsmanager', operation: 'DescribeSecret', kind: 'AccessDenied' });
    const sm = await failure(c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_NAME })));
    expect(sm.name).toBe('AccessDeniedException');
    expect(sm.message).toContain(`secretsmanager:DescribeSecret on resource: ${SECRET_ARN}`);
  });

  it('AccessDenied on RDS (query): AccessDenied 403', async () => {
    aws.inject({ service: 'rds', operation: 'DescribeDBClusters', kind: 'AccessDenied' });
    const err = await failure(c.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'prod-db' })));
    expect(err).toMatchObject({ name: 'AccessDenied', status: 403, fault: 'client' });
    expect(err.message).toContain('is not authorized to perform: rds:DescribeDBClusters on resource: arn:aws:rds:ap-northeast-1:123456789012:cluster:prod-db');
  });

  it('Throttling without retries: ThrottlingException 400 (JSON) and Throttling 400 (RDS)', async () => {
    aws.inject({ service: 'ecs', operation: '*', kind: 'Throttling' });
    aws.inject({ service: 'rds', operation: 'DescribeEvents', kind: 'Throttling' });
    expect(await failure(once.ecs.send(new ListClustersCommand({})))).toMatchObject({ name: 'ThrottlingException', status: 400, message: 'Rate exceeded' });
    expect(await failure(once.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] })))).toMatchObject({
      name: 'ThrottlingException',
    });
    expect(await failure(once.rds.send(new DescribeEventsCommand({})))).toMatchObject({ name: 'Throttling', status: 400 });
    // other operations are unaffected
    await once.rds.send(new DescribeDBClustersCommand({}));
  });

  it('Throttling once is retried by the SDK: the call succeeds after 2 attempts', async () => {
    aws.inject({ service: 'secretsmanager', operation: 'DescribeSecret', kind: 'Throttling', times: 1 });
    aws.inject({ service: 'rds', operation: 'DescribeDBInstances', kind: 'Throttling', times: 1 });
    const out = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_NAME }));
    expect(out.ARN).toBe(SECRET_ARN);
    expect(out.$metadata.attempts).toBe(2);
    const rds = await c.rds.send(new DescribeDBInstancesCommand({}));
    expect(rds.DBInstances).toHaveLength(1);
    expect(aws.calls.map((x) => `${x.operation}:${x.status}:${x.error ?? ''}`)).toEqual([
      'DescribeSecret:400:ThrottlingException',
      'DescribeSecret:200:',
      'DescribeDBInstances:400:Throttling',
      'DescribeDBInstances:200:',
    ]);
  });

  it('InternalError: InternalFailure 500, a server fault', async () => {
    aws.inject({ service: 'ecs', operation: 'ListClusters', kind: 'InternalError', times: 1 });
    aws.inject({ service: 'rds', operation: 'DescribeDBClusters', kind: 'InternalError', times: 1 });
    expect(await failure(once.ecs.send(new ListClustersCommand({})))).toMatchObject({ name: 'InternalFailure', status: 500, fault: 'server' });
    expect(await failure(once.rds.send(new DescribeDBClustersCommand({})))).toMatchObject({ name: 'InternalFailure', status: 500, fault: 'server' });
    // times: 1 is used up
    expect((await once.ecs.send(new ListClustersCommand({}))).clusterArns).toHaveLength(1);
  });

  it('times counts the calls a fault applies to', async () => {
    aws.inject({ service: '*', operation: 'ListClusters', kind: 'AccessDenied', times: 2 });
    expect((await failure(once.ecs.send(new ListClustersCommand({})))).name).toBe('AccessDeniedException');
    expect((await failure(once.ecs.send(new ListClustersCommand({})))).name).toBe('AccessDeniedException');
    expect((await once.ecs.send(new ListClustersCommand({}))).clusterArns).toHaveLength(1);
    expect(aws.calls.map((x) => x.status)).toEqual([400, 400, 200]);
  });

  it('Delay waits, then answers normally; setLatency delays every call', async () => {
    aws.inject({ service: 'secretsmanager', operation: 'DescribeSecret', kind: 'Delay', delayMs: 150, times: 1 });
    let t = performance.now();
    const out = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_NAME }));
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    expect(out.ARN).toBe(SECRET_ARN);
    t = performance.now();
    await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_NAME }));
    expect(performance.now() - t).toBeLessThan(140);

    aws.setLatency(120);
    try {
      t = performance.now();
      await c.ecs.send(new ListClustersCommand({}));
      expect(performance.now() - t).toBeGreaterThanOrEqual(110);
    } finally {
      aws.setLatency(0);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('no-permissions scenario', () => {
  let aws: AwsDouble;
  let c: Clients;
  beforeAll(async () => {
    aws = await startFor(await loadScenario('no-permissions'));
    c = makeClients(1);
  });
  afterAll(async () => aws.close());

  it('denies LookupEvents and ListClusters on every call, and nothing else', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await failure(c.ct.send(new LookupEventsCommand({})))).name).toBe('AccessDeniedException');
      const ecs = await failure(c.ecs.send(new ListClustersCommand({})));
      expect(ecs).toMatchObject({ name: 'AccessDeniedException', status: 400 });
      expect(ecs.message).toContain('ecs:ListClusters');
    }
    const services = await c.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
    expect(services.services?.[0]?.runningCount).toBe(4);
    expect((await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_ARN }))).LastRotatedDate).toEqual(at('now-3h'));
  });
});

// ---------------------------------------------------------------------------------------

describe('ECS UpdateService rollout', () => {
  let aws: AwsDouble;
  let c: Clients;
  beforeAll(async () => {
    aws = await startFor(await loadScenario('incident-003'), { deployDelayMs: 60 });
    c = makeClients();
  });
  afterAll(async () => aws.close());

  async function describeApi() {
    const out = await c.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
    return out.services![0]!;
  }

  async function untilSettled() {
    for (let i = 0; i < 100; i++) {
      const s = await describeApi();
      if (s.deployments?.[0]?.rolloutState !== 'IN_PROGRESS') return s;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('rollout never settled');
  }

  it('forceNewDeployment rolls out new tasks and completes', async () => {
    const before = aws.now();
    const updated = await c.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', forceNewDeployment: true }));
    const deployments = updated.service!.deployments!;
    expect(deployments.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    const newId = deployments[0]!.id!;

    const settled = await untilSettled();
    expect(settled.deployments).toHaveLength(1);
    expect(settled.deployments![0]).toMatchObject({ id: newId, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 4 });
    expect(settled.runningCount).toBe(4);
    expect(settled.events![0]!.message).toBe('(service api) has reached a steady state.');
    expect(settled.events!.map((e) => e.message)).toContainEqual(`(service api) (deployment ${newId}) deployment completed.`);
    expect(settled.events!.some((e) => /^\(service api\) has started 4 tasks: \(task [0-9a-f]{32}\)/.test(e.message!))).toBe(true);

    const running = await c.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api' }));
    expect(running.taskArns).toHaveLength(4);
    for (const id of API_TASK_IDS) expect(running.taskArns!.some((a) => a.endsWith(id))).toBe(false);
    const tasks = await c.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: running.taskArns! }));
    for (const t of tasks.tasks!) {
      expect(t.lastStatus).toBe('RUNNING');
      expect(t.startedBy).toBe(newId);
      expect(t.startedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    }

    const stopped = await c.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns?.map((a) => a.split('/').pop()).sort()).toEqual([...API_TASK_IDS].sort());
    const old = await c.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: stopped.taskArns! }));
    expect(old.tasks!.every((t) => t.lastStatus === 'STOPPED' && t.stoppedReason === `Scaling activity initiated by (deployment ${newId})`)).toBe(
      true,
    );
  });

  it('every UpdateService call is a new deployment; waitUntilServicesStable sees the end', async () => {
    aws.reset();
    const ids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const out = await c.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', forceNewDeployment: true }));
      ids.add(out.service!.deployments![0]!.id!);
    }
    expect(ids.size).toBe(2);
    expect(aws.calls.filter((x) => x.operation === 'UpdateService')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 80));
    const result = await waitUntilServicesStable({ client: c.ecs, maxWaitTime: 5, minDelay: 1 }, { cluster: 'prod', services: ['api'] });
    expect(result.state).toBe('SUCCESS');
    const s = await describeApi();
    expect(s.deployments).toHaveLength(1);
    expect(ids.has(s.deployments![0]!.id!)).toBe(true);
    // the world settles on its own too, without requests
    expect(aws.world.ecs.clusters[0]!.services[0]!.deployments[0]!.rolloutState).toBe('COMPLETED');
  });

  it('onDeploy "fail" ends FAILED and keeps the old tasks; "hang" stays IN_PROGRESS', async () => {
    const service = aws.world.ecs.clusters[0]!.services[0]!;
    const runningBefore = (await c.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api' }))).taskArns;

    service.onDeploy = 'fail';
    const failing = await c.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', forceNewDeployment: true }));
    const failedId = failing.service!.deployments![0]!.id!;
    const failed = await untilSettled();
    expect(failed.deployments![0]).toMatchObject({ id: failedId, rolloutState: 'FAILED', failedTasks: 4 });
    expect(failed.deployments).toHaveLength(2);
    expect(failed.events![0]!.message).toBe(`(service api) (deployment ${failedId}) deployment failed: tasks failed to start.`);
    expect((await c.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api' }))).taskArns).toEqual(runningBefore);

    service.onDeploy = 'hang';
    await c.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', forceNewDeployment: true }));
    await new Promise((r) => setTimeout(r, 120));
    expect((await describeApi()).deployments![0]!.rolloutState).toBe('IN_PROGRESS');
  });
});

// ---------------------------------------------------------------------------------------

describe('other scenarios', () => {
  const opened: AwsDouble[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((a) => a.close()));
  });
  async function open(name: string) {
    const aws = await startFor(await loadScenario(name));
    opened.push(aws);
    return { aws, c: makeClients() };
  }

  it('many-dbs: two clusters, a standalone instance with its own secret, paginated', async () => {
    const { aws, c } = await open('many-dbs');
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeDBClusters({ client: c.rds, pageSize: 1 }, {})) {
      pages++;
      ids.push(...(page.DBClusters ?? []).map((x) => x.DBClusterIdentifier!));
    }
    expect(pages).toBe(2);
    expect(ids).toEqual(['prod-db', 'staging-db']);

    // the world is live: more clusters mean more pages
    const template = aws.world.rds.clusters[1]!;
    for (const n of [1, 2, 3]) aws.world.rds.clusters.push({ ...template, id: `extra-${n}`, arn: `${template.arn}-${n}` });
    const all: string[] = [];
    pages = 0;
    for await (const page of paginateDescribeDBClusters({ client: c.rds, pageSize: 2 }, {})) {
      pages++;
      all.push(...(page.DBClusters ?? []).map((x) => x.DBClusterIdentifier!));
    }
    expect(pages).toBe(3);
    expect(all).toEqual(['prod-db', 'staging-db', 'extra-1', 'extra-2', 'extra-3']);
    aws.world.rds.clusters.length = 2;

    const staging = (await c.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'staging-db' }))).DBClusters![0]!;
    expect(staging).toMatchObject({ Engine: 'aurora-postgresql', Port: 5432, MasterUsername: 'postgres' });

    const legacy = (await c.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'legacy-mysql' }))).DBInstances![0]!;
    expect(legacy.DBClusterIdentifier).toBeUndefined();
    expect(legacy.Engine).toBe('mysql');
    expect(legacy.MasterUserSecret?.SecretArn).toMatch(/:secret:rds!db-[0-9a-f-]{36}-\w{6}$/);
    const legacySecret = await c.sm.send(new DescribeSecretCommand({ SecretId: legacy.MasterUserSecret!.SecretArn! }));
    expect(legacySecret.Name).toMatch(/^rds!db-/);
    expect(legacySecret.Tags).toContainEqual({ Key: 'aws:rds:primaryDBInstanceArn', Value: legacy.DBInstanceArn });

    const members = await c.rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: ['prod-db'] }] }));
    expect(members.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['prod-db-instance-1', 'prod-db-instance-2']);

    const events = await c.rds.send(new DescribeEventsCommand({ SourceType: 'db-instance', MaxRecords: 1 }));
    expect(events.Events?.map((e) => e.Message)).toEqual(['Backing up DB instance']);
    const next = await c.rds.send(new DescribeEventsCommand({ SourceType: 'db-instance', MaxRecords: 1, Marker: events.Marker }));
    expect(next.Events?.map((e) => e.Message)).toEqual(['Finished DB Instance backup']);
    expect(next.Marker).toBeUndefined();

    const secretNames: string[] = [];
    for await (const page of paginateListSecrets({ client: c.sm, pageSize: 1 }, {})) secretNames.push(...(page.SecretList ?? []).map((s) => s.Name!));
    expect(secretNames).toHaveLength(3);
    const dbOnly = await c.sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['rds!db-'] }] }));
    expect(dbOnly.SecretList?.map((s) => s.Name)).toEqual([legacySecret.Name]);
    expect(Object.values(dbOnly.SecretList![0]!.SecretVersionsToStages ?? {}).flat()).toContain('AWSCURRENT');

    expect((await c.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
  });

  it('db-stopped: the cluster is stopped and RDS says so', async () => {
    const { c } = await open('db-stopped');
    const cl = (await c.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'prod-db' }))).DBClusters![0]!;
    expect(cl.Status).toBe('stopped');
    const events = await c.rds.send(new DescribeEventsCommand({ SourceIdentifier: 'prod-db', SourceType: 'db-cluster', Duration: 6 * 60 }));
    expect(events.Events?.map((e) => [e.Message, e.Date])).toEqual([['DB cluster stopped', at('now-5h')]]);
    const secret = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_ARN }));
    const tasks = await c.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api' }));
    const described = await c.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: tasks.taskArns! }));
    expect(described.tasks!.every((t) => t.startedAt! > secret.LastRotatedDate!)).toBe(true);
  });

  it('rotation-failed: RotationFailed after RotationStarted, no success since, AWSPENDING left behind', async () => {
    const { c } = await open('rotation-failed');
    const events = await c.ct.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'secretsmanager.amazonaws.com' }] }),
    );
    const rotation = events.Events!.filter((e) => e.EventName!.startsWith('Rotation')).map((e) => [e.EventName, e.EventTime]);
    expect(rotation).toEqual([
      ['RotationFailed', at('now-2h')],
      ['RotationStarted', at('now-2h1m')],
      ['RotationSucceeded', at('now-7d')],
      ['RotationStarted', at('now-7d1m')],
    ]);
    const failed = JSON.parse(events.Events![0]!.CloudTrailEvent!) as { additionalEventData: { SecretId: string } };
    expect(failed.additionalEventData.SecretId).toBe(SECRET_ARN);

    const secret = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_ARN }));
    expect(secret.LastRotatedDate).toEqual(at('now-7d'));
    expect(Object.values(secret.VersionIdsToStages!).flat().sort()).toEqual(['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS']);
  });

  it('healthy: every api task started after the last rotation', async () => {
    const { c } = await open('healthy');
    const secret = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_NAME }));
    expect(secret.LastRotatedDate).toEqual(at('now-3h'));
    const tasks = await c.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api' }));
    const described = await c.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: tasks.taskArns! }));
    expect(described.tasks).toHaveLength(3);
    expect(described.tasks!.every((t) => t.startedAt! > secret.LastRotatedDate!)).toBe(true);
  });

  it('RotateSecret with RotateImmediately=false changes the schedule only', async () => {
    const { c } = await open('healthy');
    const before = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_ARN }));
    const out = await c.sm.send(
      new RotateSecretCommand({ SecretId: SECRET_NAME, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }),
    );
    expect(out.ARN).toBe(SECRET_ARN);
    expect(out.Name).toBe(SECRET_NAME);
    expect(out.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    const after = await c.sm.send(new DescribeSecretCommand({ SecretId: SECRET_ARN }));
    expect(after.RotationRules).toEqual({ AutomaticallyAfterDays: 30 });
    expect(after.LastRotatedDate).toEqual(before.LastRotatedDate);
    expect(after.NextRotationDate).toEqual(new Date(at('now-3h').getTime() + 30 * 86_400_000));
    expect(after.VersionIdsToStages).toEqual(before.VersionIdsToStages);

    const bad = await failure(
      c.sm.send(new RotateSecretCommand({ SecretId: SECRET_NAME, RotationRules: { AutomaticallyAfterDays: 5, ScheduleExpression: 'rate(5 days)' }, RotateImmediately: false })),
    );
    expect(bad).toMatchObject({ name: 'InvalidParameterException', status: 400 });
  });
});

describe('world', () => {
  it('rejects a scenario whose service uses an unknown task definition', async () => {
    const scenario = await loadScenario('incident-003');
    scenario.ecs.taskDefinitions = scenario.ecs.taskDefinitions.filter((td) => td.family !== 'api');
    expect(() => buildWorld(scenario, T0)).toThrow(/api:12/);
  });
});

// ---------------------------------------------------------------------------------------

const PARAM_PREFIX = '/whybot/test';
const WORKER = 'whybot-test-worker';
const WORKER_ARN = `arn:aws:lambda:ap-northeast-1:123456789012:function:${WORKER}`;

function ssmLambdaScenario(): Scenario {
  return ScenarioSchema.parse({
    name: 'ssm-lambda',
    description: 'SSM parameters and a Lambda function',
    ssm: {
      parameters: [
        { name: `${PARAM_PREFIX}/slack-bot-token`, value: 'xoxb-plain-token' },
        { name: `${PARAM_PREFIX}/signing-secret`, value: 's3cr3t', type: 'SecureString', keyId: 'alias/whybot', version: 3 },
        { name: `${PARAM_PREFIX}/table`, value: 'whybot-test', type: 'String', lastModified: 'now-2h' },
        { name: `${PARAM_PREFIX}/responders`, value: 'U0ALICE,U0BOB', type: 'StringList' },
      ],
    },
    lambda: { functions: [{ name: WORKER, aliases: ['live'] }, { name: 'other-fn' }] },
  });
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** An Invoke response payload as text (the SDK gives null, despite its type, for an empty body). */
const text = (payload: Uint8Array | null | undefined) => (payload == null ? undefined : Buffer.from(payload).toString('utf8'));

describe('scenario additions: ssm and lambda', () => {
  it('default to empty, so existing scenario files stay valid', async () => {
    for (const name of await listScenarios()) {
      const scenario = await loadScenario(name);
      // (scenarios written since, e.g. incident-001-kms, may declare their own)
      const raw = JSON.parse(readFileSync(`${scenariosDir}/${name}.json`, 'utf8')) as Record<string, unknown>;
      if (!('ssm' in raw)) expect(scenario.ssm).toEqual({ parameters: [] });
      if (!('lambda' in raw)) expect(scenario.lambda).toEqual({ functions: [] });
    }
  });

  it('resolve defaults in the world: SecureString, version 1, alias/aws/ssm, function ARN', () => {
    const world = buildWorld(ssmLambdaScenario(), T0);
    expect(world.ssm.parameters[0]).toEqual({
      name: `${PARAM_PREFIX}/slack-bot-token`,
      arn: `arn:aws:ssm:ap-northeast-1:123456789012:parameter${PARAM_PREFIX}/slack-bot-token`,
      type: 'SecureString',
      value: 'xoxb-plain-token',
      keyId: 'alias/aws/ssm',
      version: 1,
      lastModified: at('now-30d'),
    });
    expect(world.ssm.parameters[2]).toMatchObject({ type: 'String', lastModified: at('now-2h') });
    expect(world.ssm.parameters[2]).not.toHaveProperty('keyId');
    expect(world.lambda.functions).toEqual([
      { name: WORKER, arn: WORKER_ARN, aliases: ['live'] },
      { name: 'other-fn', arn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:other-fn', aliases: [] },
    ]);
  });

  it('a scenario tweaked in code without parsing gets the same defaults', async () => {
    const scenario = await loadScenario('incident-003');
    scenario.ssm = { parameters: [{ name: 'plain', value: 'v' }] };
    scenario.lambda = { functions: [{ name: 'fn' }] };
    const world = buildWorld(scenario, T0);
    expect(world.ssm.parameters[0]).toMatchObject({ type: 'SecureString', version: 1, arn: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/plain' });
    expect(world.lambda.functions[0]).toEqual({ name: 'fn', arn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:fn', aliases: [] });
  });

  it('rejects duplicate names and invalid function names', () => {
    const twice = ssmLambdaScenario();
    twice.lambda.functions.push({ name: WORKER });
    expect(() => buildWorld(twice, T0)).toThrow(/listed twice/);
    expect(ScenarioSchema.safeParse({ name: 'x', description: '', lambda: { functions: [{ name: 'has space' }] } }).success).toBe(false);
    expect(ScenarioSchema.safeParse({ name: 'x', description: '', ssm: { parameters: [{ name: 'p', value: 'v', type: 'Binary' }] } }).success).toBe(false);
  });
});

describe('SSM Parameter Store', () => {
  let aws: AwsDouble;
  let ssm: SSMClient;
  let once: SSMClient;
  beforeAll(async () => {
    aws = await startFor(ssmLambdaScenario());
    ssm = new SSMClient({});
    once = new SSMClient({ maxAttempts: 1 });
  });
  afterAll(async () => aws.close());
  afterEach(() => {
    aws.clearFaults();
    aws.reset();
  });

  it('GetParameters WithDecryption returns the values, unknown names in InvalidParameters', async () => {
    const names = [`${PARAM_PREFIX}/slack-bot-token`, `${PARAM_PREFIX}/signing-secret`, `${PARAM_PREFIX}/nope`, `${PARAM_PREFIX}/table`];
    const out = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.InvalidParameters).toEqual([`${PARAM_PREFIX}/nope`]);
    expect(out.Parameters).toEqual([
      {
        Name: `${PARAM_PREFIX}/slack-bot-token`,
        Type: 'SecureString',
        Value: 'xoxb-plain-token',
        Version: 1,
        LastModifiedDate: at('now-30d'),
        ARN: `arn:aws:ssm:ap-northeast-1:123456789012:parameter${PARAM_PREFIX}/slack-bot-token`,
        DataType: 'text',
      },
      expect.objectContaining({ Name: `${PARAM_PREFIX}/signing-secret`, Value: 's3cr3t', Version: 3 }),
      expect.objectContaining({ Name: `${PARAM_PREFIX}/table`, Type: 'String', Value: 'whybot-test', LastModifiedDate: at('now-2h') }),
    ]);
    expect(aws.calls).toHaveLength(1);
    expect(aws.calls[0]).toMatchObject({ service: 'ssm', operation: 'GetParameters', status: 200, params: { Names: names, WithDecryption: true } });
  });

  it('without WithDecryption a SecureString comes back encrypted, never as the plain value', async () => {
    const names = [`${PARAM_PREFIX}/slack-bot-token`, `${PARAM_PREFIX}/signing-secret`, `${PARAM_PREFIX}/responders`];
    const out = await ssm.send(new GetParametersCommand({ Names: names }));
    const [token, secret, list] = out.Parameters ?? [];
    for (const p of [token, secret]) {
      expect(p?.Type).toBe('SecureString');
      expect(p?.Value).toMatch(/^AQICAH[A-Za-z0-9+/]+={0,2}$/);
      expect(p?.Value!.length).toBeGreaterThan(100);
    }
    expect(token?.Value).not.toContain('xoxb');
    expect(secret?.Value).not.toContain('s3cr3t');
    expect(token?.Value).not.toBe(secret?.Value);
    expect(list).toMatchObject({ Type: 'StringList', Value: 'U0ALICE,U0BOB' });
    // the same parameter version always has the same ciphertext
    const again = await ssm.send(new GetParametersCommand({ Names: [`${PARAM_PREFIX}/slack-bot-token`], WithDecryption: false }));
    expect(again.Parameters?.[0]?.Value).toBe(token?.Value);
  });

  it('accepts ARNs and version selectors', async () => {
    const arn = `arn:aws:ssm:ap-northeast-1:123456789012:parameter${PARAM_PREFIX}/signing-secret`;
    const out = await ssm.send(
      new GetParametersCommand({ Names: [arn, `${PARAM_PREFIX}/signing-secret:3`, `${PARAM_PREFIX}/signing-secret:2`], WithDecryption: true }),
    );
    expect(out.Parameters?.map((p) => [p.Name, p.Value, p.Selector])).toEqual([
      [`${PARAM_PREFIX}/signing-secret`, 's3cr3t', undefined],
      [`${PARAM_PREFIX}/signing-secret`, 's3cr3t', ':3'],
    ]);
    expect(out.InvalidParameters).toEqual([`${PARAM_PREFIX}/signing-secret:2`]);
  });

  it('GetParameter returns one parameter; ParameterNotFound and ParameterVersionNotFound otherwise', async () => {
    const out = await ssm.send(new GetParameterCommand({ Name: `${PARAM_PREFIX}/slack-bot-token`, WithDecryption: true }));
    expect(out.Parameter).toMatchObject({ Name: `${PARAM_PREFIX}/slack-bot-token`, Value: 'xoxb-plain-token', Type: 'SecureString', Version: 1 });
    const hidden = await ssm.send(new GetParameterCommand({ Name: `${PARAM_PREFIX}/slack-bot-token` }));
    expect(hidden.Parameter?.Value).not.toBe('xoxb-plain-token');
    expect(await failure(ssm.send(new GetParameterCommand({ Name: `${PARAM_PREFIX}/nope` })))).toMatchObject({
      name: 'ParameterNotFound',
      status: 400,
      fault: 'client',
    });
    expect(await failure(ssm.send(new GetParameterCommand({ Name: `${PARAM_PREFIX}/signing-secret:9` })))).toMatchObject({
      name: 'ParameterVersionNotFound',
      message: `Systems Manager could not find version 9 of ${PARAM_PREFIX}/signing-secret. Verify the version and try again.`,
    });
    expect(aws.calls.map((x) => `${x.operation}:${x.status}:${x.error ?? ''}`)).toEqual([
      'GetParameter:200:',
      'GetParameter:200:',
      'GetParameter:400:ParameterNotFound',
      'GetParameter:400:ParameterVersionNotFound',
    ]);
  });

  it('validates Names like AWS (at most 10)', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `/p${i}`);
    expect(await failure(ssm.send(new GetParametersCommand({ Names: eleven })))).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  it('faults: AccessDenied names ssm:GetParameters and the parameter; Throttling; InternalError is InternalServerError', async () => {
    aws.inject({ service: 'ssm', operation: 'GetParameters', kind: 'AccessDenied', times: 1 });
    const denied = await failure(ssm.send(new GetParametersCommand({ Names: [`${PARAM_PREFIX}/slack-bot-token`], WithDecryption: true })));
    expect(denied).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(denied.message).toBe(
      `User: arn:aws:sts::123456789012:assumed-role/whybot/whybot-sandbox is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:ap-northeast-1:123456789012:parameter${PARAM_PREFIX}/slack-bot-token because no identity-based policy allows the ssm:GetParameters action`,
    );
    aws.inject({ service: 'ssm', operation: 'GetParameters', kind: 'Throttling', times: 1 });
    expect(await failure(once.send(new GetParametersCommand({ Names: ['/x'] })))).toMatchObject({ name: 'ThrottlingException', status: 400 });
    aws.inject({ service: 'ssm', operation: '*', kind: 'InternalError', times: 1 });
    expect(await failure(once.send(new GetParameterCommand({ Name: '/x' })))).toMatchObject({ name: 'InternalServerError', status: 500, fault: 'server' });
    expect((await once.send(new GetParametersCommand({ Names: ['/x'] }))).InvalidParameters).toEqual(['/x']);
  });
});

describe('Lambda Invoke', () => {
  let aws: AwsDouble;
  let lambda: LambdaClient;
  let once: LambdaClient;
  beforeAll(async () => {
    aws = await startFor(ssmLambdaScenario());
    lambda = new LambdaClient({});
    once = new LambdaClient({ maxAttempts: 1 });
  });
  afterAll(async () => aws.close());
  afterEach(async () => {
    await aws.idle();
    aws.onInvoke(() => null);
    aws.clearFaults();
    aws.reset();
    vi.restoreAllMocks();
  });

  it('Event: 202 with an empty body, recorded in invocations and calls', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ kind: 'investigate', target: 'prod-db' })) }),
    );
    expect(out.StatusCode).toBe(202);
    expect(out.$metadata.httpStatusCode).toBe(202);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.FunctionError).toBeUndefined();
    expect(text(out.Payload) ?? '').toBe('');
    expect(aws.invocations).toEqual([
      { functionName: WORKER, invocationType: 'Event', payload: { kind: 'investigate', target: 'prod-db' }, at: expect.any(Number) },
    ]);
    expect(aws.invocations[0]!.at).toBeGreaterThanOrEqual(T0.getTime());
    expect(aws.calls).toHaveLength(1);
    expect(aws.calls[0]).toMatchObject({
      service: 'lambda',
      region: 'ap-northeast-1',
      operation: 'Invoke',
      status: 202,
      params: { FunctionName: WORKER, InvocationType: 'Event' },
    });
  });

  it('Event: the client has its 202 before the handler finishes; the handler runs after the answer', async () => {
    const release = gate();
    const events: string[] = [];
    const seen: unknown[] = [];
    aws.onInvoke(async (inv) => {
      events.push('handler started');
      seen.push(inv);
      await release.promise; // would deadlock the client if the double awaited the handler first
      events.push('handler finished');
      return 'ignored';
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event', Payload: '{"n":1}' }));
    events.push('client resolved');
    expect(out.StatusCode).toBe(202);
    expect(events).not.toContain('handler finished');
    await vi.waitFor(() => expect(events).toContain('handler started'));
    release.open();
    await aws.idle();
    expect(events).toEqual(expect.arrayContaining(['client resolved', 'handler started']));
    expect(events.at(-1)).toBe('handler finished');
    expect(events.indexOf('client resolved')).toBeLessThan(events.indexOf('handler finished'));
    expect(seen).toEqual([{ functionName: WORKER, invocationType: 'Event', payload: { n: 1 } }]);
  });

  it('Event: a handler that throws is logged, not returned (as Lambda async invocation)', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    aws.onInvoke(async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('worker crashed');
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event', Payload: '{}' }));
    expect(out.StatusCode).toBe(202);
    await aws.idle();
    expect(logged).toHaveBeenCalledWith(expect.stringContaining(`asynchronous invocation of ${WORKER} failed`), expect.objectContaining({ message: 'worker crashed' }));
    expect(aws.calls.map((x) => x.status)).toEqual([202]);
  });

  it('RequestResponse (default): awaits the handler and returns its JSON result', async () => {
    aws.onInvoke(async (inv) => {
      await new Promise((r) => setTimeout(r, 20));
      return { ok: true, got: inv };
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: WORKER, Payload: Buffer.from('{"kind":"ping"}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(JSON.parse(text(out.Payload)!)).toEqual({
      ok: true,
      got: { functionName: WORKER, invocationType: 'RequestResponse', payload: { kind: 'ping' } },
    });
    expect(aws.invocations).toMatchObject([{ functionName: WORKER, invocationType: 'RequestResponse', payload: { kind: 'ping' } }]);
    expect(aws.calls[0]).toMatchObject({ operation: 'Invoke', status: 200, params: { FunctionName: WORKER } });
  });

  it('RequestResponse: a throwing handler is a function error (X-Amz-Function-Error: Unhandled)', async () => {
    aws.onInvoke(() => {
      throw new TypeError('cannot read target');
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'RequestResponse', Payload: '{}' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const payload = JSON.parse(text(out.Payload)!) as { errorType: string; errorMessage: string; trace: string[] };
    expect(payload).toMatchObject({ errorType: 'TypeError', errorMessage: 'cannot read target' });
    expect(payload.trace[0]).toBe('TypeError: cannot read target');
    expect(aws.calls[0]).toMatchObject({ status: 200 });
    expect(aws.calls[0]!.error).toBeUndefined();
  });

  it('RequestResponse without a handler returns null; no payload is an empty event', async () => {
    const seen: unknown[] = [];
    aws.onInvoke((inv) => {
      seen.push(inv.payload);
      return undefined;
    });
    const out = await lambda.send(new InvokeCommand({ FunctionName: WORKER }));
    expect(text(out.Payload)).toBe('null');
    expect(seen).toEqual([{}]);
  });

  it('DryRun: 204, recorded, and the handler does not run', async () => {
    const handler = vi.fn();
    aws.onInvoke(handler);
    const out = await lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'DryRun' }));
    expect(out.StatusCode).toBe(204);
    await aws.idle();
    expect(handler).not.toHaveBeenCalled();
    expect(aws.invocations).toMatchObject([{ functionName: WORKER, invocationType: 'DryRun' }]);
  });

  it('the handler gets its own copy of the payload', async () => {
    aws.onInvoke((inv) => {
      (inv.payload as { n: number }).n = 99;
      return null;
    });
    await lambda.send(new InvokeCommand({ FunctionName: WORKER, Payload: '{"n":1}' }));
    expect(aws.invocations[0]!.payload).toEqual({ n: 1 });
  });

  it('FunctionName may be a name, a full ARN or a partial ARN, with a qualifier', async () => {
    const forms = [
      WORKER,
      WORKER_ARN,
      `123456789012:function:${WORKER}`,
      `${WORKER}:$LATEST`,
      `${WORKER_ARN}:live`,
      `${WORKER}:live`,
    ];
    for (const FunctionName of forms) {
      const out = await lambda.send(new InvokeCommand({ FunctionName, InvocationType: 'Event', Payload: '{}' }));
      expect(out.StatusCode).toBe(202);
    }
    await lambda.send(new InvokeCommand({ FunctionName: WORKER, Qualifier: 'live', InvocationType: 'Event' }));
    expect(aws.invocations.map((i) => i.functionName)).toEqual(Array(forms.length + 1).fill(WORKER));
    expect(aws.calls.map((c) => c.params.FunctionName)).toEqual([...forms, WORKER]);
    expect(aws.calls.at(-1)!.params.Qualifier).toBe('live');
    const alias = await lambda.send(new InvokeCommand({ FunctionName: `${WORKER}:live` }));
    expect(alias.ExecutedVersion).toBe('1');
  });

  it('an unknown function, alias, account or Region is ResourceNotFoundException 404', async () => {
    const cases: [string, string | undefined, string][] = [
      ['ghost', undefined, 'arn:aws:lambda:ap-northeast-1:123456789012:function:ghost'],
      [`${WORKER}:blue`, undefined, `${WORKER_ARN}:blue`],
      [WORKER, 'blue', `${WORKER_ARN}:blue`],
      [`arn:aws:lambda:us-east-1:123456789012:function:${WORKER}`, undefined, WORKER_ARN],
      [`999999999999:function:${WORKER}`, undefined, WORKER_ARN],
    ];
    for (const [FunctionName, Qualifier, arn] of cases) {
      const err = await failure(lambda.send(new InvokeCommand({ FunctionName, Qualifier, InvocationType: 'Event', Payload: '{}' })));
      expect(err).toMatchObject({ name: 'ResourceNotFoundException', status: 404, fault: 'client', message: `Function not found: ${arn}` });
    }
    expect(aws.invocations).toEqual([]);
    expect(aws.calls.every((c) => c.status === 404 && c.error === 'ResourceNotFoundException')).toBe(true);
    // the scenario's functions exist in its Region only
    const elsewhere = new LambdaClient({ region: 'us-east-1' });
    expect(await failure(elsewhere.send(new InvokeCommand({ FunctionName: WORKER })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('rejects bad requests like Lambda', async () => {
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: WORKER, Payload: '{not json' })))).toMatchObject({
      name: 'InvalidRequestContentException',
      status: 400,
    });
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: `${WORKER}:live`, Qualifier: 'blue' })))).toMatchObject({
      name: 'InvalidParameterValueException',
      status: 400,
    });
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: 'no spaces allowed' })))).toMatchObject({ name: 'ValidationException', status: 400 });
    const big = JSON.stringify({ blob: 'x'.repeat(1024 * 1024) });
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event', Payload: big })))).toMatchObject({
      name: 'RequestTooLargeException',
      status: 413,
    });
    expect(await failure(lambda.send(new ListFunctionsCommand({})))).toMatchObject({ name: 'UnknownOperationException', status: 404 });
    expect(aws.calls.at(-1)).toMatchObject({ service: 'lambda', operation: 'ListFunctions', status: 404 });
    expect(aws.invocations).toEqual([]);
  });

  it('faults: AccessDeniedException 403 naming lambda:InvokeFunction, TooManyRequestsException 429, ServiceException 500', async () => {
    const handler = vi.fn();
    aws.onInvoke(handler);
    aws.inject({ service: 'lambda', operation: 'Invoke', kind: 'AccessDenied', times: 1 });
    const denied = await failure(lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event', Payload: '{}' })));
    expect(denied).toMatchObject({ name: 'AccessDeniedException', status: 403, fault: 'client' });
    expect(denied.message).toBe(
      `User: arn:aws:sts::123456789012:assumed-role/whybot/whybot-sandbox is not authorized to perform: lambda:InvokeFunction on resource: ${WORKER_ARN} because no identity-based policy allows the lambda:InvokeFunction action`,
    );

    aws.inject({ service: 'lambda', operation: 'Invoke', kind: 'Throttling', times: 1 });
    const throttled = await failure(once.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event', Payload: '{}' })));
    expect(throttled).toMatchObject({ name: 'TooManyRequestsException', status: 429, fault: 'client', message: 'Rate exceeded' });

    aws.inject({ service: 'lambda', operation: '*', kind: 'InternalError', times: 1 });
    const internal = await failure(once.send(new InvokeCommand({ FunctionName: WORKER })));
    expect(internal).toMatchObject({ name: 'ServiceException', status: 500, fault: 'server' });

    await aws.idle();
    expect(handler).not.toHaveBeenCalled();
    expect(aws.invocations).toEqual([]);
    expect(aws.calls.map((x) => `${x.service}:${x.operation}:${x.status}:${x.error ?? ''}`)).toEqual([
      'lambda:Invoke:403:AccessDeniedException',
      'lambda:Invoke:429:TooManyRequestsException',
      'lambda:Invoke:500:ServiceException',
    ]);
  });

  it('a throttled Invoke is retried by the SDK and then accepted once', async () => {
    aws.inject({ service: 'lambda', operation: 'Invoke', kind: 'Throttling', times: 1 });
    const out = await lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event', Payload: '{"a":1}' }));
    expect(out.StatusCode).toBe(202);
    expect(out.$metadata.attempts).toBe(2);
    expect(aws.calls.map((x) => x.status)).toEqual([429, 202]);
    expect(aws.invocations).toHaveLength(1);
  });

  it('reset() clears invocations as well as calls', async () => {
    await lambda.send(new InvokeCommand({ FunctionName: WORKER, InvocationType: 'Event' }));
    expect(aws.invocations).toHaveLength(1);
    aws.reset();
    expect(aws.invocations).toEqual([]);
    expect(aws.calls).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------

describe('rate quotas: token bucket (injected clock)', () => {
  it('starts full, refuses when empty, refills at the rate up to the capacity', () => {
    let t = 1_000;
    const b = new TokenBucket(2, 2, () => t);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    expect(b.waitMs()).toBe(500);
    t += 499;
    expect(b.tryTake()).toBe(false);
    t += 1;
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    t += 10_000; // a long pause refills to the capacity, no more
    expect(b.available()).toBe(2);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
  });

  it('a burst above the rate: capacity 5, 1 per second', () => {
    let t = 0;
    const b = new TokenBucket(1, 5, () => t);
    expect([1, 2, 3, 4, 5, 6].map(() => b.tryTake())).toEqual([true, true, true, true, true, false]);
    expect(b.waitMs()).toBe(1000);
    t += 2500; // 2.5 tokens
    expect([1, 2, 3].map(() => b.tryTake())).toEqual([true, true, false]);
    expect(b.waitMs()).toBe(500);
  });

  it('the clock going backwards adds nothing', () => {
    let t = 5_000;
    const b = new TokenBucket(2, 2, () => t);
    b.tryTake();
    b.tryTake();
    t = 0;
    expect(b.tryTake()).toBe(false);
  });
});

describe('rate quotas: the table and its buckets', () => {
  it('AWS_QUOTAS: LookupEvents 2/s per account and Region (ThrottlingException 429); Route 53 per account', () => {
    const lookup = AWS_QUOTAS.filter((q) => q.service === 'cloudtrail');
    expect(lookup).toEqual([expect.objectContaining({ operation: 'LookupEvents', scope: 'region', ratePerSec: 2, burst: 2 })]);
    expect(lookup[0]!.error).toMatchObject({ code: 'ThrottlingException', status: 429 });
    const r53 = AWS_QUOTAS.filter((q) => q.service === 'route53');
    expect(r53).toEqual([expect.objectContaining({ operation: '*', scope: 'account', ratePerSec: 10, burst: 50 })]);
    expect(r53[0]!.error).toBeUndefined(); // the service's own error: Throttling 400
    expect(describeQuota(lookup[0]!)).toBe('cloudtrail:LookupEvents 2/s (burst 2) per account and Region');
  });

  it('keys buckets by account × Region or by account; a call takes from every matching quota or from none', () => {
    let t = 0;
    const table: QuotaTable = [
      { service: 'svc', operation: 'Op', scope: 'region', ratePerSec: 1 },
      { service: 'svc', operation: '*', scope: 'account', ratePerSec: 1, burst: 3 },
    ];
    const limiter = new QuotaLimiter(table, () => t);
    const take = (operation: string, region: string, account = '111111111111') =>
      limiter.take({ service: 'svc', operation, account, region })?.scope ?? 'ok';
    expect(take('Op', 'r1')).toBe('ok');
    expect(take('Op', 'r1')).toBe('region'); // r1's Op bucket is empty: nothing taken from the account's
    expect(take('Op', 'r2')).toBe('ok'); // another Region has its own Op bucket
    expect(take('Other', 'r3')).toBe('ok'); // the account bucket (3) is now empty
    expect(take('Other', 'r1')).toBe('account');
    expect(take('Op', 'r3')).toBe('account');
    expect(take('Other', 'r1', '222222222222')).toBe('ok'); // another account
    expect(take('Any', 'r1')).toBe('account');
    expect(limiter.take({ service: 'other', operation: 'Op', account: '111111111111', region: 'r1' })).toBeUndefined();
    t += 1000;
    expect(take('Op', 'r1')).toBe('ok');
    limiter.set(false);
    for (let i = 0; i < 10; i++) expect(take('Op', 'r1')).toBe('ok');
  });
});

/** The default quotas with refills slowed to nothing during a test, so that counts are exact. */
const NO_REFILL: QuotaTable = AWS_QUOTAS.map((q) => ({ ...q, burst: q.burst ?? q.ratePerSec, ratePerSec: 1e-6 }));

describe('rate quotas through the real SDK', () => {
  let aws: AwsDouble;
  beforeAll(async () => {
    aws = await startFor(await loadScenario('incident-003'));
  });
  afterAll(async () => aws.close());
  afterEach(() => {
    aws.setQuotas(AWS_QUOTAS);
    aws.reset();
  });

  const ct = (region?: string) => new CloudTrailClient({ maxAttempts: 1, ...(region !== undefined && { region }) });
  const settle = (ps: Promise<unknown>[]) => Promise.allSettled(ps);
  const names = (results: PromiseSettledResult<unknown>[]) =>
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { name: string }).name));

  it('on by default: LookupEvents fired at once beyond 2 are throttled (ThrottlingException 429)', async () => {
    const client = ct();
    const results = await settle(Array.from({ length: 6 }, () => client.send(new LookupEventsCommand({ MaxResults: 1 }))));
    const throttled = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as { name: string; $metadata: { httpStatusCode: number }; $fault: string; message: string });
    // The bucket holds 2 and refills one token per 500 ms: 4 are throttled, 3 if the six took
    // over half a second to arrive on a loaded machine.
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    for (const e of throttled) {
      expect(e).toMatchObject({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded' });
      expect(e.$metadata.httpStatusCode).toBe(429);
    }
    const rejected = aws.calls.filter((x) => x.error !== undefined);
    expect(rejected).toHaveLength(throttled.length);
    for (const x of rejected) {
      expect(x).toMatchObject({ service: 'cloudtrail', operation: 'LookupEvents', status: 429, error: 'ThrottlingException' });
      expect(x.quota).toBe('cloudtrail:LookupEvents 2/s (burst 2) per account and Region');
    }
  });

  it('6 LookupEvents at once: exactly 2 answered, 4 throttled; calls record which', async () => {
    aws.setQuotas(NO_REFILL);
    const client = ct();
    const results = await settle(Array.from({ length: 6 }, () => client.send(new LookupEventsCommand({ MaxResults: 1 }))));
    expect(names(results).sort()).toEqual(['ThrottlingException', 'ThrottlingException', 'ThrottlingException', 'ThrottlingException', 'ok', 'ok']);
    expect(aws.calls.map((x) => x.status).sort()).toEqual([200, 200, 429, 429, 429, 429]);
    expect(aws.calls.filter((x) => x.error === 'ThrottlingException')).toHaveLength(4);
    expect(aws.calls.filter((x) => x.quota !== undefined)).toHaveLength(4);
    // other operations, even of CloudTrail's neighbours, are not limited
    await makeClients(1).rds.send(new DescribeDBClustersCommand({}));
  });

  it('each Region has its own LookupEvents bucket', async () => {
    aws.setQuotas(NO_REFILL);
    const tokyo = ct('ap-northeast-1');
    const virginia = ct('us-east-1');
    const results = await settle([
      ...Array.from({ length: 3 }, () => tokyo.send(new LookupEventsCommand({}))),
      ...Array.from({ length: 3 }, () => virginia.send(new LookupEventsCommand({}))),
    ]);
    expect(names(results.slice(0, 3)).sort()).toEqual(['ThrottlingException', 'ok', 'ok']);
    expect(names(results.slice(3)).sort()).toEqual(['ThrottlingException', 'ok', 'ok']);
    const byRegion = (region: string) => aws.calls.filter((x) => x.region === region).map((x) => x.status).sort();
    expect(byRegion('ap-northeast-1')).toEqual([200, 200, 429]);
    expect(byRegion('us-east-1')).toEqual([200, 200, 429]);
  });

  it('Route 53: one bucket for the account across Regions and operations; Throttling 400 as Route 53 answers', async () => {
    aws.setQuotas(NO_REFILL);
    const burst = AWS_QUOTAS.find((q) => q.service === 'route53')!.burst!;
    const east = new Route53Client({ region: 'us-east-1', maxAttempts: 1 });
    const west = new Route53Client({ region: 'eu-west-1', maxAttempts: 1 });
    const half = burst / 2 + 1;
    const results = await settle([
      ...Array.from({ length: half }, () => east.send(new ListHostedZonesByNameCommand({}))),
      ...Array.from({ length: half }, () => west.send(new GetHostedZoneCommand({ Id: 'Z0000000000000000000' }))),
    ]);
    const r53 = aws.calls.filter((x) => x.service === 'route53');
    expect(new Set(r53.map((x) => x.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
    const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as { name: string }).name === 'Throttling');
    expect(throttled).toHaveLength(2);
    for (const r of throttled) {
      const e = (r as PromiseRejectedResult).reason as { message: string; $metadata: { httpStatusCode: number } };
      expect(e.message).toBe('Rate exceeded');
      expect(e.$metadata.httpStatusCode).toBe(400);
    }
    // the others got their answers (an unknown zone is NoSuchHostedZone: it still took a token)
    expect(r53.filter((x) => x.error === 'Throttling')).toHaveLength(2);
    expect(r53.filter((x) => x.error !== 'Throttling')).toHaveLength(burst);
    // CloudTrail's bucket is separate
    await ct().send(new LookupEventsCommand({}));
  });

  it('an injected fault still takes a token: the quota counts requests, not successes', async () => {
    aws.setQuotas(NO_REFILL);
    aws.inject({ service: 'cloudtrail', operation: 'LookupEvents', kind: 'InternalError', times: 2 });
    const client = ct();
    expect((await failure(client.send(new LookupEventsCommand({})))).name).toBe('InternalFailure');
    expect((await failure(client.send(new LookupEventsCommand({})))).name).toBe('InternalFailure');
    expect((await failure(client.send(new LookupEventsCommand({})))).name).toBe('ThrottlingException');
    aws.clearFaults();
  });

  it('quotas: false (option or setQuotas) turns them off; reset() refills', async () => {
    const off = await startAwsDouble({ scenario: await loadScenario('incident-003'), now: T0, quotas: false });
    try {
      process.env.AWS_ENDPOINT_URL = off.url;
      const client = ct();
      const results = await settle(Array.from({ length: 10 }, () => client.send(new LookupEventsCommand({}))));
      expect(names(results)).toEqual(Array(10).fill('ok'));
      expect(off.calls.filter((x) => x.error !== undefined)).toEqual([]);
    } finally {
      process.env.AWS_ENDPOINT_URL = aws.url;
      await off.close();
    }

    aws.setQuotas(NO_REFILL);
    const client = ct();
    await settle([1, 2, 3].map(() => client.send(new LookupEventsCommand({}))));
    expect(aws.calls.filter((x) => x.error === 'ThrottlingException')).toHaveLength(1);
    aws.reset();
    expect(names(await settle([1, 2].map(() => client.send(new LookupEventsCommand({})))))).toEqual(['ok', 'ok']);
    aws.setQuotas(false);
    expect(names(await settle([1, 2, 3, 4].map(() => client.send(new LookupEventsCommand({})))))).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
