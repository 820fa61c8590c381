import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import { MAX_TRAIL_PAGES } from '../../../../src/playbooks/decrypt-denied/evidence.js';
import kmsEventsTruncated from '../../../../src/playbooks/decrypt-denied/rules/kms-events-truncated.js';
import { failing, healthy } from '../evidence.js';

describe('kms-events-truncated', () => {
  it('says how many events were read and the page limit whybot applies', () => {
    const e = healthy();
    e.trailTruncated = true;
    e.trailEventsRead = 487;
    const r = applyRules([kmsEventsTruncated], e);
    expect(r.data('kms-events-truncated')).toEqual([{ eventsRead: 487, pages: MAX_TRAIL_PAGES, hours: 24 }]);
    expect(r.findings[0]!.detail).toBe(
      `Only the newest 487 KMS events were read (whybot stops after ${MAX_TRAIL_PAGES} pages of LookupEvents); older denials in the last 24 h may be missing. Narrow the window with --hours.`,
    );
  });
  it('misses when CloudTrail had no more', () => {
    expect(applyRules([kmsEventsTruncated], healthy()).outcome('kms-events-truncated').status).toBe('miss');
  });
  it('is unchecked when CloudTrail could not be read', () => {
    expect(applyRules([kmsEventsTruncated], failing(healthy(), 'kms-denials')).outcome('kms-events-truncated').status).toBe('unchecked');
  });
});
