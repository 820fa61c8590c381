// Facts read off rotation-failed's evidence that several rules and the verdict share: the
// last rotation attempt in the function's log and what it shows, the template the function
// was made from, the engine, and the dates after which the templates support SCRAM and TLS.
import type { RotationInvocation, RotationStep } from '../../aws/rotation-log.js';
import type { RotationFailedEvidence } from './evidence.js';

/** Incident 002: rotation set up before this bundles libpq 9 (no scram-sha-256). */
export const SCRAM_SUPPORT_FROM = new Date(Date.UTC(2021, 11, 30));
/** Incident 002: rotation set up before this uses a template that cannot connect over TLS. */
export const TLS_SUPPORT_FROM = new Date(Date.UTC(2021, 11, 20));
/** Incident 002: a setSecret login failure this long or longer points at the network, shorter at the credentials. */
export const LONG_INVOCATION_MS = 5_000;
/** The rotation templates' own function timeout. */
export const TEMPLATE_TIMEOUT_SECONDS = 30;
/** What lambda-timeout proposes: room for the four steps and a slow DB. */
export const SUGGESTED_TIMEOUT_SECONDS = 120;

const LOGIN_FAILED = /unable to log ?in(?:to)? (?:the )?database|could not connect to (?:the )?database|unable to log in/i;

function lastIndexOf<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

const secretStep = (s: RotationStep) => s !== 'createSecret';

/**
 * The invocations of the last rotation attempt in the window, oldest first: those after the
 * last one that finished a rotation (finishSecret), or that whole rotation when it is the last
 * thing the log shows.
 */
export function lastAttempt(e: Pick<RotationFailedEvidence, 'logs'>): RotationInvocation[] {
  const all = e.logs?.invocations ?? [];
  if (all.length === 0) return [];
  const finished = (i: RotationInvocation) => i.steps.includes('finishSecret') && !i.error && !i.timedOut;
  const lastFinish = lastIndexOf(all, finished);
  if (lastFinish === all.length - 1) {
    const start = lastIndexOf(all.slice(0, lastFinish + 1), (i) => i.steps.includes('createSecret'));
    return all.slice(Math.max(0, start), lastFinish + 1);
  }
  return all.slice(lastFinish + 1);
}

/** Did the invocation run until Lambda stopped it? */
export function ranToTimeout(i: RotationInvocation, timeoutSeconds: number | undefined): boolean {
  if (i.timedOut) return true;
  const limit = i.timeoutSeconds ?? timeoutSeconds;
  return limit !== undefined && i.durationMs !== undefined && i.durationMs >= limit * 1000 * 0.98;
}

export const timeoutOf = (e: Pick<RotationFailedEvidence, 'fn'>, i?: RotationInvocation): number | undefined => i?.timeoutSeconds ?? e.fn?.timeoutSeconds;

/** Steps the attempt's lines name, in order. */
export const stepsOf = (attempt: readonly RotationInvocation[]): RotationStep[] => [...new Set(attempt.flatMap((i) => i.steps))];

/** The invocation that stopped after "Found credentials in environment variables" and ran to its timeout, with no step logged in the attempt. */
export function silentAfterCredentials(e: RotationFailedEvidence): RotationInvocation | undefined {
  const attempt = lastAttempt(e);
  if (stepsOf(attempt).length > 0) return undefined;
  return attempt.find((i) => i.foundCredentials && i.steps.length === 0 && ranToTimeout(i, timeoutOf(e, i)));
}

/** createSecret was logged, nothing after it, and an invocation ran to its timeout. */
export function stalledAfterCreate(e: RotationFailedEvidence): { timedOut: RotationInvocation; create: RotationInvocation } | undefined {
  const attempt = lastAttempt(e);
  const steps = stepsOf(attempt);
  if (!steps.includes('createSecret') || steps.some(secretStep)) return undefined;
  const create = attempt.find((i) => i.steps.includes('createSecret'))!;
  const timedOut = attempt.filter((i) => ranToTimeout(i, timeoutOf(e, i))).at(-1);
  return timedOut ? { timedOut, create } : undefined;
}

/** The last invocation that says it could not log in to the database. */
export function loginFailure(e: Pick<RotationFailedEvidence, 'logs'>): RotationInvocation | undefined {
  return lastAttempt(e)
    .filter((i) => LOGIN_FAILED.test(i.error ?? '') || LOGIN_FAILED.test(i.lastLine ?? ''))
    .at(-1);
}

/** The last completed rotation in the log (finishSecret without an error). */
export function lastSuccess(e: Pick<RotationFailedEvidence, 'logs'>): RotationInvocation | undefined {
  return (e.logs?.invocations ?? []).filter((i) => i.steps.includes('finishSecret') && !i.error && !i.timedOut).at(-1);
}

/** The function's name (the last part of its ARN). */
export const functionNameOf = (e: Pick<RotationFailedEvidence, 'fn' | 'secret'>): string | undefined =>
  e.fn?.name ?? e.secret?.rotationLambdaArn?.slice(e.secret.rotationLambdaArn.lastIndexOf(':') + 1);

