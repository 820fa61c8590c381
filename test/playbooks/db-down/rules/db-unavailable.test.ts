import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/db-unavailable.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { CHANGE, db, evidence, rdsEvent } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('db-unavailable');

describe('db-unavailable', () => {
  it('hits, critical, when the DB is stopped, with the event since when', () => {
    const out = run(evidence({ db: db({ status: 'stopped' }), rdsEvents: [rdsEvent('DB cluster stopped')] }));
    expect(out.hits[0]!.data).toEqual({
      db: 'prod-db',
      kind: 'cluster',
      status: 'stopped',
      transitional: false,
      lastEvent: { time: CHANGE, message: 'DB cluster stopped' },
      startCommand: 'aws rds start-db-cluster --db-cluster-identifier prod-db --region ap-northeast-1',
    });
    const f = out.hits[0]!.finding;
    expect(f).toMatchObject({ severity: 'critical', title: 'DB cluster prod-db is stopped, not available' });
    expect(f.detail.split('\n')[0]).toBe(
      'The database itself does not accept connections: status is stopped since 2026-12-01 14:00 UTC (RDS: DB cluster stopped). Credentials are not the first suspect while it is down.',
    );
    expect(f.markup[0]).toEqual({ p: [expect.any(String), { code: 'stopped' }, expect.any(String)] });
  });

  it('a stopped DB: who stopped it and when, and the command that starts it', () => {
    const stop = { name: 'StopDBCluster' as const, time: CHANGE, actor: 'alice' };
    const out = run(evidence({ db: db({ status: 'stopped' }), rdsEvents: [rdsEvent('DB cluster stopped')], stopEvent: stop }));
    const start = 'aws rds start-db-cluster --db-cluster-identifier prod-db --region ap-northeast-1';
    expect(out.hits[0]!.data).toMatchObject({ stoppedBy: { actor: 'alice', time: CHANGE, event: 'StopDBCluster' }, startCommand: start });
    const f = out.hits[0]!.finding;
    expect(f.detail).toContain('alice stopped it at 2026-12-01 14:00 UTC (CloudTrail: StopDBCluster).');
    expect(f.markup).toContainEqual({ p: [expect.stringMatching(/^Start it/), { code: start }] });
    expect(f.evidence).toContainEqual({ source: 'CloudTrail', time: CHANGE.toISOString(), text: 'StopDBCluster by alice' });
  });

  it('a stopped instance gets start-db-instance; a stopped Aurora member, its cluster’s command; the stop unknown still gives the command', () => {
    const instance = run(evidence({ db: db({ kind: 'instance', id: 'legacy-mysql', status: 'stopped' }) }));
    expect(instance.hits[0]!.data.startCommand).toBe('aws rds start-db-instance --db-instance-identifier legacy-mysql --region ap-northeast-1');
    expect(instance.hits[0]!.data).not.toHaveProperty('stoppedBy');
    const member = run(evidence({ db: db({ kind: 'instance', id: 'prod-db-1', clusterId: 'prod-db', status: 'stopping' }) }));
    expect(member.hits[0]!.data.startCommand).toMatch(/^aws rds start-db-cluster --db-cluster-identifier prod-db /);
    // a DB down for another reason has nothing to start
    expect(run(evidence({ db: db({ status: 'storage-full' }) })).hits[0]!.data).not.toHaveProperty('startCommand');
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
