import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import noHostedZone from '../../../../src/playbooks/cert-pending/rules/no-hosted-zone.js';
import { failing, healthy } from '../evidence.js';

describe('no-hosted-zone', () => {
  it('hits when only a private zone has the name, and says private zones are not seen', () => {
    const e = healthy();
    e.zones = [{ id: 'ZPRIV', name: 'example-shop.com.', private: true }];
    const r = applyRules([noHostedZone], e);
    expect(r.data('no-hosted-zone')).toEqual([{ domain: 'example-shop.com', privateZones: 1 }]);
    expect(r.findings[0]!.detail).toContain('never see private zones');
  });
  it('misses when a public zone exists', () => {
    expect(applyRules([noHostedZone], healthy()).outcome('no-hosted-zone').status).toBe('miss');
  });
  it('is unchecked when the zones could not be listed', () => {
    const e = failing(healthy(), 'hosted-zones');
    delete e.zones;
    expect(applyRules([noHostedZone], e).outcome('no-hosted-zone').status).toBe('unchecked');
  });
});
