import { describe, expect, it } from 'vitest';
import leftoverResources from '../../../../src/playbooks/deploy-failed/rules/leftover-resources.js';
import { evidence, incident001, outcome, stackInfo } from '../evidence.js';

describe('leftover-resources', () => {
  it('hit: what the failed deploy left, tied by tag or by the stack’s events, with its cost; only the free EIP is released', () => {
    const o = outcome(leftoverResources, incident001());
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toMatchObject({ stack: 'MyAppStack', stackMissing: false, resources: 5, monthlyUsd: 52.56, unpriced: ['myapp-db'] });
    expect(data.items.map((i) => [i.kind, i.id, i.by])).toEqual([
      ['stack', 'MyAppStack', 'stack'],
      ['nat-gateway', 'nat-1', 'tag'],
      ['elastic-ip', 'eipalloc-free', 'tag'],
      ['elastic-ip', 'eipalloc-held', 'tag'],
      ['cache-cluster', 'myapp-cache', 'tag'],
      ['db-cluster', 'myapp-db', 'stack events'],
    ]);
    expect(finding.title).toBe('5 leftovers of MyAppStack will break the next deploy (~$52.56/month)');
    expect(finding.severity).toBe('warning');
    expect(finding.remediations.map((r) => [r.id, r.params.allocationId])).toEqual([
      ['ec2-release-eip', 'eipalloc-free'],
      ['show-cli', undefined],
    ]);
    // one list item per leftover, its id a code span
    const list = finding.markup.find((b) => 'list' in b);
    expect(list && 'list' in list ? list.list.map((item) => item[1]) : []).toEqual(data.items.map((i) => ({ code: i.id })));
  });

  it('hit: a stack stuck in UPDATE_ROLLBACK_FAILED is the only leftover', () => {
    const o = outcome(leftoverResources, incident001({ stack: stackInfo('UPDATE_ROLLBACK_FAILED') }));
    const [{ data }] = o.hits as [(typeof o.hits)[0]];
    expect(data.items.map((i) => i.kind)).toEqual(['stack']);
    expect(data.resources).toBe(0);
  });

  it('miss: a stack whose deploy went well has no leftovers, whatever carries its tag', () => {
    const { addresses, natGateways } = incident001();
    expect(outcome(leftoverResources, evidence({ addresses, natGateways })).status).toBe('miss');
  });

  it('could not check: without the stack’s status nothing can be called a leftover', () => {
    const o = outcome(leftoverResources, incident001({}, ['stack']));
    expect(o).toMatchObject({ status: 'unchecked', missing: ['stack'], hits: [] });
  });
});
