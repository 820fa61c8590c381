import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import targetNotAStack from '../../../../src/playbooks/decrypt-denied/rules/target-not-a-stack.js';
import { failing, incident, notAStack } from '../evidence.js';

describe('target-not-a-stack', () => {
  it('hits when CloudFormation knows no stack of that name', () => {
    expect(applyRules([targetNotAStack], notAStack()).data('target-not-a-stack')).toEqual([{ name: 'SomeRole', region: 'ap-northeast-1' }]);
  });
  it('misses for a stack', () => {
    expect(applyRules([targetNotAStack], incident()).outcome('target-not-a-stack').status).toBe('miss');
  });
  it('is unchecked when the stack could not be read', () => {
    const e = failing(notAStack(), 'stack');
    delete e.stackMissing;
    expect(applyRules([targetNotAStack], e).outcome('target-not-a-stack')).toMatchObject({ status: 'unchecked', missing: ['stack'] });
  });
});
