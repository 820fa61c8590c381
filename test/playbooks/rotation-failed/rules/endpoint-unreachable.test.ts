import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/endpoint-unreachable.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, failing, fn, FN_NAME, network, REGION, SECRET_NAME, sg, silentTimeout, VPC_CIDR, VPC_ID } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('endpoint-unreachable');

describe('endpoint-unreachable', () => {
  it('hits on silence after “Found credentials” until the timeout, naming the missing route', () => {
    const inv = silentTimeout();
    const out = run(failing([inv], { network: network({ endpoints: [] }) }));
    expect(out.hits[0]!.data).toEqual({ function: FN_NAME, secret: SECRET_NAME, requestId: inv.requestId, cause: 'no-route', durationMs: 30_000 });
    const f = out.hits[0]!.finding;
    expect(f.title).toBe(`${FN_NAME} cannot reach Secrets Manager: no Secrets Manager endpoint in ${VPC_ID} and subnets subnet-a, subnet-b have no NAT gateway`);
    expect(f.detail).toContain(`--service-name com.amazonaws.${REGION}.secretsmanager`);
    expect(f.remediations.map((r) => r.id)).toEqual(['rotate-now']);
  });

  it('an endpoint group that does not admit the VPC: the sg-allow-https-from-vpc button', () => {
    const out = run(failing([silentTimeout()], { network: network({ endpointGroups: [sg('sg-vpce', [])] }) }));
    expect(out.hits[0]!.data.cause).toBe('endpoint-sg');
    expect(out.hits[0]!.finding.remediations[0]).toEqual({
      id: 'sg-allow-https-from-vpc',
      label: `Allow HTTPS from ${VPC_CIDR} into sg-vpce`,
      params: { groupId: 'sg-vpce', cidr: VPC_CIDR, region: REGION, vpcId: VPC_ID, description: 'Secrets Manager endpoint vpce-sm' },
    });
  });

  it('no cause found: says what it ruled out', () => {
    const out = run(failing([silentTimeout()]));
    expect(out.hits[0]!.data.cause).toBeUndefined();
    expect(out.hits[0]!.finding.title).toBe(`${FN_NAME} went silent after “Found credentials” and timed out: it cannot reach Secrets Manager`);
    expect(out.hits[0]!.finding.detail).toMatch(/Ruled out:/);
  });

  it('a function outside a VPC: no network causes, the public endpoint', () => {
    const out = run(failing([silentTimeout()], { fn: fn({ vpc: undefined }), network: undefined, skipped: ['network'] }));
    expect(out.hits[0]!.finding.detail).toContain('not in a VPC');
  });

  it('misses when the invocation did not run to its timeout, or logged a step', () => {
    expect(run(evidence()).status).toBe('miss');
    expect(run(failing([{ ...silentTimeout(), timedOut: false, timeoutSeconds: undefined, durationMs: 2_000 }])).status).toBe('miss');
  });

  it('is unchecked when the log could not be read', () => {
    expect(run(evidence({ failed: ['logs'], logs: undefined })).status).toBe('unchecked');
  });
});
