import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import rule from '../../../../src/playbooks/cert-pending/rules/validation-record-in-orphan-zone.js';
import { CERT, failing, healthy, incident, ORPHAN, REAL, RECORD } from '../evidence.js';

describe('validation-record-in-orphan-zone', () => {
  it('hits when the CNAME is only in a zone the registrar does not point at, and offers the UPSERT into the delegated zone', () => {
    const r = applyRules([rule], incident());
    expect(r.data('validation-record-in-orphan-zone')).toEqual([
      { recordName: RECORD, certificateArn: CERT, names: ['example-shop.com', '*.example-shop.com'], delegatedZoneId: REAL, orphanZoneIds: [ORPHAN] },
    ]);
    const [f] = r.findings;
    expect(f!.severity).toBe('critical');
    expect(f!.remediations.map((x) => [x.id, x.params['zoneId']])).toEqual([
      ['route53-validation-record', REAL],
      ['show-cli', undefined],
    ]);
  });

  it('misses when the delegated zone has the CNAME', () => {
    expect(applyRules([rule], healthy()).outcome('validation-record-in-orphan-zone').status).toBe('miss');
  });

  it('misses when no zone is known to be delegated (the registrar matches neither)', () => {
    const e = incident();
    e.expectedNs = { servers: ['ns-elsewhere.example'], source: 'Route 53 Domains' };
    expect(applyRules([rule], e).outcome('validation-record-in-orphan-zone').status).toBe('miss');
  });

  it('is unchecked, not a miss, when the validation records could not be read', () => {
    const e = failing(incident(), 'validation-records');
    e.holdings.clear();
    const out = applyRules([rule], e).outcome('validation-record-in-orphan-zone');
    expect(out).toMatchObject({ status: 'unchecked', missing: ['validation-records'] });
  });
});
