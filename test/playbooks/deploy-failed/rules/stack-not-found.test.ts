import { describe, expect, it } from 'vitest';
import stackNotFound from '../../../../src/playbooks/deploy-failed/rules/stack-not-found.js';
import { evidence, outcome } from '../evidence.js';

const missing = (target: string, failed: Parameters<typeof evidence>[1] = []) => {
  const { stack: _, attempt: __, ...e } = evidence({}, failed);
  return {
    ...e,
    input: { ...e.input, target },
    stackMissing: true,
    failedStacks: [{ name: 'MyAppStack', id: 'arn:stack/MyAppStack', status: 'ROLLBACK_FAILED' }],
  };
};

describe('stack-not-found', () => {
  it('hit: no stack of that name; a near failed one is suggested', () => {
    const o = outcome(stackNotFound, missing('MyAppStak'));
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toEqual({ target: 'MyAppStak', region: 'ap-northeast-1', suggestions: ['MyAppStack'], failedStacks: 1 });
    expect(finding.severity).toBe('warning');
    expect(finding.detail).toBe('Did you mean: MyAppStack?');
  });

  it('miss: the stack exists', () => {
    expect(outcome(stackNotFound, evidence()).status).toBe('miss');
  });

  it('could not check: without DescribeStacks whybot cannot say the stack is missing', () => {
    expect(outcome(stackNotFound, missing('MyAppStak', ['stack']))).toMatchObject({ status: 'unchecked', missing: ['stack'] });
  });
});
