import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import certDnsHealthy from '../../../../src/playbooks/cert-pending/rules/cert-dns-healthy.js';
import nsMismatch from '../../../../src/playbooks/cert-pending/rules/ns-mismatch.js';
import { failing, healthy, incident, REAL } from '../evidence.js';

describe('cert-dns-healthy', () => {
  it('hits with one delegated zone holding the CNAME', () => {
    expect(applyRules([certDnsHealthy], healthy()).data('cert-dns-healthy')).toEqual([{ domain: 'example-shop.com', zoneId: REAL, waiting: 1 }]);
  });
  it('misses when an earlier rule found a problem', () => {
    expect(applyRules([nsMismatch, certDnsHealthy], incident()).outcome('cert-dns-healthy').status).toBe('miss');
  });
  it('is unchecked when any check failed', () => {
    expect(applyRules([certDnsHealthy], failing(healthy(), 'public-ns')).outcome('cert-dns-healthy')).toMatchObject({ status: 'unchecked', missing: ['public-ns'] });
  });
});
