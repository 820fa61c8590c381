// "Rotate the secret now" in the sandbox: the simulated account changes as a Secrets Manager
// rotation would change it, and the EventBridge event AWS would send for it is built, to be
// delivered through the same parse + handle path the alerts Lambda uses.
import { randomUUID } from 'node:crypto';
import type { AwsDouble } from '../aws/server.js';
import type { Secret, TrailEvent, World } from '../aws/world.js';

export type RotationKind = 'rotation-succeeded' | 'rotation-failed';

/** The secret an event is about: the one named, else the first with rotation on (an RDS-managed one first). */
export function pickSecret(world: World, secretId?: string): Secret | undefined {
  const secrets = world.secretsManager.secrets;
  if (secretId) return secrets.find((s) => s.arn === secretId || s.name === secretId);
  return secrets.find((s) => s.owningService === 'rds') ?? secrets.find((s) => s.rotationEnabled) ?? secrets[0];
}

const DAY_MS = 86_400_000;

function trail(world: World, s: Secret, time: Date, eventName: string, extra: Partial<TrailEvent> = {}): TrailEvent {
  const e: TrailEvent = {
    eventId: randomUUID(),
    requestId: randomUUID(),
    time,
    eventName,
    eventSource: 'secretsmanager.amazonaws.com',
    eventType: /^Rotation/.test(eventName) ? 'AwsServiceEvent' : 'AwsApiCall',
    secretId: s.arn,
    readOnly: false,
    ...(/^Rotation/.test(eventName) ? {} : { username: 'SLRSession' }),
    ...extra,
  };
  world.cloudtrail.events.push(e);
  return e;
}

/**
 * Applies a rotation of `secret` at the double's `now` to its world and returns the
 * EventBridge event ("AWS Service Event via CloudTrail") for its outcome.
 */
export function applyRotation(aws: AwsDouble, secret: Secret, kind: RotationKind): Record<string, unknown> {
  const world = aws.world;
  const now = aws.now();
  const at = (ms: number) => new Date(now.getTime() + ms);
  trail(world, secret, at(-15_000), 'RotationStarted');
  const requestId = `Rotation-${secret.arn}-${randomUUID()}`;
  let outcome: TrailEvent;
  let errorMessage: string | undefined;
  if (kind === 'rotation-succeeded') {
    trail(world, secret, at(-1_000), 'PutSecretValue');
    trail(world, secret, now, 'UpdateSecretVersionStage');
    outcome = trail(world, secret, now, 'RotationSucceeded', { requestId });
    for (const v of secret.versions) v.stages = v.stages.filter((st) => st !== 'AWSPREVIOUS' && st !== 'AWSPENDING').map((st) => (st === 'AWSCURRENT' ? 'AWSPREVIOUS' : st));
    secret.versions = secret.versions.filter((v) => v.stages.length > 0);
    secret.versions.push({ id: randomUUID(), stages: ['AWSCURRENT'], createdAt: now });
    secret.lastRotated = now;
    secret.lastChanged = now;
    const days = secret.rotationRules?.automaticallyAfterDays;
    if (days) secret.nextRotation = new Date(now.getTime() + days * DAY_MS);
    // An RDS-managed master secret: RDS resets the master password and says so in its events.
    if (secret.owningService === 'rds') {
      for (const c of world.rds.clusters.filter((x) => x.masterUserSecretArn === secret.arn))
        world.rds.events.push({ sourceId: c.id, sourceType: 'db-cluster', sourceArn: c.arn, time: now, message: 'Reset master credentials', categories: ['configuration change'] });
      for (const i of world.rds.instances.filter((x) => x.masterUserSecretArn === secret.arn && !x.clusterId))
        world.rds.events.push({ sourceId: i.id, sourceType: 'db-instance', sourceArn: i.arn, time: now, message: 'Reset master credentials', categories: ['configuration change'] });
    }
  } else {
    errorMessage = 'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function is deployed and has the right permissions.';
    trail(world, secret, at(-1_000), 'PutSecretValue');
    outcome = trail(world, secret, now, 'RotationFailed', { requestId, errorCode: 'InternalFailure', errorMessage });
    secret.versions = secret.versions.filter((v) => !(v.stages.length === 1 && v.stages[0] === 'AWSPENDING'));
    for (const v of secret.versions) v.stages = v.stages.filter((st) => st !== 'AWSPENDING');
    secret.versions.push({ id: randomUUID(), stages: ['AWSPENDING'], createdAt: now });
    // the rotation function's log says why, where whybot reads it
    const fn = secret.rotationLambdaArn?.slice(secret.rotationLambdaArn.lastIndexOf(':') + 1);
    const group = fn ? world.logs.groups.find((g) => g.name === `/aws/lambda/${fn}`) : undefined;
    if (group) {
      const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
      group.events.push({
        eventId: String(Date.now()).padEnd(56, '0'),
        stream: `${day}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
        time: at(-500),
        ingestionTime: now,
        message: `[ERROR] setSecret: unable to log into database with the pending secret of ${secret.arn}`,
      });
    }
  }
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.secretsmanager',
    account: world.accountId,
    time: now.toISOString(),
    region: world.region,
    resources: [],
    detail: {
      eventVersion: '1.08',
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: outcome.eventName,
      eventTime: now.toISOString(),
      awsRegion: world.region,
      requestParameters: null,
      responseElements: null,
      additionalEventData: { SecretId: secret.arn },
      requestID: requestId,
      eventID: outcome.eventId,
      readOnly: false,
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: world.accountId,
      ...(errorMessage ? { errorCode: 'InternalFailure', errorMessage } : {}),
    },
  };
}
