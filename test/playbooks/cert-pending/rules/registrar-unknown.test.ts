import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import registrarUnknown from '../../../../src/playbooks/cert-pending/rules/registrar-unknown.js';
import { failing, healthy } from '../evidence.js';

describe('registrar-unknown', () => {
  it('hits when Route 53 Domains does not hold the domain and no other source gave name servers', () => {
    const e = healthy();
    e.registrar = { registered: false, domain: 'example-shop.com', reason: 'Domain not found' };
    delete e.expectedNs;
    expect(applyRules([registrarUnknown], e).findings[0]!.evidence).toEqual([{ source: 'Route 53 Domains', text: 'Domain not found' }]);
  });
  it('misses when the registrar is known', () => {
    expect(applyRules([registrarUnknown], healthy()).outcome('registrar-unknown').status).toBe('miss');
  });
  it('is unchecked when Route 53 Domains could not be read', () => {
    expect(applyRules([registrarUnknown], failing(healthy(), 'registrar')).outcome('registrar-unknown').status).toBe('unchecked');
  });
});
