import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import nsMismatch from '../../../../src/playbooks/cert-pending/rules/ns-mismatch.js';
import { failing, healthy, incident, ORPHAN } from '../evidence.js';

describe('ns-mismatch', () => {
  it('a zone other than the registrar’s is an orphan (warning)', () => {
    const r = applyRules([nsMismatch], incident());
    expect(r.data('ns-mismatch')).toMatchObject([{ zoneId: ORPHAN, noneMatch: false }]);
    expect(r.findings[0]!.severity).toBe('warning');
  });
  it('is critical for every zone when the registrar points at none of them', () => {
    const e = incident();
    e.expectedNs = { servers: ['ns-elsewhere.example'], source: 'Route 53 Domains' };
    const r = applyRules([nsMismatch], e);
    expect(r.findings.map((f) => [f.severity, r.data('ns-mismatch').length])).toEqual([
      ['critical', 2],
      ['critical', 2],
    ]);
  });
  it('misses when the only zone is the registrar’s', () => {
    expect(applyRules([nsMismatch], healthy()).outcome('ns-mismatch').status).toBe('miss');
  });
  it('is unchecked when the name servers could not be read', () => {
    expect(applyRules([nsMismatch], failing(incident(), 'zone-name-servers')).outcome('ns-mismatch').status).toBe('unchecked');
  });
});
