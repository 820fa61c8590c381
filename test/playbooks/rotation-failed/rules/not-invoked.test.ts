import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/not-invoked.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, FN_NAME, logs, SECRET_NAME, secret } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('not-invoked');
const pending = secret({ pendingVersion: true });

describe('not-invoked', () => {
  it('hits when a rotation is pending and the log shows no invocation: the resource policy', () => {
    const out = run(evidence({ secret: pending, logs: logs([]) }));
    expect(out.hits[0]!.data).toEqual({ function: FN_NAME, logGroup: `/aws/lambda/${FN_NAME}`, groupNotFound: false });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'warning', title: `${FN_NAME}’s log shows no invocation for ${SECRET_NAME} in the last 24 h` });
    expect(out.hits[0]!.finding.detail).toContain(`aws lambda get-policy --function-name ${FN_NAME}`);
    const none = run(evidence({ secret: pending, logs: logs([], { groupNotFound: true }) }));
    expect(none.hits[0]!.finding.title).toBe(`${FN_NAME} has no log group /aws/lambda/${FN_NAME}: it has never run, or logs elsewhere`);
  });

  it('misses when the log shows invocations, or nothing is pending', () => {
    expect(run(evidence({ secret: pending })).status).toBe('miss');
    expect(run(evidence({ logs: logs([]) })).status).toBe('miss');
  });

  it('is unchecked when the log could not be read', () => {
    expect(run(evidence({ secret: pending, failed: ['logs'], logs: undefined })).status).toBe('unchecked');
  });
});
