// What db-down asks AWS, and nothing it concludes: the DB's status and events, the secret's
// rotation settings, CloudTrail's rotation steps of that secret, the ECS services whose task
// definitions read it and when their running tasks started.
import type { AwsClients } from '../../aws/clients.js';
import { CLOUDTRAIL_IAM, lookupEvents, type TrailEvent } from '../../aws/cloudtrail.js';
import { ECS_IAM, type EcsTask } from '../../aws/ecs.js';
import { describeDb, describeEvents, listDbs, RDS_IAM, type DbSummary, type RdsEvent } from '../../aws/rds.js';
import { describeSecret, SECRETS_IAM, type SecretInfo } from '../../aws/secrets.js';
import { Investigation, type Outcome } from '../../engine/investigation.js';
import type { CheckResult } from '../../findings.js';
import { consumersOf, consumerTasks, ecsInventory, type Consumer } from '../consumers.js';
import { defineChecks, rulesFor, type CheckIdOf } from '../define.js';
import { identityOf, sameSecret, type SecretIdentity } from '../secret-refs.js';
import type { Candidate, PlaybookInput, RunOptions, TargetLookup } from '../types.js';

export const CHECKS = defineChecks([
  { id: 'db', title: 'RDS cluster or instance status', iam: [RDS_IAM.describeClusters, RDS_IAM.describeInstances] },
  { id: 'rds-events', title: 'RDS events (credentials reset, reboots, failovers, stops, storage)', iam: [RDS_IAM.describeEvents] },
  { id: 'secret', title: 'Secrets Manager rotation settings', iam: [SECRETS_IAM.describeSecret] },
  { id: 'rotation-history', title: 'CloudTrail rotation history of the secret', iam: [CLOUDTRAIL_IAM.lookupEvents] },
  {
    id: 'ecs-consumers',
    title: 'ECS services whose task definitions use the secret',
    iam: [ECS_IAM.listClusters, ECS_IAM.listServices, ECS_IAM.describeServices, ECS_IAM.describeTaskDefinition],
  },
  { id: 'ecs-tasks', title: 'Start times of the consumers’ running tasks', iam: [ECS_IAM.listTasks, ECS_IAM.describeTasks] },
  { id: 'stop-event', title: 'CloudTrail: who stopped the DB, and when', iam: [CLOUDTRAIL_IAM.lookupEvents] },
] as const);
export type CheckId = CheckIdOf<typeof CHECKS>;

const ROTATION_STEPS = new Set([
  'RotationStarted',
  'RotationSucceeded',
  'RotationFailed',
  'RotationAbandoned',
  'GetRandomPassword',
  'PutSecretValue',
  'UpdateSecretVersionStage',
  'RotateSecret',
  'CancelRotateSecret',
]);

export interface DbDownEvidence {
  input: PlaybookInput;
  now: Date;
  since: Date;
  db?: DbSummary;
  /** set when the identifier matched nothing */
  candidates?: DbSummary[];
  rdsEvents?: RdsEvent[];
  secretId?: string;
  secret?: SecretInfo;
  /** this secret's rotation steps, oldest first */
  rotation?: TrailEvent[];
  rotationTruncated?: boolean;
  consumers?: Consumer[];
  tasks?: Map<string, EcsTask[]>;
  /** a stopped DB: the StopDBCluster/StopDBInstance call that stopped it (the latest) */
  stopEvent?: StopEvent;
  checks: CheckResult[];
}

/** Defines one of db-down's rules (rules/*.ts). */
export const rule = rulesFor<DbDownEvidence, CheckId>();