export const secretNameOf = (e: Pick<RotationFailedEvidence, 'secret' | 'input'>): string => e.secret?.name ?? e.input.target;

/** The rotation template the function comes from, as its stack, name or tags tell (e.g. SecretsManagerRDSPostgreSQLRotationMultiUser). */
export function templateOf(e: Pick<RotationFailedEvidence, 'fn' | 'setup'>): string {
  return [e.setup?.stackName, e.fn?.name].filter(Boolean).join(' ');
}

/** Alternating-users rotation (the templates' "MultiUser"): it logs in as the superuser from another secret. */
export const isAlternatingUsers = (e: Pick<RotationFailedEvidence, 'fn' | 'setup'>): boolean => /multi-?user|alternating/i.test(templateOf(e));

export type EngineFamily = 'postgres' | 'mysql' | 'mariadb' | 'oracle' | 'sqlserver' | 'db2' | 'mongodb' | 'redshift' | 'unknown';

/** The DB engine, from the DB when it is known, else from the template's name. */
export function engineOf(e: Pick<RotationFailedEvidence, 'db' | 'fn' | 'setup'>): EngineFamily {
  const engine = (e.db?.db.engine ?? templateOf(e)).toLowerCase();
  if (engine.includes('postgres')) return 'postgres';
  if (engine.includes('mariadb')) return 'mariadb';
  if (engine.includes('mysql')) return 'mysql';
  if (engine.includes('oracle')) return 'oracle';
  if (engine.includes('sqlserver')) return 'sqlserver';
  if (engine.includes('db2')) return 'db2';
  if (engine.includes('mongo') || engine.includes('docdb') || engine.includes('documentdb')) return 'mongodb';
  if (engine.includes('redshift')) return 'redshift';
  return 'unknown';
}

/** The DB engine's major version ("13.12" → 13, "8.0.mysql_aurora.3.08.0" → 8). */
export const engineMajor = (e: Pick<RotationFailedEvidence, 'db'>): number | undefined => {
  const v = /^(\d+)/.exec(e.db?.db.engineVersion ?? '')?.[1];
  return v === undefined ? undefined : Number(v);
};

/** The ports the engines listen on by default, for a DB that does not say. */
export const DEFAULT_PORTS: Record<EngineFamily, number | undefined> = {
  postgres: 5432,
  mysql: 3306,
  mariadb: 3306,
  oracle: 1521,
  sqlserver: 1433,
  db2: 50000,
  mongodb: 27017,
  redshift: 5439,
  unknown: undefined,
};

/** The keys the rotation templates read from the secret's JSON, per engine (AWS's "JSON structure of secrets"). */
export function requiredKeys(engine: EngineFamily, alternating: boolean): string[] {
  const base = engine === 'oracle' || engine === 'mongodb' || engine === 'redshift' || engine === 'sqlserver' || engine === 'db2'
    ? ['engine', 'host', 'username', 'password', 'dbname', 'port']
    : ['engine', 'host', 'username', 'password'];
  return alternating ? [...base, 'masterarn'] : base;
}

/** When rotation was set up: the function's stack's creation time. */
export const setUpAt = (e: Pick<RotationFailedEvidence, 'setup'>): Date | undefined => e.setup?.createdAt;

/** A DB parameter's value, and whether it was read or is the engine's default for this version. */
export function dbParameter(e: Pick<RotationFailedEvidence, 'dbParameters' | 'db'>, name: string): { value: string; source: 'parameter-group' | 'engine-default' } | undefined {
  const read = e.dbParameters?.values[name];
  // a value read from the group that RDS marks Source: engine-default is the engine's default, not a setting
  if (read?.value !== undefined) return { value: read.value, source: read.source === 'engine-default' ? 'engine-default' : 'parameter-group' };
  const engine = e.db?.db.engine ?? '';
  const major = engineMajor(e);
  // Defaults that changed with the engine version: PostgreSQL 14 hashes new passwords with
  // SCRAM; RDS for PostgreSQL 15 requires TLS (rds.force_ssl=1).
  if (name === 'password_encryption' && engine.includes('postgres') && major !== undefined)
    return { value: major >= 14 ? 'scram-sha-256' : 'md5', source: 'engine-default' };
  if (name === 'rds.force_ssl' && engine === 'postgres' && major !== undefined) return { value: major >= 15 ? '1' : '0', source: 'engine-default' };
  return undefined;
}

/** The DB requires TLS: rds.force_ssl=1 (PostgreSQL, SQL Server) or require_secure_transport=ON (MySQL, MariaDB). */
export function tlsRequired(e: Pick<RotationFailedEvidence, 'dbParameters' | 'db'>): { parameter: string; value: string; source: string } | undefined {
  for (const name of ['rds.force_ssl', 'require_secure_transport']) {
    const p = dbParameter(e, name);
    if (p && /^(1|on|true)$/i.test(p.value)) return { parameter: name, ...p };
  }
  return undefined;
}
