// The pure facts several rules share: which invocations are the last attempt, and what the
// DB's parameters are (read, or the engine's default for its version).
import { describe, expect, it } from 'vitest';
import { dbParameter, lastAttempt, loginFailure, silentAfterCredentials, stalledAfterCreate, tlsRequired } from '../../../src/playbooks/rotation-failed/facts.js';
import { ATTEMPT, db, evidence, failing, invocation, logs, params, silentTimeout, stalledAfterCreate as stalled, successfulRotation, shortLoginFailure } from './evidence.js';

const DAY = 86_400_000;
const ids = (xs: { requestId: string }[]) => xs.map((x) => x.requestId);

describe('lastAttempt', () => {
  it('is empty without a log or invocations', () => {
    expect(lastAttempt({})).toEqual([]);
    expect(lastAttempt({ logs: logs([]) })).toEqual([]);
  });

  it('is the whole last rotation when it finished, not the one before it', () => {
    const older = successfulRotation(new Date(ATTEMPT.getTime() - DAY));
    const last = successfulRotation();
    expect(ids(lastAttempt({ logs: logs([...older, ...last]) }))).toEqual(ids(last));
  });

  it('is what came after the last finished rotation when something failed since', () => {
    const done = successfulRotation(new Date(ATTEMPT.getTime() - DAY));
    const failed = stalled();
    expect(ids(lastAttempt({ logs: logs([...done, ...failed]) }))).toEqual(ids(failed));
  });

  it('is every invocation when none finished a rotation', () => {
    const all = [silentTimeout(), ...shortLoginFailure()];
    expect(ids(lastAttempt({ logs: logs(all) }))).toEqual(ids(all));
  });

  it('does not count a finishSecret that failed as finished', () => {
    const broken = invocation({ steps: ['finishSecret'], error: 'finishSecret: boom' });
    expect(ids(lastAttempt({ logs: logs([broken]) }))).toEqual(ids([broken]));
  });
});

describe('symptoms of the last attempt', () => {
  it('silentAfterCredentials: only when nothing else was logged and it ran to its timeout', () => {
    const silent = silentTimeout();
    expect(silentAfterCredentials(failing([silent]))?.requestId).toBe(silent.requestId);
    expect(silentAfterCredentials(failing([{ ...silent, timedOut: false, timeoutSeconds: undefined, durationMs: 1_000 }]))).toBeUndefined();
    // a duration at the function's timeout counts even without "Task timed out" (REPORT only)
    expect(silentAfterCredentials(failing([{ ...silent, timedOut: false, timeoutSeconds: undefined, durationMs: 30_000 }]))).toBeDefined();
    expect(silentAfterCredentials(failing(stalled()))).toBeUndefined();
  });

  it('stalledAfterCreate: createSecret and then a timeout, nothing after createSecret', () => {
    const [create, timedOut] = stalled();
    expect(stalledAfterCreate(failing([create!, timedOut!]))).toEqual({ create, timedOut });
    expect(stalledAfterCreate(failing([create!]))).toBeUndefined();
    expect(stalledAfterCreate(failing(shortLoginFailure()))).toBeUndefined();
    expect(stalledAfterCreate(evidence())).toBeUndefined();
  });

  it('loginFailure: the error or last line says it could not log in', () => {
    const [, login] = shortLoginFailure();
    expect(loginFailure(failing(shortLoginFailure()))?.steps).toEqual(login!.steps);
    expect(loginFailure(failing([invocation({ steps: ['setSecret'], error: 'setSecret: could not connect to database' })]))).toBeDefined();
    expect(loginFailure(evidence())).toBeUndefined();
  });
});

describe('dbParameter', () => {
  const pg = (engineVersion: string, engine = 'postgres') => ({ db: { db: db({ engine, engineVersion }), how: 'secret-name' as const } });

  it('prefers the parameter group’s value', () => {
    expect(dbParameter({ ...pg('16.4'), dbParameters: params({ password_encryption: 'md5' }) }, 'password_encryption')).toEqual({ value: 'md5', source: 'parameter-group' });
  });

  it('PostgreSQL 14+ hashes with scram-sha-256 by default, 13 with md5 (RDS and Aurora)', () => {
    expect(dbParameter(pg('14.9'), 'password_encryption')).toEqual({ value: 'scram-sha-256', source: 'engine-default' });
    expect(dbParameter(pg('16.4', 'aurora-postgresql'), 'password_encryption')).toEqual({ value: 'scram-sha-256', source: 'engine-default' });
    expect(dbParameter(pg('13.12'), 'password_encryption')).toEqual({ value: 'md5', source: 'engine-default' });
    expect(dbParameter(pg('8.0.35', 'mysql'), 'password_encryption')).toBeUndefined();
  });

  it('RDS for PostgreSQL 15+ requires TLS by default (rds.force_ssl=1); Aurora and 14 do not', () => {
    expect(dbParameter(pg('15.5'), 'rds.force_ssl')).toEqual({ value: '1', source: 'engine-default' });
    expect(dbParameter(pg('14.9'), 'rds.force_ssl')).toEqual({ value: '0', source: 'engine-default' });
    expect(dbParameter(pg('15.5', 'aurora-postgresql'), 'rds.force_ssl')).toBeUndefined();
    expect(tlsRequired(pg('15.5'))).toEqual({ parameter: 'rds.force_ssl', value: '1', source: 'engine-default' });
  });

  it('no default without a version; an explicit value beats the default', () => {
    expect(dbParameter({ db: { db: db({ engineVersion: undefined }), how: 'secret-name' } }, 'password_encryption')).toBeUndefined();
    expect(tlsRequired({ ...pg('15.5'), dbParameters: params({ 'rds.force_ssl': '0' }) })).toBeUndefined();
    expect(tlsRequired({ ...pg('8.0.35', 'mysql'), dbParameters: params({ require_secure_transport: 'ON' }) })).toMatchObject({ parameter: 'require_secure_transport', source: 'parameter-group' });
  });
});
