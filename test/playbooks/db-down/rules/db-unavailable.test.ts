import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/db-unavailable.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { CHANGE, db, evidence, rdsEvent } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('db-unavailable');

describe('db-unavailable', () => {
  it('hits, critical, when the DB is stopped, with the event since when', () => {
    const out = run(evidence({ db: db({ status: 'stopped' }), rdsEvents: [rdsEvent('DB cluster stopped')] }));
    expect(out.hits[0]!.data).toEqual({ db: 'prod-db', kind: 'cluster', status: 'stopped', transitional: false, lastEvent: { time: CHANGE, message: 'DB cluster stopped' } });
    const f = out.hits[0]!.finding;
    expect(f).toMatchObject({ severity: 'critical', title: 'DB cluster prod-db is stopped, not available' });
    expect(f.detail).toBe(
      'The database itself does not accept connections: status is stopped since 2026-12-01 14:00 UTC (RDS: DB cluster stopped). Credentials are not the first suspect while it is down.',
    );
    expect(f.markup).toEqual([{ p: [expect.any(String), { code: 'stopped' }, expect.any(String)] }]);
  });

  it('is a warning while the DB is modifying', () => {
    expect(run(evidence({ db: db({ status: 'modifying' }) })).hits[0]!.finding.severity).toBe('warning');
  });

  it('misses when the DB accepts connections', () => {
    expect(run(evidence({ db: db({ status: 'backing-up' }) })).status).toBe('miss');
  });

  it('is unchecked when the DB could not be described; without RDS events it still speaks', () => {
    expect(run(evidence({ failed: ['db'], db: undefined })).status).toBe('unchecked');
    const out = run(evidence({ failed: ['rds-events'], rdsEvents: undefined, db: db({ status: 'stopped' }) }));
    expect(out.hits[0]!.finding.detail).toMatch(/since before the last 24 h/);
  });
});
