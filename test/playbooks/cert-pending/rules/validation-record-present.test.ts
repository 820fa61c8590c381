import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import rule from '../../../../src/playbooks/cert-pending/rules/validation-record-present.js';
import { certificate, failing, healthy, incident, REAL } from '../evidence.js';

describe('validation-record-present', () => {
  it('hits (info) when the CNAME is in the delegated zone but ACM has not validated', () => {
    const r = applyRules([rule], healthy());
    expect(r.findings.map((f) => f.severity)).toEqual(['info']);
    expect(r.data('validation-record-present')[0]!.delegatedZoneId).toBe(REAL);
    expect(r.findings[0]!.detail).not.toContain('72 hours');
  });

  it('warns of ACM’s 72-hour limit once half of it has passed', () => {
    const e = healthy();
    e.certificates = [certificate(40)];
    expect(applyRules([rule], e).findings[0]!.detail).toContain('ACM gives up after 72 hours');
  });

  it('misses when the CNAME is only in the orphan zone', () => {
    expect(applyRules([rule], incident()).outcome('validation-record-present').status).toBe('miss');
  });

  it('is unchecked when the validation records could not be read', () => {
    expect(applyRules([rule], failing(healthy(), 'validation-records')).outcome('validation-record-present').status).toBe('unchecked');
  });
});
