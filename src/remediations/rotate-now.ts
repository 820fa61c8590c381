import { describeSecret, rotateSecretNow } from '../aws/secrets.js';
import { defineAction } from './define.js';
import { rotateNowMeta } from './rotate-now.meta.js';
import { secretName } from './rotation-schedule.meta.js';
import { pollUntil } from './types.js';

const CLOCK_SLACK_MS = 2_000;
const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const rotateNow = defineAction(rotateNowMeta, {
  async execute(aws, p) {
    const startedAt = new Date().toISOString();
    const out = await rotateSecretNow(aws, p.secretId);
    return {
      done: `started a rotation of ${secretName(p.secretId)}`,
      ...(out.requestId ? { awsRequestId: out.requestId } : {}),
      facts: { startedAt, ...(out.versionId ? { versionId: out.versionId } : {}) },
    };
  },
  // No reconcile: a rotation started and one that finished are told apart only by
  // LastRotatedDate, and a rotation that started and failed leaves no mark here. A lost
  // outcome stays 'unknown' rather than risk a second rotation.
  async verify(aws, p, facts, opts) {
    // a rotation that finished after the click (a little slack for AWS's clock); without the
    // click's time, only one that finishes from now on counts
    const since = (Date.parse(facts.startedAt ?? '') || Date.now()) - CLOCK_SLACK_MS;
    const r = await pollUntil(async () => {
      const s = await describeSecret(aws, p.secretId);
      const last = s.lastRotated;
      if (last && last.getTime() >= since)
        return { done: true, ok: true, detail: `rotated at ${minute(last)}${s.nextRotation ? `; next rotation ${minute(s.nextRotation)}` : ''}` };
      return { done: false, ok: false, detail: `last rotated ${last ? minute(last) : 'never'}` };
    }, opts);
    return r.ok || r.pending ? r : { ok: false, detail: `the rotation started but has not finished yet (${r.detail}); watch the alert channel for how it ends` };
  },
});
