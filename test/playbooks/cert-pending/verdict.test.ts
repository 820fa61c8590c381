import { describe, expect, it } from 'vitest';
import { judge as judgeWith } from '../../../src/playbooks/define.js';
import { rules } from '../../../src/playbooks/cert-pending/rules/index.js';
import { verdict } from '../../../src/playbooks/cert-pending/verdict.js';
import type { CertPendingEvidence } from '../../../src/playbooks/cert-pending/evidence.js';
import { failing, healthy, incident, ORPHAN, REAL, RECORD } from './evidence.js';

const judge = (e: CertPendingEvidence) => judgeWith(rules, verdict, e).verdict;

describe('cert-pending verdict', () => {
  it('incident 001 §3: the CNAME in the orphan zone is the cause', () => {
    const v = judge(incident());
    expect(v).toMatchObject({
      severity: 'critical',
      cause: 'validation-record-in-orphan-zone',
      subject: REAL,
      counts: { publicZones: 2, recordsInOrphanZones: 1, certificatesPending: 1 },
    });
    expect(v.summary).toBe(
      `Likely cause: example-shop.com has 2 public hosted zones and ACM’s validation CNAME is in ${ORPHAN}, which the registrar does not point at; ` +
        `the delegated zone ${REAL} lacks it, so 1 certificate stays PENDING_VALIDATION.`,
    );
  });

  it('healthy: ok, about the delegated zone', () => {
    expect(judge(healthy())).toMatchObject({ severity: 'ok', subject: REAL, counts: { validationsWaiting: 1 } });
  });

  it('a missing record with no orphan: the most severe finding is the cause', () => {
    const e = incident();
    e.holdings.set(RECORD, [{ zoneId: REAL }, { zoneId: ORPHAN }]);
    expect(judge(e)).toMatchObject({ severity: 'critical', cause: 'validation-record-missing' });
  });

  it('a failed check: no cause, and the verdict names what could not run', () => {
    const e = failing(healthy(), 'validation-records');
    e.holdings.clear();
    const v = judge(e);
    expect(v.cause).toBeUndefined();
    expect(v.unchecked).toEqual(['validation-records']);
    expect(v.summary).toMatch(/1 check could not run: validation-records\.$/);
  });
});
