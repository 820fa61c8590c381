import { describe, expect, it } from 'vitest';
import stackEventsTruncated from '../../../../src/playbooks/deploy-failed/rules/stack-events-truncated.js';
import { evidence, incident001, outcome } from '../evidence.js';

describe('stack-events-truncated', () => {
  it('hit: more events than whybot reads, and no failure among them', () => {
    const o = outcome(stackEventsTruncated, evidence({ eventsTruncated: true }));
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toEqual({ maxEvents: 1000 });
    expect(finding.severity).toBe('info');
    expect(finding.markup).toEqual([{ p: ['An older failure may be missing. ', { code: 'aws cloudformation describe-stack-events' }, ' lists them all.'] }]);
  });

  it('miss: all events read, or a failure found among the newest', () => {
    expect(outcome(stackEventsTruncated, evidence()).status).toBe('miss');
    expect(outcome(stackEventsTruncated, incident001({ eventsTruncated: true })).status).toBe('miss');
  });

  it('could not check: without the stack’s events', () => {
    expect(outcome(stackEventsTruncated, evidence({ eventsTruncated: true }, ['stack-events']))).toMatchObject({ status: 'unchecked', missing: ['stack-events'] });
  });
});
