import { describe, expect, it } from 'vitest';
import { applyRules } from '../../../../src/playbooks/define.js';
import kmsKeyPolicyDenies from '../../../../src/playbooks/decrypt-denied/rules/kms-key-policy-denies.js';
import { CFN_EXEC, CR_ROLE, denial, failing, healthy, incident, K1, K2, K2_ID, key, ACCOUNT } from '../evidence.js';

const run = (e: ReturnType<typeof incident>) => applyRules([kmsKeyPolicyDenies], e);

describe('kms-key-policy-denies', () => {
  it('one finding per principal and key, the most denied first, with which policy lacks the grant', () => {
    const r = run(incident());
    expect(r.data('kms-key-policy-denies')).toMatchObject([
      { principal: CFN_EXEC, key: K1, actions: ['kms:Decrypt'], denials: 2, keyPolicy: 'no-grant', gap: 'key-policy' },
      { principal: CR_ROLE, key: K2, denials: 1, keyPolicy: 'delegates-to-iam', gap: 'identity-policy' },
    ]);
    const [cfn, cr] = r.findings;
    expect(cfn!.title).toBe(`${CFN_EXEC} is denied kms:Decrypt on KMS key alias/s3-managed-key (1f2e3d4c-5b6a-4789-8abc-def012345678) (2 times, last 2026-11-30 11:20 UTC)`);
    expect(cfn!.remediations[0]).toMatchObject({ id: 'kms-key-policy-grant', params: { keyArn: K1, viaService: 's3.ap-northeast-1.amazonaws.com' } });
    // the diff is one preformatted block, nothing of mrkdwn
    expect(cfn!.markup.some((b) => 'pre' in b && b.pre.split('\n').some((line) => line.startsWith('+')))).toBe(true);
    expect(cfn!.detail).not.toMatch(/[`*]/);
    expect(cr!.detail).toMatch(/^The identity policy is missing the grant: /m);
  });

  it('an AWS managed key: no key-policy grant offered', () => {
    const e = incident();
    e.keys.set(K2, key(K2_ID, 'alias/aws/ssm', [], 'AWS'));
    const cr = run(e).outcome('kms-key-policy-denies').hits.find((h) => h.data.principal === CR_ROLE)!;
    expect(cr.data.gap).toBe('aws-managed-key');
    expect(cr.finding.remediations).toEqual([]);
  });

  it('a key policy that already has the statement: the denials predate it, nothing to offer', () => {
    const e = incident();
    const granted = { Sid: 'whybot-grant', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${CFN_EXEC}` }, Action: 'kms:Decrypt', Resource: K1 };
    e.keys.set(K1, key('1f2e3d4c-5b6a-4789-8abc-def012345678', 'alias/s3-managed-key', [granted]));
    const cfn = run(e).data('kms-key-policy-denies')[0]!;
    expect(cfn).toMatchObject({ principal: CFN_EXEC, keyPolicy: 'allows-principal', gap: 'none' });
  });

  it('misses without a denial', () => {
    expect(run(healthy()).outcome('kms-key-policy-denies').status).toBe('miss');
  });

  it('CloudTrail unreadable: still answers from the stack’s failure reason (it needs no single check)', () => {
    const e = failing(incident(), 'kms-denials');
    e.trailRead = false;
    e.denials = [denial(CR_ROLE, K2, 30, { source: 'CloudFormation', reason: 'identity-policy', viaService: 'ssm.ap-northeast-1.amazonaws.com' })];
    const r = run(e);
    expect(r.outcome('kms-key-policy-denies').status).toBe('hit');
    expect(r.findings[0]!.evidence[0]!.source).toBe('CloudFormation');
  });

  it('key policy unreadable: KMS’s own message says which policy', () => {
    const e = failing(incident(), 'key-policies');
    for (const k of e.keys.values()) {
      delete k.policy;
      delete k.policyText;
    }
    const cfn = run(e).outcome('kms-key-policy-denies').hits[0]!;
    expect(cfn.data).toMatchObject({ principal: CFN_EXEC, gap: 'key-policy' });
    expect(cfn.finding.detail).toMatch(/could not be read \(GetKeyPolicy failed: access denied\); from the error message: the key policy is missing the grant/);
  });
});
