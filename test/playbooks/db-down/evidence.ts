// Hand-built db-down evidence for the rule and verdict tests: incident 003 by default (the
// RDS-managed secret of prod-db rotated at CHANGE; 3 of api's 4 tasks started before it),
// with helpers to change one fact at a time. No AWS double.
import type { TrailEvent } from '../../../src/aws/cloudtrail.js';
import type { EcsTask } from '../../../src/aws/ecs.js';
import type { DbSummary, RdsEvent } from '../../../src/aws/rds.js';
import type { SecretInfo } from '../../../src/aws/secrets.js';
import type { Consumer } from '../../../src/playbooks/consumers.js';
import { CHECKS, type CheckId, type DbDownEvidence } from '../../../src/playbooks/db-down/evidence.js';

export const NOW = new Date('2026-12-01T15:00:00Z');
/** when the password changed (RDS "Reset master credentials", RotationSucceeded) */
export const CHANGE = new Date('2026-12-01T14:00:00Z');
const at = (msBefore: number, from = CHANGE) => new Date(from.getTime() - msBefore);
const HOUR = 3_600_000;

export const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-prod-Ab12Cd';
export const SECRET_NAME = 'rds!cluster-prod';

export const db = (over: Partial<DbSummary> = {}): DbSummary => ({
  kind: 'cluster',
  id: 'prod-db',
  status: 'available',
  masterUserSecretArn: SECRET_ARN,
  ...over,
});

export const secret = (over: Partial<SecretInfo> = {}): SecretInfo => ({
  arn: SECRET_ARN,
  name: SECRET_NAME,
  rotationEnabled: true,
  rotationDays: 7,
  lastRotated: CHANGE,
  nextRotation: new Date(CHANGE.getTime() + 7 * 24 * HOUR),
  owningService: 'rds',
  tags: {},
  ...over,
});

export const rdsEvent = (message: string, time = CHANGE): RdsEvent => ({
  sourceId: 'prod-db',
  sourceType: 'db-cluster',
  time,
  message,
  categories: [],
});

export const step = (name: string, time = CHANGE, over: Partial<TrailEvent> = {}): TrailEvent => ({
  id: `${name}-${time.getTime()}`,
  name,
  source: 'secretsmanager.amazonaws.com',
  time,
  secretIds: [SECRET_ARN],
  ...over,
});

/** A rotation's CloudTrail chain ending in `end` at CHANGE. */
export const rotationChain = (end = 'RotationSucceeded'): TrailEvent[] => [
  step('RotationStarted', at(60_000)),
  step('PutSecretValue', at(30_000)),
  step(end, CHANGE),
];

export const consumer = (service: string, cluster = 'prod'): Consumer => ({
  service: {
    clusterArn: `arn:aws:ecs:ap-northeast-1:123456789012:cluster/${cluster}`,
    clusterName: cluster,
    name: service,
    arn: `arn:aws:ecs:ap-northeast-1:123456789012:service/${cluster}/${service}`,
    taskDefinitionArn: `arn:aws:ecs:ap-northeast-1:123456789012:task-definition/${service}:1`,
    desiredCount: 1,
    runningCount: 1,
  },
  refs: [{ container: service, name: 'DB_PASSWORD', valueFrom: `${SECRET_ARN}:password::` }],
});

export const task = (id: string, startedAt: Date): EcsTask => ({ id, arn: `arn:aws:ecs:task/${id}`, startedAt, lastStatus: 'RUNNING' });
/** `n` tasks started `hoursBefore` CHANGE (negative: after it) */
export const tasks = (prefix: string, n: number, hoursBefore: number): EcsTask[] =>
  Array.from({ length: n }, (_, i) => task(`${prefix}${i}`, at(hoursBefore * HOUR)));

type Over = Partial<Omit<DbDownEvidence, 'checks'>> & {
  /** checks that failed (the rest are ok) */
  failed?: CheckId[];
  /** checks that were skipped */
  skipped?: CheckId[];
};

/** Incident 003: api has 3 tasks from before the change and 1 from after. */
export function evidence(over: Over = {}): DbDownEvidence {
  const { failed = [], skipped = [], ...rest } = over;
  const api = consumer('api');
  return {
    input: { target: 'prod-db', region: 'ap-northeast-1', hours: 24 },
    now: NOW,
    since: new Date(NOW.getTime() - 24 * HOUR),
    db: db(),
    rdsEvents: [rdsEvent('Reset master credentials')],
    secretId: SECRET_ARN,
    secret: secret(),
    rotation: rotationChain(),
    rotationTruncated: false,
    consumers: [api],
    tasks: new Map([[api.service.arn, [...tasks('old', 3, 20), task('new0', new Date(CHANGE.getTime() + HOUR / 2))]]]),
    ...rest,
    checks: CHECKS.map((c) =>
      failed.includes(c.id)
        ? { id: c.id, title: c.title, status: 'failed' as const, reason: 'AccessDenied' }
        : skipped.includes(c.id)
          ? { id: c.id, title: c.title, status: 'skipped' as const, reason: 'not needed' }
          : { id: c.id, title: c.title, status: 'ok' as const },
    ),
  };
}

/** The same world after a redeploy: every task of api started after the change. */
export const healthy = (over: Over = {}): DbDownEvidence => {
  const api = consumer('api');
  return evidence({ consumers: [api], tasks: new Map([[api.service.arn, tasks('new', 2, -1)]]), ...over });
};