export async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<DbDownEvidence> {
  const now = opts.now?.() ?? new Date();
  const since = new Date(now.getTime() - input.hours * 3_600_000);
  const inv = new Investigation(CHECKS, opts);
  const evidence: DbDownEvidence = { input, now, since, checks: [] };

  const db = inv.run('db', async (signal) => {
    const found = await describeDb(aws, input.target, signal);
    if (!found) evidence.candidates = await listDbs(aws);
    return found;
  });

  // Independent of the DB: read the whole ECS inventory while RDS answers.
  const inventory = inv.run('ecs-consumers', () => ecsInventory(aws));

  // Rotation steps are service events with no resource attached: look them up by event
  // source (as the incident's author did) and keep this secret's, client-side.
  const trail = inv.run('rotation-history', async () =>
    lookupEvents(aws, {
      attribute: { key: 'EventSource', value: 'secretsmanager.amazonaws.com' },
      since,
      until: now,
      maxPages: 6,
    }),
  );

  const dbOutcome = await db;
  evidence.db = dbOutcome.ok ? dbOutcome.value : undefined;
  const dbFound = evidence.db;
  const secretId = input.secret ?? dbFound?.masterUserSecretArn;
  evidence.secretId = secretId;
  const noDb = !dbOutcome.ok ? 'the DB could not be described' : `no DB named ${input.target}`;

  const events = dbFound
    ? inv.run('rds-events', () =>
        describeEvents(aws, {
          sourceId: dbFound.id,
          sourceType: dbFound.kind === 'cluster' ? 'db-cluster' : 'db-instance',
          since,
          until: now,
        }),
      )
    : Promise.resolve(inv.skip('rds-events', noDb));

  const secret: Promise<Outcome<SecretInfo>> = secretId
    ? inv.run('secret', (signal) => describeSecret(aws, secretId, signal))
    : Promise.resolve(
        inv.skip('secret', dbFound ? 'the master password is not managed by RDS; pass --secret to check one' : noDb),
      );

  // Matching task definitions needs the secret's ARN: known now if RDS manages it,
  // otherwise after DescribeSecret resolves the name the user gave.
  const identity: Promise<SecretIdentity | undefined> = secretId?.startsWith('arn:')
    ? Promise.resolve(identityOf(secretId))
    : secret.then((s) => (s.ok ? { arn: s.value.arn, name: s.value.name } : secretId ? identityOf(secretId) : undefined));

  const tasks = Promise.all([inventory, identity]).then(async ([inv0, id]) => {
    if (!id) return inv.skip('ecs-tasks', 'no secret to look for');
    if (!inv0.ok) return inv.skip('ecs-tasks', 'the ECS services could not be listed');
    const consumers = consumersOf(inv0.value, id);
    evidence.consumers = consumers;
    if (consumers.length === 0) return inv.skip('ecs-tasks', 'no ECS service uses the secret');
    return inv.run('ecs-tasks', () => consumerTasks(aws, consumers));
  });

  // Who stopped it: only asked of a stopped DB, so LookupEvents' shared 2/s goes to the
  // rotation history otherwise (the rate gate in aws/limits.ts queues the two).
  const stop = dbFound && STOPPED.has(dbFound.status)
    ? inv.run('stop-event', () => lookupStop(aws, dbFound, now))
    : Promise.resolve(inv.skip('stop-event', dbFound ? 'the DB is not stopped' : noDb));

  const [eventsOut, secretOut, trailOut, tasksOut, idOut, stopOut] = await Promise.all([events, secret, trail, tasks, identity, stop]);
  if (stopOut.ok && stopOut.value) evidence.stopEvent = stopOut.value;
  if (eventsOut.ok) evidence.rdsEvents = eventsOut.value;
  if (secretOut.ok) evidence.secret = secretOut.value;
  if (tasksOut.ok) evidence.tasks = tasksOut.value;
  if (trailOut.ok && idOut) {
    evidence.rotation = rotationSteps(trailOut.value.events, idOut);
    evidence.rotationTruncated = trailOut.value.truncated;
  }
  evidence.checks = inv.results();
  return evidence;
}

