import { describe, expect, it } from 'vitest';
import endpointSgBlocksBuild from '../../../../src/playbooks/build-failed/rules/endpoint-sg-blocks-build.js';
import { build, incident000, network, outcome } from '../evidence.js';

describe('endpoint-sg-blocks-build', () => {
  it('hit: the endpoint group admits 443 only from elsewhere; the fix admits the VPC CIDR on that group', () => {
    const o = outcome(endpointSgBlocksBuild, incident000());
    expect(o.status).toBe('hit');
    const [{ data, finding }] = o.hits as [(typeof o.hits)[0]];
    expect(data).toMatchObject({ service: 'secretsmanager', endpoint: 'vpce-sm', groupId: 'sg-vpce', vpcCidr: '10.20.0.0/16', subnets: ['subnet-a', 'subnet-c'], timedOut: false });
    // behind an x509 failure it is the next one, not this one
    expect(finding.severity).toBe('warning');
    expect(finding.detail).toMatch(/once that is fixed, the secret lookups will time out here/);
    expect(finding.remediations).toEqual([
      { id: 'sg-allow-https-from-vpc', label: 'Allow 443 from 10.20.0.0/16', params: { groupId: 'sg-vpce', cidr: '10.20.0.0/16', region: 'ap-northeast-1', vpcId: 'vpc-1', description: 'Secrets Manager endpoint vpce-sm' } },
    ]);
  });

  it('hit, critical: DOWNLOAD_SOURCE timed out reaching the endpoint', () => {
    const timeout = 'Secrets Manager Error: RequestError: send request failed\ncaused by: Post "https://secretsmanager.ap-northeast-1.amazonaws.com/": dial tcp 10.20.1.15:443: i/o timeout';
    const o = outcome(endpointSgBlocksBuild, incident000({ builds: [build(3, 1, { failedPhase: 'DOWNLOAD_SOURCE', message: timeout })] }));
    expect(o.hits[0]!.finding.severity).toBe('critical');
    expect(o.hits[0]!.finding.detail).toContain('That is why the secret lookups in DOWNLOAD_SOURCE time out.');
  });

  it('miss: the group admits the VPC CIDR', () => {
    expect(outcome(endpointSgBlocksBuild, incident000({ network: network(['10.20.0.0/16']) })).status).toBe('miss');
  });

  it('unchecked: without the network reads', () => {
    expect(outcome(endpointSgBlocksBuild, incident000({}, ['network']))).toMatchObject({ status: 'unchecked', missing: ['network'] });
  });
});
