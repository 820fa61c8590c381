import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/credentials-healthy.js';
import staleCredentials from '../../../../src/playbooks/db-down/rules/stale-credentials.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { CHANGE, db, evidence, healthy } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([staleCredentials, rule], e).outcome('credentials-healthy');

describe('credentials-healthy', () => {
  it('hits when the DB is up and every consumer task started after the change', () => {
    const out = run(healthy());
    expect(out.hits[0]!.data).toEqual({ db: 'prod-db', status: 'available', tasks: 2, services: ['api'], changedAt: CHANGE });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'ok', title: 'prod-db is available and every consumer started after the last password change' });
    expect(out.hits[0]!.finding.detail).toMatch(/2 running tasks of api \(all started after 2026-12-01 14:00 UTC\)\.$/);
  });

  it('misses after a critical finding, when the DB is down, or without consumers', () => {
    expect(run(evidence()).status).toBe('miss'); // stale-credentials ran before it
    expect(run(healthy({ db: db({ status: 'stopped' }) })).status).toBe('miss');
    expect(run(healthy({ consumers: [] })).status).toBe('miss');
  });

  it('is unchecked when any check failed', () => {
    const out = run(healthy({ failed: ['rds-events'], rdsEvents: undefined }));
    expect(out).toMatchObject({ status: 'unchecked', missing: ['rds-events'] });
  });
});