/** This secret's rotation steps, plus GetRandomPassword calls inside its rotation windows. */
function rotationSteps(events: TrailEvent[], secret: SecretIdentity): TrailEvent[] {
  const sorted = [...events].sort((a, b) => a.time.getTime() - b.time.getTime());
  const own = sorted.filter((e) => ROTATION_STEPS.has(e.name) && e.secretIds.some((id) => sameSecret(id, secret)));
  const starts = own.filter((e) => e.name === 'RotationStarted');
  const inWindow = (e: TrailEvent) =>
    starts.some((s) => {
      const end = own.find((o) => o.time >= s.time && /^Rotation(Succeeded|Failed|Abandoned)$/.test(o.name));
      return e.time >= s.time && e.time <= (end?.time ?? s.time);
    });
  const anonymous = sorted.filter((e) => e.name === 'GetRandomPassword' && e.secretIds.length === 0 && inWindow(e));
  return [...own, ...anonymous].sort((a, b) => a.time.getTime() - b.time.getTime() || stepRank(a) - stepRank(b));
}

/** Order of a rotation's steps, for events CloudTrail stamps with the same second. */
const STEP_ORDER = ['RotationStarted', 'GetRandomPassword', 'PutSecretValue', 'UpdateSecretVersionStage'];
const stepRank = (e: TrailEvent): number => {
  const i = STEP_ORDER.indexOf(e.name);
  return i === -1 ? STEP_ORDER.length : i;
};

/** The DB by identifier, as RDS stores it (lowercase: `Prod-DB` is `prod-db`), for the search across accounts. */
export const dbLookup: TargetLookup = {
  async find(aws, target) {
    const db = await describeDb(aws, target.toLowerCase());
    return db && { id: db.id, description: `${db.kind}, ${db.status}` };
  },
};

/** Every cluster and every instance that is not a cluster member. */
export async function dbCandidates(aws: AwsClients): Promise<Candidate[]> {
  return (await listDbs(aws)).map((d) => ({ id: d.id, description: `${d.kind}, ${d.status}` }));
}

/** Statuses of a DB someone stopped (or is stopping). */
export const STOPPED = new Set(['stopped', 'stopping']);
/** RDS starts a stopped DB by itself after 7 days: the stop is never older than that. */
const STOP_LOOKBACK_MS = 7 * 24 * 3_600_000;

export interface StopEvent {
  name: 'StopDBCluster' | 'StopDBInstance';
  time: Date;
  actor?: string;
}

/** The DB that was stopped: an Aurora member instance stops with its cluster. */
export const stoppedResource = (db: DbSummary): { kind: 'cluster' | 'instance'; id: string } =>
  db.kind === 'instance' && db.clusterId ? { kind: 'cluster', id: db.clusterId } : { kind: db.kind, id: db.id };

async function lookupStop(aws: AwsClients, db: DbSummary, now: Date): Promise<StopEvent | undefined> {
  const res = stoppedResource(db);
  const name = res.kind === 'cluster' ? 'StopDBCluster' : 'StopDBInstance';
  const param = res.kind === 'cluster' ? 'dBClusterIdentifier' : 'dBInstanceIdentifier';
  const { events } = await lookupEvents(aws, {
    attribute: { key: 'EventName', value: name },
    since: new Date(now.getTime() - STOP_LOOKBACK_MS),
    until: now,
    maxPages: 2,
  });
  const mine = events
    .filter((ev) => !ev.errorCode && identifierOf(ev, param)?.toLowerCase() === res.id.toLowerCase())
    .sort((a, b) => b.time.getTime() - a.time.getTime())[0];
  return mine ? { name, time: mine.time, ...(mine.actor ? { actor: mine.actor } : {}) } : undefined;
}

function identifierOf(ev: TrailEvent, param: string): string | undefined {
  const params = ev.record?.['requestParameters'];
  const value = params && typeof params === 'object' ? (params as Record<string, unknown>)[param] : undefined;
  return typeof value === 'string' ? value : undefined;
}
