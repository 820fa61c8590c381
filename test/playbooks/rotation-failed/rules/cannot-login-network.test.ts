import { describe, expect, it } from 'vitest';
import rule from '../../../../src/playbooks/rotation-failed/rules/cannot-login-network.js';
import { applyRules } from '../../../../src/playbooks/define.js';
import { evidence, failing, fn, FN_NAME, longLoginFailure, REGION, sg, sgRule, shortLoginFailure } from '../evidence.js';

const run = (e: Parameters<typeof rule.apply>[0]) => applyRules([rule], e).outcome('cannot-login-network');
const closedDb = [sg('sg-db', [sgRule({ fromPort: 5432, toPort: 5432, groupIds: ['sg-app'] })])];

describe('cannot-login-network', () => {
  it('hits on a long login failure, naming the DB group that does not admit the function, with the command', () => {
    const out = run(failing(longLoginFailure(), { dbGroups: closedDb }));
    expect(out.hits[0]!.data).toEqual({ function: FN_NAME, db: 'orders-db', port: 5432, shutSubnets: ['subnet-a', 'subnet-b'], egressShut: false });
    const f = out.hits[0]!.finding;
    expect(f.title).toBe(`${FN_NAME} cannot reach orders-db: orders-db’s security groups (sg-db) do not admit port 5432 from the function’s groups (sg-fn) or subnets subnet-a 10.0.1.0/24, subnet-b 10.0.2.0/24`);
    expect(f.detail).toContain(`aws ec2 authorize-security-group-ingress --region ${REGION} --group-id sg-db --protocol tcp --port 5432 --source-group sg-fn`);
  });

  it('groups that admit it: points at the DB subnets’ ACLs; unknown DB groups: says why', () => {
    const open = run(failing(longLoginFailure())).hits[0]!.finding;
    expect(open.title).toBe(`${FN_NAME} cannot reach the database (login failed after 8 s)`);
    expect(open.detail).toContain('The security groups admit port 5432');
    const blind = run(failing(longLoginFailure(), { dbGroups: undefined, failed: ['db-network'] })).hits[0]!.finding;
    expect(blind.detail).toContain('the security groups could not be read');
    expect(run(failing(longLoginFailure(), { fn: fn({ vpc: undefined }), network: undefined })).hits[0]!.finding.detail).toContain('is not in a VPC');
  });

  it('misses on a short login failure or none', () => {
    expect(run(failing(shortLoginFailure(), { dbGroups: closedDb })).status).toBe('miss');
    expect(run(evidence()).status).toBe('miss');
  });

  it('is unchecked when the log could not be read', () => {
    expect(run(evidence({ failed: ['logs'], logs: undefined })).status).toBe('unchecked');
  });
});
