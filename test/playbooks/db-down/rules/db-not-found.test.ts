import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/db-down/rules/db-not-found.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { db, evidence } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('db-not-found');
const missing = (candidates = [db({ id: 'prod-db' }), db({ id: 'staging-db' })]) =>
  evidence({ input: { target: 'prod-bd', region: 'ap-northeast-1', hours: 24 }, db: undefined, candidates });

describe('db-not-found', () => {
  it('hits when the name matched nothing, suggesting close names', () => {
    const out = run(missing());
    expect(out.hits[0]!.data).toEqual({ target: 'prod-bd', region: 'ap-northeast-1', matches: ['prod-db'], dbs: 2 });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'warning', title: 'No DB cluster or instance named prod-bd in ap-northeast-1', detail: 'Did you mean: prod-db?' });
  });

  it('lists the Region’s DBs when none is close, and says when there is none', () => {
    expect(run(missing([db({ id: 'legacy-mysql' })])).hits[0]!.finding.detail).toBe('The DBs in ap-northeast-1 are: legacy-mysql.');
    expect(run(missing([])).hits[0]!.finding.detail).toMatch(/^There is no DB cluster or instance in ap-northeast-1/);
  });

  it('misses when the DB was found', () => {
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when the DB could not be described', () => {
    expect(run(evidence({ failed: ['db'], db: undefined })).status).toBe('unchecked');
  });
});
