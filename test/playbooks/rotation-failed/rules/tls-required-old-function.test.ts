import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/tls-required-old-function.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { db, evidence, failing, FN_NAME, params, setup, shortLoginFailure } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('tls-required-old-function');
const OLD = new Date('2021-12-01T00:00:00Z');

describe('tls-required-old-function', () => {
  it('hits for RDS PostgreSQL 15+ (rds.force_ssl=1 by default) and a function set up before 2021-12-20', () => {
    const out = run(failing(shortLoginFailure(), { setup: setup(OLD) }));
    expect(out.hits[0]!.data).toEqual({ db: 'orders-db', parameter: 'rds.force_ssl', setUpAt: OLD, function: FN_NAME, loginFailed: true });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'critical', title: `orders-db requires TLS and ${FN_NAME} (set up 2021-12-01 00:00 UTC) connects without it` });
    expect(out.hits[0]!.finding.remediations[0]).toMatchObject({ id: 'rotation-function-recreate', params: { reason: 'tls' } });
  });

  it('MySQL with require_secure_transport=ON, before any failure: a warning', () => {
    const e = evidence({ setup: setup(OLD), db: { db: db({ engine: 'mysql', engineVersion: '8.0.35', port: 3306 }), how: 'secret-name' }, dbParameters: params({ require_secure_transport: 'ON' }) });
    expect(run(e).hits[0]!).toMatchObject({ data: { parameter: 'require_secure_transport' }, finding: { severity: 'warning' } });
  });

  it('misses for a newer function, a DB that does not require TLS, or Oracle', () => {
    expect(run(failing(shortLoginFailure(), { setup: setup(new Date('2021-12-20T00:00:00Z')) })).status).toBe('miss');
    expect(run(evidence({ setup: setup(OLD), dbParameters: params({ 'rds.force_ssl': '0' }) })).status).toBe('miss');
    expect(run(evidence({ setup: setup(OLD), db: { db: db({ engine: 'oracle-ee', engineVersion: '19' }), how: 'secret-name' }, dbParameters: params({ 'rds.force_ssl': '1' }) })).status).toBe('miss');
  });

  it('is unchecked when the parameters or the setup date could not be read', () => {
    expect(run(evidence({ setup: setup(OLD), failed: ['db-parameters'], dbParameters: undefined })).status).toBe('unchecked');
    expect(run(evidence({ failed: ['function-setup'], setup: undefined })).status).toBe('unchecked');
  });
});
