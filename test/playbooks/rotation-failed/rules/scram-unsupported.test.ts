import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/scram-unsupported.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { db, evidence, failing, FN_NAME, params, setup, shortLoginFailure } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('scram-unsupported');
const OLD = new Date('2021-06-01T00:00:00Z');

describe('scram-unsupported', () => {
  it('hits for PostgreSQL 14 (scram by default) and a function set up before 2021-12-30 that cannot log in', () => {
    const out = run(failing(shortLoginFailure(), { setup: setup(OLD) }));
    expect(out.hits[0]!.data).toEqual({ db: 'orders-db', engineVersion: '16.4', setUpAt: OLD, function: FN_NAME, loginFailed: true });
    const f = out.hits[0]!.finding;
    expect(f).toMatchObject({ severity: 'critical', title: `${FN_NAME} (set up 2021-06-01 00:00 UTC) cannot log in to orders-db with SCRAM passwords` });
    expect(f.evidence[0]!.text).toBe('orders-db: postgres 16.4; password_encryption = scram-sha-256 (engine-default)');
    expect(f.remediations[0]).toMatchObject({ id: 'rotation-function-recreate', params: { reason: 'scram' } });
  });

  it('a warning before the function has failed; 13 with scram set in its parameter group', () => {
    const e = evidence({ setup: setup(OLD), db: { db: db({ engineVersion: '13.12' }), how: 'secret-name' }, dbParameters: params({ password_encryption: 'scram-sha-256' }) });
    expect(run(e).hits[0]!.finding.severity).toBe('warning');
  });

  it('misses for a function set up after 2021-12-30, md5 passwords, PostgreSQL 12 or MySQL', () => {
    expect(run(failing(shortLoginFailure(), { setup: setup(new Date('2021-12-30T00:00:00Z')) })).status).toBe('miss');
    expect(run(failing(shortLoginFailure(), { setup: setup(OLD), dbParameters: params({ password_encryption: 'md5' }) })).status).toBe('miss');
    expect(run(evidence({ setup: setup(OLD), db: { db: db({ engineVersion: '12.19' }), how: 'secret-name' }, dbParameters: params({ password_encryption: 'scram-sha-256' }) })).status).toBe('miss');
    expect(run(evidence({ setup: setup(OLD), db: { db: db({ engine: 'mysql', engineVersion: '8.0.35' }), how: 'secret-name' } })).status).toBe('miss');
  });

  it('is unchecked when the parameters, the DB or the setup date could not be read', () => {
    expect(run(evidence({ setup: setup(OLD), failed: ['db-parameters'], dbParameters: undefined })).status).toBe('unchecked');
    expect(run(evidence({ failed: ['function-setup'], setup: undefined })).status).toBe('unchecked');
  });
});
