import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import duplicateHostedZones from '../../../../src/playbooks/cert-pending/rules/duplicate-hosted-zones.js';
import { failing, healthy, incident, ORPHAN, REAL } from '../evidence.js';

describe('duplicate-hosted-zones', () => {
  it('hits with two public zones, naming the delegated one and the orphan, with removal steps as a list', () => {
    const r = applyRules([duplicateHostedZones], incident());
    expect(r.data('duplicate-hosted-zones')).toEqual([{ zoneIds: [REAL, ORPHAN], delegatedZoneId: REAL, orphanZoneIds: [ORPHAN] }]);
    const f = r.findings[0]!;
    expect(f.markup.some((b) => 'list' in b && b.list.length === 3)).toBe(true);
    expect(f.detail).toContain('• Delete its records other than SOA and NS (aws route53 change-resource-record-sets … DELETE)');
    expect(f.detail).not.toMatch(/[*`]/);
  });
  it('misses with one zone', () => {
    expect(applyRules([duplicateHostedZones], healthy()).outcome('duplicate-hosted-zones').status).toBe('miss');
  });
  it('is unchecked when the zones could not be listed', () => {
    expect(applyRules([duplicateHostedZones], failing(incident(), 'hosted-zones')).outcome('duplicate-hosted-zones').status).toBe('unchecked');
  });
});
