import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import rule from '../../../../src/playbooks/cert-pending/rules/validation-record-missing.js';
import { failing, healthy, incident, ORPHAN, REAL, RECORD } from '../evidence.js';

describe('validation-record-missing', () => {
  it('hits when no zone has the CNAME, naming the delegated zone to write it into', () => {
    const e = incident();
    e.holdings.set(RECORD, [{ zoneId: REAL }, { zoneId: ORPHAN }]);
    const r = applyRules([rule], e);
    expect(r.data('validation-record-missing')).toMatchObject([{ recordName: RECORD, delegatedZoneId: REAL }]);
    expect(r.findings[0]!.detail).toContain('no zone has it.');
    expect(r.findings[0]!.remediations[0]!.params['zoneId']).toBe(REAL);
  });

  it('says when a CNAME of that name points elsewhere', () => {
    const e = healthy();
    e.holdings.set(RECORD, [{ zoneId: REAL, value: '_old.acm-validations.aws.' }]);
    expect(applyRules([rule], e).findings[0]!.detail).toContain('points elsewhere');
  });

  it('misses when the delegated zone has it', () => {
    expect(applyRules([rule], healthy()).outcome('validation-record-missing').status).toBe('miss');
  });

  it('is unchecked when the validation records could not be read', () => {
    expect(applyRules([rule], failing(healthy(), 'validation-records')).outcome('validation-record-missing').status).toBe('unchecked');
  });
});
