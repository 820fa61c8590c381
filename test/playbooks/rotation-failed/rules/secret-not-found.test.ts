import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/secret-not-found.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, REGION, SECRET_NAME } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('secret-not-found');

describe('secret-not-found', () => {
  it('hits when DescribeSecret said there is no such secret', () => {
    const out = run(evidence({ secretMissing: true, secret: undefined, fn: undefined, logs: undefined, skipped: ['secret', 'function', 'logs'] }));
    expect(out.hits[0]!.data).toEqual({ target: SECRET_NAME, region: REGION });
    expect(out.hits[0]!.finding).toMatchObject({ severity: 'warning', title: `No secret named ${SECRET_NAME} in ${REGION}` });
  });

  it('misses when the secret exists', () => {
    expect(run(evidence()).status).toBe('miss');
  });

  it('needs no check: it still answers when the others failed (a failed DescribeSecret is not a missing secret)', () => {
    expect(run(evidence({ failed: ['secret'], secret: undefined })).status).toBe('miss');
  });
});
