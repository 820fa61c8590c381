// Facts read off db-down's evidence that several rules and the verdict share: whether the DB
// accepts connections, when the password last changed, how often the secret rotates.
import type { SecretInfo } from '../../aws/secrets.js';
import type { DbDownEvidence } from './evidence.js';

/** Statuses in which the DB accepts connections. */
export const UP_STATUSES = new Set([
  'available',
  'backing-up',
  'storage-optimization',
  'configuring-enhanced-monitoring',
  'configuring-log-exports',
  'configuring-iam-database-auth',
]);
/** Statuses that pass by themselves; a warning, not an outage. */
export const TRANSITIONAL = new Set(['modifying', 'upgrading', 'maintenance', 'renaming', 'resetting-master-credentials']);

export const NOTABLE_RDS_EVENT =
  /reset master credentials|reboot|failover|stopped|stopping|storage-full|storage full|out of storage|shutdown|restarted/i;
const CREDENTIALS_RESET = /reset master credentials/i;

/** CloudTrail usually shows an event ~5 min after it happened, at worst ~15 min. */
export const CLOUDTRAIL_LAG_MS = 15 * 60_000;
export const SHORT_INTERVAL_DAYS = 7;
export const SUGGESTED_DAYS = 30;

export interface LastRotation {
  time: Date;
  source: string;
}

/** The latest moment the password changed, by the best evidence available. */
export function lastPasswordChange(e: Pick<DbDownEvidence, 'rotation' | 'secret' | 'rdsEvents'>): LastRotation | undefined {
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

/** The evidence line's source for a change: "RDS", "CloudTrail", "Secrets Manager". */
export const changeSourceName = (change: LastRotation): string => change.source.split(':')[0]!;

/** The secret's name as the user knows it, when there is a secret at all. */
export const secretName = (e: Pick<DbDownEvidence, 'secret' | 'secretId'>): string | undefined => e.secret?.name ?? e.secretId;

export function rotationDays(secret: SecretInfo): number | undefined {
  if (secret.rotationDays) return secret.rotationDays;
  const rate = /^rate\((\d+)\s+days?\)$/.exec(secret.scheduleExpression ?? '');
  if (rate) return Number(rate[1]);
  const hours = /^rate\((\d+)\s+hours?\)$/.exec(secret.scheduleExpression ?? '');
  return hours ? Number(hours[1]) / 24 : undefined;
}
