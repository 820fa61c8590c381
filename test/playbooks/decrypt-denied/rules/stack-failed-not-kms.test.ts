import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import stackFailedNotKms from '../../../../src/playbooks/decrypt-denied/rules/stack-failed-not-kms.js';
import { failing, incident } from '../evidence.js';

describe('stack-failed-not-kms', () => {
  it('hits when the stack failed on something else', () => {
    const e = incident();
    e.stackEvents = [{ time: e.now, logicalId: 'Bucket', type: 'AWS::S3::Bucket', status: 'CREATE_FAILED', reason: 'bucket-x already exists' }];
    const r = applyRules([stackFailedNotKms], e);
    expect(r.data('stack-failed-not-kms')).toEqual([{ stack: 'AppStack', logicalId: 'Bucket', status: 'CREATE_FAILED', failures: 1 }]);
    expect(r.findings[0]!.detail).toContain('Try /why-deploy-failed AppStack.');
  });
  it('misses when a failure is about KMS', () => {
    expect(applyRules([stackFailedNotKms], incident()).outcome('stack-failed-not-kms').status).toBe('miss');
  });
  it('is unchecked when the stack’s events could not be read', () => {
    const e = failing(incident(), 'stack');
    delete e.stackEvents;
    expect(applyRules([stackFailedNotKms], e).outcome('stack-failed-not-kms')).toMatchObject({ status: 'unchecked', missing: ['stack'] });
  });
});
