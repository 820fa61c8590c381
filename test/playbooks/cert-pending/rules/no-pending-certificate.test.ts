import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import noPendingCertificate from '../../../../src/playbooks/cert-pending/rules/no-pending-certificate.js';
import { healthy } from '../evidence.js';

describe('no-pending-certificate', () => {
  it('hits when the Regions read have no pending certificate', () => {
    const e = healthy();
    e.certificates = [];
    expect(applyRules([noPendingCertificate], e).data('no-pending-certificate')).toEqual([{ regions: ['ap-northeast-1', 'us-east-1'] }]);
  });
  it('misses with a pending certificate', () => {
    expect(applyRules([noPendingCertificate], healthy()).outcome('no-pending-certificate').status).toBe('miss');
  });
  it('says nothing when no Region could be read (it needs a read to say "none")', () => {
    const e = healthy();
    e.certificates = [];
    e.certRegions = [];
    expect(applyRules([noPendingCertificate], e).outcome('no-pending-certificate').status).toBe('miss');
  });
});
