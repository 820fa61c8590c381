// /why-db-down — incident 003: "the app lost its database two weeks after launch".
// The person who solved it looked at, in order: the RDS events ("Reset master
// credentials"), CloudTrail's Secrets Manager events (RotationStarted → … →
// RotationSucceeded), the secret's rotation rules (7 days, RDS default), and realised the
// ECS tasks had resolved the password once, at start, before the rotation.
// Checks gather that evidence (concurrently where independent); rules turn it into findings.
import type { AwsClients } from '../aws/clients.js';
import { lookupEvents, type TrailEvent } from '../aws/cloudtrail.js';
import type { EcsTask } from '../aws/ecs.js';
import { describeDb, describeEvents, listDbs, type DbSummary, type RdsEvent } from '../aws/rds.js';
import type { Candidate } from './types.js';
import { describeSecret, type SecretInfo } from '../aws/secrets.js';
import { Investigation, type Outcome } from '../engine/investigation.js';
import { bySeverity, type CheckResult, type PlaybookResult, type TimelineEntry } from '../findings.js';
import type { LegacyFinding as Finding } from './legacy.js';
import { byTime, formatDuration, formatUtc } from '../time.js';
import { PLAYBOOK_CATALOG } from './catalog.js';
import { closeMatches } from './close-matches.js';
import { consumersOf, consumerTasks, ecsInventory, startedBefore, type Consumer } from './consumers.js';
import { identityOf, sameSecret, type SecretIdentity } from './secret-refs.js';
import { legacyPlaybook as definePlaybook } from './legacy.js';
import type { Playbook, PlaybookInput, RunOptions } from './types.js';

export const DB_DOWN_CHECKS = [
  { id: 'db', title: 'RDS cluster or instance status' },
  { id: 'rds-events', title: 'RDS events (credentials reset, reboots, failovers, stops, storage)' },
  { id: 'secret', title: 'Secrets Manager rotation settings' },
  { id: 'rotation-history', title: 'CloudTrail rotation history of the secret' },
  { id: 'ecs-consumers', title: 'ECS services whose task definitions use the secret' },
  { id: 'ecs-tasks', title: 'Start times of the consumers’ running tasks' },
] as const;

/** Statuses in which the DB accepts connections. */
const UP_STATUSES = new Set([
  'available',
  'backing-up',
  'storage-optimization',
  'configuring-enhanced-monitoring',
  'configuring-log-exports',
  'configuring-iam-database-auth',
]);
/** Statuses that pass by themselves; a warning, not an outage. */
const TRANSITIONAL = new Set(['modifying', 'upgrading', 'maintenance', 'renaming', 'resetting-master-credentials']);

const NOTABLE_RDS_EVENT =
  /reset master credentials|reboot|failover|stopped|stopping|storage-full|storage full|out of storage|shutdown|restarted/i;
const CREDENTIALS_RESET = /reset master credentials/i;
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
/** CloudTrail usually shows an event ~5 min after it happened, at worst ~15 min. */
const CLOUDTRAIL_LAG_MS = 15 * 60_000;
const SHORT_INTERVAL_DAYS = 7;
const SUGGESTED_DAYS = 30;

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
  checks: CheckResult[];
}

// ---------------------------------------------------------------- checks (evidence)

