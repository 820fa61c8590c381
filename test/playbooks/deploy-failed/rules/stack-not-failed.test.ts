import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import leftoverResources from '../../../../src/playbooks/deploy-failed/rules/leftover-resources.js';
import stackNotFailed from '../../../../src/playbooks/deploy-failed/rules/stack-not-failed.js';
import { evidence, incident001, outcome, stackInfo } from '../evidence.js';

describe('stack-not-failed', () => {
  it('hit: the latest deploy did not fail, nothing else stands: the all-clear', () => {
    const o = outcome(stackNotFailed, evidence());
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toEqual({ stack: 'MyAppStack', status: 'UPDATE_COMPLETE', since: new Date('2026-11-23T10:00:00Z') });
    expect(finding.severity).toBe('ok');
    expect(finding.title).toBe('MyAppStack is UPDATE_COMPLETE: its last deploy did not fail');
  });

  it('hit: beside another finding it is only a note', () => {
    const e = evidence({ stack: stackInfo('DELETE_IN_PROGRESS'), addresses: incident001().addresses });
    const results = applyRules([leftoverResources, stackNotFailed], e);
    expect(results.findings.map((f) => [f.id, f.severity])).toEqual([
      ['leftover-resources', 'warning'],
      ['stack-not-failed', 'info'],
    ]);
  });

  it('miss: the stack’s deploy failed', () => {
    expect(outcome(stackNotFailed, incident001()).status).toBe('miss');
  });

  it('could not check: without the stack’s events whybot cannot say its deploy went well', () => {
    expect(outcome(stackNotFailed, evidence({}, ['stack-events']))).toMatchObject({ status: 'unchecked', missing: ['stack-events'] });
  });
});
