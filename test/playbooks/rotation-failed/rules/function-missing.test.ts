import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/function-missing.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, FN_ARN, FN_NAME, SECRET_NAME } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('function-missing');

describe('function-missing', () => {
  it('hits when the secret names a function that does not exist', () => {
    const out = run(evidence({ functionMissing: true, fn: undefined, logs: undefined, skipped: ['function', 'logs'] }));
    expect(out.hits[0]!.data).toEqual({ secret: SECRET_NAME, functionArn: FN_ARN });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'critical', title: `Secret ${SECRET_NAME} is rotated by ${FN_NAME}, which does not exist` });
  });

  it('misses when the function exists', () => {
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when the secret could not be described', () => {
    expect(run(evidence({ failed: ['secret'], secret: undefined })).status).toBe('unchecked');
  });
});