async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<DbDownEvidence> {
  const now = opts.now?.() ?? new Date();
  const since = new Date(now.getTime() - input.hours * 3_600_000);
  const inv = new Investigation(DB_DOWN_CHECKS, opts);
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

  const [eventsOut, secretOut, trailOut, tasksOut, idOut] = await Promise.all([events, secret, trail, tasks, identity]);
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

// ---------------------------------------------------------------- rules (findings)

interface LastRotation {
  time: Date;
  source: string;
}

/** The latest moment the password changed, by the best evidence available. */
export function lastPasswordChange(e: DbDownEvidence): LastRotation | undefined {
  const candidates: LastRotation[] = [];
  const succeeded = e.rotation?.filter((r) => r.name === 'RotationSucceeded').at(-1);
  if (succeeded) candidates.push({ time: succeeded.time, source: 'CloudTrail: RotationSucceeded' });
  if (e.secret?.lastRotated) candidates.push({ time: e.secret.lastRotated, source: 'Secrets Manager: LastRotatedDate' });
  const reset = e.rdsEvents?.filter((r) => CREDENTIALS_RESET.test(r.message)).at(-1);
  if (reset) candidates.push({ time: reset.time, source: `RDS: ${reset.message}` });
  if (candidates.length === 0) return undefined;
  const latest = Math.max(...candidates.map((c) => c.time.getTime()));
  // Within a minute, the events describe the same change: prefer RDS's word (incident 003).
  const same = candidates.filter((c) => latest - c.time.getTime() <= 60_000);
  return same.find((c) => c.source.startsWith('RDS')) ?? same[0];
}

const GUIDANCE = [
  '*Lasting fixes* (incident 003):',
  '• Redeploy consumers on rotation: an EventBridge rule on `RotationSucceeded` that forces a new ECS deployment (whybot’s rotation alerts can do this).',
  '• Make the app re-fetch the secret when the database rejects its password, instead of only at start.',
  '• Use IAM database authentication, so there is no password to rotate.',
  '• Meanwhile, a longer rotation interval buys time; it does not fix the cause.',
].join('\n');

function rotationDays(secret: SecretInfo): number | undefined {
  if (secret.rotationDays) return secret.rotationDays;
  const rate = /^rate\((\d+)\s+days?\)$/.exec(secret.scheduleExpression ?? '');
  if (rate) return Number(rate[1]);
  const hours = /^rate\((\d+)\s+hours?\)$/.exec(secret.scheduleExpression ?? '');
  return hours ? Number(hours[1]) / 24 : undefined;
}

function dbRules(e: DbDownEvidence): Finding[] {
  const { db } = e;
  if (!db) {
    if (!e.candidates) return [];
    const matches = closeMatches(e.input.target, e.candidates.map((c) => c.id));
    return [
      {
        id: 'db-not-found',
        severity: 'warning',
        title: `No DB cluster or instance named ${e.input.target} in ${e.input.region}`,
        detail:
          matches.length > 0
            ? `Did you mean: ${matches.join(', ')}?`
            : e.candidates.length > 0
              ? `The DBs in ${e.input.region} are: ${e.candidates.map((c) => c.id).slice(0, 20).join(', ')}${e.candidates.length > 20 ? ` and ${e.candidates.length - 20} more` : ''}.`
              : `There is no DB cluster or instance in ${e.input.region}. Is this the right Region (--region)?`,
        evidence: [],
        remediations: [],
      },
    ];
  }
  if (UP_STATUSES.has(db.status)) return [];
  const relevant = e.rdsEvents?.filter((r) => NOTABLE_RDS_EVENT.test(r.message) || /stop|fail|storage|inaccessible/i.test(r.message));
  const last = relevant?.at(-1);
  const since = last ? `since ${formatUtc(last.time)} (RDS: ${last.message})` : `since before the last ${e.input.hours} h`;
  return [
    {
      id: 'db-unavailable',
      severity: TRANSITIONAL.has(db.status) ? 'warning' : 'critical',
      title: `${db.kind === 'cluster' ? 'DB cluster' : 'DB instance'} ${db.id} is ${db.status}, not available`,
      detail: `The database itself does not accept connections: status is \`${db.status}\` ${since}. Credentials are not the first suspect while it is down.`,
      evidence: [
        { source: 'RDS', text: `status ${db.status}` },
        ...(relevant ?? []).map((r) => ({ source: 'RDS event', time: r.time.toISOString(), text: r.message })),
      ],
      remediations: [],
    },
  ];
}

function rotationFailureRules(e: DbDownEvidence): Finding[] {
  const terminal = e.rotation?.filter((r) => /^Rotation(Succeeded|Failed|Abandoned)$/.test(r.name)).at(-1);
  if (!terminal || terminal.name === 'RotationSucceeded') return [];
  const secretName = e.secret?.name ?? e.secretId ?? '?';
  return [
    {
      id: 'rotation-failed',
      severity: 'critical',
      title: `Rotation of secret ${secretName} ended in ${terminal.name} at ${formatUtc(terminal.time)}`,
      detail:
        'The last rotation did not finish: the secret and the database may disagree about the password (AWSPENDING left behind). ' +
        'Find the cause in the rotation function’s logs (the rotation-failed playbook, `/why-rotation-failed`, automates incident 002’s guide).' +
        (terminal.errorMessage ? `\nCloudTrail says: ${terminal.errorMessage}` : ''),
      evidence: e.rotation!.map((r) => ({ source: 'CloudTrail', time: r.time.toISOString(), text: r.name })),
      remediations: [],
    },
  ];
}

function staleCredentialRules(e: DbDownEvidence, change: LastRotation | undefined): Finding[] {
  if (!change || !e.consumers || !e.tasks) return [];
  const secretName = e.secret?.name ?? e.secretId ?? '?';
  const findings: Finding[] = [];
  for (const c of e.consumers) {
    const tasks = e.tasks.get(c.service.arn) ?? [];
    const stale = startedBefore(tasks, change.time);
    if (stale.length === 0) continue;
    const n = stale.length;
    findings.push({
      id: 'stale-credentials',
      severity: 'critical',
      title: `${n} of ${tasks.length} tasks of ECS service ${c.service.name} started before the password changed at ${formatUtc(change.time)}`,
      detail:
        `ECS resolves \`secrets\` once, when a task starts. ${n === 1 ? 'This task' : `These ${n} tasks`} of \`${c.service.name}\` (cluster \`${c.service.clusterName}\`) ` +
        `still hold the password from before secret \`${secretName}\` rotated (${change.source}); new connections from them fail to log in. ` +
        `Redeploying the service starts tasks that read the current value.\n${GUIDANCE}`,
      evidence: [
        { source: change.source.split(':')[0]!, time: change.time.toISOString(), text: `password changed (${change.source})` },
        ...c.refs.map((r) => ({ source: 'ECS task definition', text: `${r.container} gets ${r.name} from ${r.valueFrom}` })),
        ...stale.map((t) => ({
          source: 'ECS task',
          time: t.startedAt!.toISOString(),
          text: `task ${t.id} started ${formatDuration(change.time.getTime() - t.startedAt!.getTime())} before the change`,
        })),
      ],
      remediations: [
        {
          id: 'ecs-redeploy',
          label: `Redeploy ${c.service.name}`,
          params: { cluster: c.service.clusterName, service: c.service.name, region: e.input.region, after: change.time.toISOString() },
        },
        { id: 'show-cli', label: 'Show CLI commands', params: {} },
      ],
    });
  }
  return findings;
}

function intervalRules(e: DbDownEvidence): Finding[] {
  const s = e.secret;
  if (!s?.rotationEnabled || !e.consumers?.length) return [];
  const days = rotationDays(s);
  if (days === undefined || days > SHORT_INTERVAL_DAYS) return [];
  const names = e.consumers.map((c) => c.service.name);
  const next = s.nextRotation ? formatUtc(s.nextRotation) : undefined;
  return [
    {
      id: 'short-rotation-interval',
      severity: 'warning',
      title: `Secret ${s.name} rotates every ${days} days; ${names.join(', ')} read${names.length === 1 ? 's' : ''} it only at task start`,
      detail:
        (next
          ? `Next rotation: ${next}. Tasks running then will break again unless redeployed after it.`
          : 'Tasks running at the next rotation will break again unless redeployed after it.') +
        (s.owningService === 'rds' ? ' RDS-managed secrets rotate every 7 days by default.' : '') +
        ` A longer interval (e.g. ${SUGGESTED_DAYS} days) buys time; redeploy-on-rotation fixes it.`,
      evidence: [
        { source: 'Secrets Manager', text: `rotation every ${days} days${s.scheduleExpression ? ` (${s.scheduleExpression})` : ''}` },
        ...(s.nextRotation ? [{ source: 'Secrets Manager', time: s.nextRotation.toISOString(), text: 'next rotation' }] : []),
      ],
      remediations: [
        {
          id: 'rotation-schedule',
          label: `Rotate every ${SUGGESTED_DAYS} days instead of ${days}`,
          params: { secretId: s.arn, days: SUGGESTED_DAYS, currentDays: Math.max(1, Math.round(days)), region: e.input.region },
        },
        { id: 'show-cli', label: 'Show CLI commands', params: {} },
      ],
    },
  ];
}

function contextRules(e: DbDownEvidence, change: LastRotation | undefined): Finding[] {
  const out: Finding[] = [];
  const consumersUnknown = e.secretId && (!e.consumers || (e.consumers.length > 0 && !e.tasks));
  if (change && consumersUnknown && change.time >= e.since)
    out.push({
      id: 'password-changed-consumers-unknown',
      severity: 'warning',
      title: `The DB password changed at ${formatUtc(change.time)} (${change.source}); whybot could not see which tasks predate it`,
      detail:
        'Anything that read the password before this moment and keeps it (ECS tasks read `secrets` only at start) now fails to log in. ' +
        'See the checks that could not run for the permission whybot needs to name them.',
      evidence: [{ source: change.source.split(':')[0]!, time: change.time.toISOString(), text: change.source }],
      remediations: [],
    });
  if (e.db && !e.secretId)
    out.push({
      id: 'secret-not-managed',
      severity: 'info',
      title: `The master password of ${e.db.id} is not managed by RDS in Secrets Manager`,
      detail: 'Pass the secret your application reads with `--secret <name or ARN>` to check its rotation and its consumers.',
      evidence: [],
      remediations: [],
    });
  if (e.consumers && e.consumers.length === 0 && e.secretId)
    out.push({
      id: 'no-consumers',
      severity: 'info',
      title: `No ECS service in ${e.input.region} uses the secret`,
      detail: 'Only ECS task definitions are checked. An app on EC2, Lambda, EKS or in another Region is not covered.',
      evidence: [],
      remediations: [],
    });
  const sawRotation = e.rotation?.some((r) => r.name.startsWith('Rotation'));
  if (e.rotation && !sawRotation && e.secret?.lastRotated && e.now.getTime() - e.secret.lastRotated.getTime() < CLOUDTRAIL_LAG_MS)
    out.push({
      id: 'cloudtrail-delay',
      severity: 'info',
      title: `The secret rotated ${formatDuration(e.now.getTime() - e.secret.lastRotated.getTime())} ago; CloudTrail does not show it yet`,
      detail: 'CloudTrail delivers events about 5 minutes (up to 15) after they happen. Run this again in a few minutes for the full chain.',
      evidence: [],
      remediations: [],
    });
  if (e.rotationTruncated)
    out.push({
      id: 'rotation-history-truncated',
      severity: 'info',
      title: 'CloudTrail had more Secrets Manager events than whybot reads in one investigation',
      detail: `Only the newest events were read; older rotation steps in the last ${e.input.hours} h may be missing. Narrow the window with --hours.`,
      evidence: [],
      remediations: [],
    });
  return out;
}

function healthyRule(e: DbDownEvidence, findings: Finding[], change: LastRotation | undefined): Finding[] {
  if (findings.some((f) => f.severity === 'critical')) return [];
  const failed = e.checks.filter((c) => c.status === 'failed');
  if (!e.db || !UP_STATUSES.has(e.db.status) || failed.length > 0 || !e.consumers?.length || !e.tasks) return [];
  const taskCount = [...e.tasks.values()].reduce((n, t) => n + t.length, 0);
  return [
    {
      id: 'credentials-healthy',
      severity: 'ok',
      title: `${e.db.id} is ${e.db.status} and every consumer started after the last password change`,
      detail:
        `Checked: the ${e.db.kind} status, RDS events and rotation history of the last ${e.input.hours} h, ` +
        `the secret’s rotation settings, and ${taskCount} running tasks of ${e.consumers.map((c) => c.service.name).join(', ')}` +
        (change ? ` (all started after ${formatUtc(change.time)}).` : '.'),
      evidence: [],
      remediations: [],
    },
  ];
}

export function diagnose(e: DbDownEvidence): Finding[] {
  const change = lastPasswordChange(e);
  const findings = [
    ...dbRules(e),
    ...rotationFailureRules(e),
    ...staleCredentialRules(e, change),
    ...intervalRules(e),
    ...contextRules(e, change),
  ];
  return [...findings, ...healthyRule(e, findings, change)].sort(bySeverity);
}

export function verdict(e: DbDownEvidence, findings: Finding[]): PlaybookResult['verdict'] {
  const change = lastPasswordChange(e);
  const top = findings[0];
  const failed = e.checks.filter((c) => c.status === 'failed');
  const unchecked = failed.length > 0 ? ` ${failed.length} check${failed.length === 1 ? '' : 's'} could not run: ${failed.map((c) => c.id).join(', ')}.` : '';
  const stale = findings.filter((f) => f.id === 'stale-credentials');
  if (stale.length > 0 && change) {
    const parts = stale.map((f) => ({
      service: String(f.remediations[0]?.params.service),
      n: f.evidence.filter((ev) => ev.source === 'ECS task').length,
    }));
    const total = parts.reduce((sum, p) => sum + p.n, 0);
    const who = parts.map((p) => `${p.n} task${p.n === 1 ? '' : 's'} of ECS service ${p.service}`).join(' and ');
    const secretName = e.secret?.name ?? e.secretId ?? 'the DB secret';
    return {
      severity: 'critical',
      summary: `Likely cause: secret ${secretName} rotated at ${formatUtc(change.time)} (${change.source}). ${who} started before that and still ${total === 1 ? 'holds' : 'hold'} the old password.${unchecked}`,
    };
  }
  const healthy = findings.find((f) => f.id === 'credentials-healthy');
  if (healthy) {
    const heads = findings.filter((f) => f.severity === 'warning').map((f) => f.title);
    return { severity: 'ok', summary: `${healthy.title}.${heads.length ? ` Heads-up: ${heads.join('; ')}.` : ''}` };
  }
  if (top && top.severity !== 'info') return { severity: top.severity, summary: `${top.title}.${top.severity === 'ok' ? '' : unchecked}` };
  if (failed.length > 0)
    return { severity: 'info', summary: `No cause found in what whybot could see.${unchecked}${top ? ` ${top.title}.` : ''}` };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No cause found in the evidence checked.' };
}

export function timeline(e: DbDownEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const r of e.rdsEvents ?? []) entries.push({ time: r.time.toISOString(), source: 'RDS', text: r.message });
  for (const r of e.rotation ?? [])
    entries.push({ time: r.time.toISOString(), source: 'CloudTrail', text: `${r.name}${r.actor ? ` (${r.actor})` : ''}${r.errorCode ? `: ${r.errorCode}` : ''}` });
  if (e.secret?.lastRotated && !e.rotation?.some((r) => r.name === 'RotationSucceeded' && r.time.getTime() === e.secret!.lastRotated!.getTime()))
    entries.push({ time: e.secret.lastRotated.toISOString(), source: 'Secrets Manager', text: `secret ${e.secret.name} last rotated` });
  for (const c of e.consumers ?? [])
    for (const t of e.tasks?.get(c.service.arn) ?? [])
      if (t.startedAt) entries.push({ time: t.startedAt.toISOString(), source: 'ECS', text: `task ${t.id} of ${c.service.name} started` });
  if (e.secret?.nextRotation) entries.push({ time: e.secret.nextRotation.toISOString(), source: 'Secrets Manager', text: 'next scheduled rotation' });
  return entries.sort(byTime);
}

/** Every cluster and every instance that is not a cluster member. */
async function dbCandidates(aws: AwsClients): Promise<Candidate[]> {
  return (await listDbs(aws)).map((d) => ({ id: d.id, description: `${d.kind}, ${d.status}` }));
}

export const dbDown: Playbook = definePlaybook({
  ...PLAYBOOK_CATALOG['db-down']!,
  candidates: dbCandidates,
  checks: DB_DOWN_CHECKS,
  // ListClusters → ListServices → DescribeServices → DescribeTaskDefinition → ListTasks →
  // DescribeTasks; the RDS, Secrets Manager and CloudTrail calls run beside that chain.
  criticalPathCalls: 6,
  gather,
  diagnose,
  verdict,
  timeline,
});
