import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/stalled-after-create.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { acl, endpoint, entry, evidence, failing, fn, FN_ARN, FN_NAME, network, REGION, SECRET_ARN, SECRET_NAME, setup, sg, stalledAfterCreate, SUBNET_E, VPC_CIDR, VPC_ID } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('stalled-after-create');
const hit = (over: Parameters<typeof failing>[1] = {}, timeout = 30) => {
  const out = run(failing(stalledAfterCreate(timeout), over));
  expect(out.status).toBe('hit');
  return out.hits[0]!;
};
const RETRY = { id: 'rotate-now', label: 'Retry the rotation now (after the fix)', params: { secretId: SECRET_ARN, region: REGION } };

describe('stalled-after-create', () => {
  it('a network ACL that blocks HTTPS out decides, with the ACL fix', () => {
    const acls = [acl('acl-fn', ['subnet-a', 'subnet-b'], [entry(90, true, 'deny', { protocol: '6', portRange: { from: 443, to: 443 } }), entry(100, true, 'allow'), entry(100, false, 'allow')]), acl('acl-vpce', ['subnet-e'])];
    const h = hit({ network: network({ acls }) });
    expect(h.data).toEqual({ function: FN_NAME, secret: SECRET_NAME, cause: 'nacl', notRuledOut: [] });
    expect(h.finding.title).toBe(`Rotation stops after createSecret: a network ACL blocks HTTPS or its answers (network ACL acl-fn of the function’s subnet subnet-a does not let TCP 443 out to ${SUBNET_E.cidrBlock}: rule 90 (deny))`);
    expect(h.finding.remediations).toEqual([
      { id: 'nacl-allow-https', label: 'Show the ACL entries for acl-fn', params: { naclId: 'acl-fn', cidr: SUBNET_E.cidrBlock, region: REGION, direction: 'egress-443' } },
      RETRY,
    ]);
  });

  it('the endpoint subnet’s ACL refusing 443 in asks for an ingress fix', () => {
    const acls = [acl('acl-fn', ['subnet-a', 'subnet-b']), acl('acl-vpce', ['subnet-e'], [entry(100, true, 'allow'), entry(100, false, 'allow', { cidrBlock: SUBNET_E.cidrBlock })])];
    expect(hit({ network: network({ acls }) }).finding.remediations[0]!.params).toMatchObject({ naclId: 'acl-vpce', direction: 'ingress-443' });
  });

  it('a timeout under 30 s decides, with the lambda-timeout button', () => {
    const h = hit({ fn: fn({ timeoutSeconds: 10 }) }, 10);
    expect(h.data.cause).toBe('timeout');
    expect(h.finding.title).toBe('Rotation stops after createSecret: the function’s timeout is too short for the steps (the function’s timeout is 10 s, shorter than the 30 s the rotation templates set)');
    expect(h.finding.remediations[0]).toEqual({
      id: 'lambda-timeout',
      label: `Set ${FN_NAME}’s timeout to 120 s`,
      params: { functionName: FN_ARN, timeoutSeconds: 120, currentSeconds: 10, region: REGION },
    });
  });

  it('the endpoint’s group not admitting the VPC CIDR decides, with sg-allow-https-from-vpc', () => {
    const h = hit({ network: network({ endpointGroups: [sg('sg-vpce', [])] }) });
    expect(h.data.cause).toBe('endpoint-sg');
    expect(h.finding.remediations[0]).toMatchObject({ id: 'sg-allow-https-from-vpc', params: { groupId: 'sg-vpce', cidr: VPC_CIDR, region: REGION, vpcId: VPC_ID } });
  });

  it('an endpoint policy that denies the function decides', () => {
    const policyDocument = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: '*' }, { Sid: 'NoWrites', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:PutSecretValue' }] });
    const h = hit({ network: network({ endpoints: [endpoint({ policyDocument })] }) });
    expect(h.data.cause).toBe('endpoint-policy');
    expect(h.finding.title).toContain('(NoWrites)');
    expect(h.finding.remediations).toEqual([RETRY]);
  });

  it('alternating users with no way to the RDS API decides (a MultiUser template)', () => {
    const h = hit({ setup: setup(undefined, 'SecretsManagerRDSPostgreSQLRotationMultiUser-stack') });
    expect(h.data.cause).toBe('rds-api');
    expect(h.finding.title).toContain('subnets subnet-a, subnet-b have neither an RDS endpoint nor a NAT gateway');
  });

  it('network unread: the timeout is ruled out, the rest listed as not ruled out with why', () => {
    const h = hit({ network: undefined, failed: ['network'], iamAction: 'ec2:DescribeVpcEndpoints' });
    expect(h.data).toEqual({ function: FN_NAME, secret: SECRET_NAME, cause: undefined, notRuledOut: ['nacl', 'endpoint-sg', 'endpoint-policy', 'rds-api'] });
    expect(h.finding.title).toBe('Rotation stops after createSecret; the cause is not in what whybot can see');
    expect(h.finding.detail).toContain('Not ruled out:');
    expect(h.finding.detail).toContain('needs ec2:DescribeVpcEndpoints');
    expect(h.finding.detail).toMatch(/Ruled out:\n.*timeout is 30 s/);
  });

  it('misses for a finished rotation or a step after createSecret', () => {
    expect(run(evidence()).status).toBe('miss');
    const [create, stalled] = stalledAfterCreate();
    expect(run(failing([create!, { ...stalled!, steps: ['setSecret'] }])).status).toBe('miss');
  });

  it('is unchecked when the log could not be read', () => {
    expect(run(evidence({ failed: ['logs'], logs: undefined })).status).toBe('unchecked');
  });
});
