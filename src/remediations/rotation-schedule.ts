import { describeSecret, setRotationInterval } from '../aws/secrets.js';
import { defineAction } from './define.js';
import { rotationScheduleMeta, secretName } from './rotation-schedule.meta.js';
import { pollUntil } from './types.js';

export const rotationSchedule = defineAction(rotationScheduleMeta, {
  async execute(aws, p) {
    const out = await setRotationInterval(aws, p.secretId, p.days);
    return { done: `set ${secretName(p.secretId)} to rotate every ${p.days} days`, ...(out.requestId ? { awsRequestId: out.requestId } : {}) };
  },
  async reconcile(aws, p) {
    // Setting the interval is idempotent: if the secret already has it, the write happened
    // (or is not needed); if not, it did not.
    const s = await describeSecret(aws, p.secretId);
    return s.rotationDays === p.days
      ? { happened: 'happened', done: `set ${secretName(p.secretId)} to rotate every ${p.days} days` }
      : { happened: 'not-happened' };
  },
  async verify(aws, p, _facts, opts) {
    return pollUntil(async () => {
      const s = await describeSecret(aws, p.secretId);
      const ok = s.rotationDays === p.days;
      const next = s.nextRotation ? `; next rotation ${s.nextRotation.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
      return { done: ok, ok, detail: `rotation every ${s.rotationDays ?? s.scheduleExpression ?? '?'} days${next}` };
    }, opts);
  },
});
