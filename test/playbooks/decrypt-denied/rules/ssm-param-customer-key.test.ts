import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import ssmParamCustomerKey from '../../../../src/playbooks/decrypt-denied/rules/ssm-param-customer-key.js';
import { CR_ROLE, failing, healthy, incident, K2 } from '../evidence.js';

const run = (e: ReturnType<typeof incident>) => applyRules([ssmParamCustomerKey], e);

describe('ssm-param-customer-key', () => {
  it('incident 001 §2: the custom resource cannot decrypt the parameter (critical)', () => {
    const r = run(incident());
    expect(r.data('ssm-param-customer-key')).toEqual([
      { key: K2, keyLabel: 'alias/app-secrets (9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d)', parameters: ['/app/prod/db-password'], readers: [CR_ROLE], failing: true, customResource: 'DbAuroraGetDbPassword', denials: 1 },
    ]);
    const f = r.findings[0]!;
    expect(f.severity).toBe('critical');
    expect(f.title).toMatch(/^Custom resource DbAuroraGetDbPassword cannot decrypt SSM parameter \/app\/prod\/db-password/);
    expect(f.remediations[0]).toMatchObject({ id: 'ssm-recreate-parameter', params: { name: '/app/prod/db-password' } });
  });

  it('on a customer key with no reader denied: only a note', () => {
    const e = incident();
    e.denials = e.denials.filter((d) => !d.principalArn.endsWith(CR_ROLE));
    e.stackEvents = [];
    e.stack!.parameters = { DbPasswordParameter: '/app/prod/db-password' };
    const r = run(e);
    expect(r.findings[0]!.severity).toBe('info');
    expect(r.data('ssm-param-customer-key')[0]).toMatchObject({ failing: false, readers: [] });
  });

  it('misses when the parameters use alias/aws/ssm', () => {
    expect(run(healthy()).outcome('ssm-param-customer-key').status).toBe('miss');
  });

  it('is unchecked when the parameters could not be listed', () => {
    const e = failing(incident(), 'ssm-parameters');
    delete e.parameters;
    expect(run(e).outcome('ssm-param-customer-key').status).toBe('unchecked');
  });
});
