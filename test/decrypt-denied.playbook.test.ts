// The decrypt-denied playbook and the kms-key-policy-grant remediation against the AWS
// double through the real SDK clients: incident 001 §1 (CDK bootstrap bucket on a hand-made
// key) and §2 (SSM SecureString on a customer key breaking a custom resource).
import { afterEach, describe, expect, it } from 'vitest';
import { PlaybookResultSchema, type PlaybookResult } from '../src/findings.js';
import { decryptDenied } from '../src/playbooks/decrypt-denied/index.js';
import { assertKeepsAccountRoot, KeyPolicyError, parseKeyPolicy, planGrant } from '../src/key-policy.js';
import { cliCommands } from '../src/remediations/cli-commands.js';
import { loadExecutor, remediations } from '../src/remediations/index.js';
import { kmsKeyPolicyGrant } from '../src/remediations/kms-key-policy-grant.js';
import { KmsKeyPolicyGrantParams } from '../src/remediations/kms-key-policy-grant.meta.js';
import { actionMetas } from '../src/remediations/metas.js';
import type { AwsDouble } from '../src/sandbox/aws/server.js';
import type { Scenario } from '../src/sandbox/scenario.js';
import { awsWorld, clientsFor } from './helpers/harness.js';

const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-1';
const K1 = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1f2e3d4c-5b6a-4789-8abc-def012345678`;
const K2 = `arn:aws:kms:${REGION}:${ACCOUNT}:key/9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d`;
const CFN_EXEC = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
const CR_ROLE = `arn:aws:iam::${ACCOUNT}:role/AppStack-AWS679f53fac002430cb0da5b7982bd2287-Q1W2E3R4T5Y6`;

let double: AwsDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function investigate(scenarioName: string, target: string, tweak?: (s: Scenario) => void) {
  const { aws, scenario } = await awsWorld(scenarioName, tweak);
  double = aws;
  const clients = clientsFor(scenario.region);
  const internal: unknown[] = [];
  try {
    const result = await decryptDenied.run(
      clients,
      { target, region: scenario.region, hours: 24 },
      { timeoutMs: 5_000, onInternalError: (_c, err) => internal.push(err) },
    );
    expect(internal).toEqual([]);
    return { result: PlaybookResultSchema.parse(result), aws };
  } finally {
    clients.destroy();
  }
}

const ids = (r: PlaybookResult) => r.findings.map((f) => f.id);
const check = (r: PlaybookResult, id: string) => r.checks.find((c) => c.id === id);
const denialFor = (r: PlaybookResult, role: string) => r.findings.find((f) => f.id === 'kms-key-policy-denies' && f.title.startsWith(role));

describe('decrypt-denied on incident 001 (§1 + §2)', () => {
  it('for the failed stack: the custom resource’s denial (identity policy missing), the bootstrap key, the SSM parameter', async () => {
    const { result } = await investigate('incident-001-kms', 'AppStack');
    expect(result.verdict.severity).toBe('critical');
    expect(ids(result)).toEqual(expect.arrayContaining(['kms-key-policy-denies', 'cdk-bootstrap-customer-key', 'ssm-param-customer-key']));
    expect(result.checks.every((c) => c.status === 'ok')).toBe(true);

    // §2: principal, action, key, and which policy lacks the grant
    const cr = denialFor(result, 'AppStack-AWS679f53fac002430cb0da5b7982bd2287-Q1W2E3R4T5Y6')!;
    expect(cr.severity).toBe('critical');
    expect(cr.title).toMatch(/is denied kms:Decrypt on KMS key alias\/app-secrets/);
    expect(cr.detail).toMatch(/identity policy is missing the grant/);
    expect(cr.detail).toContain('ssm.ap-northeast-1.amazonaws.com');
    expect(cr.evidence.some((e) => e.source === 'IAM simulation' && /implicitDeny/.test(e.text))).toBe(true);
    expect(cr.remediations.map((r) => r.id)).toEqual(['kms-key-policy-grant', 'show-cli']);
    expect(cr.remediations[0]!.params).toEqual({
      keyArn: K2,
      principal: CR_ROLE,
      actions: 'kms:Decrypt',
      viaService: `ssm.${REGION}.amazonaws.com`,
      region: REGION,
    });
    // the diff in the finding keeps the other statements
    expect(cr.detail).toContain('"Enable IAM User Permissions": unchanged (account root: kept)');
    expect(cr.detail).toContain('"Allow access for Key Administrators": unchanged');

    // §1: the CDK roles, on the hand-made bootstrap key, with no grant in its policy
    const cfn = denialFor(result, `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`)!;
    expect(cfn.detail).toMatch(/key policy is missing the grant/);
    expect(cfn.remediations[0]!.params).toMatchObject({ keyArn: K1, principal: CFN_EXEC, viaService: `s3.${REGION}.amazonaws.com` });

    const cdk = result.findings.find((f) => f.id === 'cdk-bootstrap-customer-key')!;
    expect(cdk.severity).toBe('critical');
    expect(cdk.title).toMatch(/alias\/s3-managed-key/);
    expect(cdk.detail).toContain('FileAssetsBucketKmsKeyId = 1f2e3d4c-5b6a-4789-8abc-def012345678');
    expect(cdk.detail).toContain('AWS_MANAGED_KEY');
    expect(cdk.evidence.filter((e) => e.source === 'KMS key policy').map((e) => e.text.split(' ')[0])).toEqual([
      `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`,
      `cdk-hnb659fds-deploy-role-${ACCOUNT}-${REGION}`,
      `cdk-hnb659fds-file-publishing-role-${ACCOUNT}-${REGION}`,
    ]);
    expect(cliCommands(cdk.remediations[0]!)).toContain(`cdk bootstrap aws://${ACCOUNT}/${REGION} --bootstrap-kms-key-id AWS_MANAGED_KEY`);

    const ssm = result.findings.find((f) => f.id === 'ssm-param-customer-key')!;
    expect(ssm.severity).toBe('critical');
    expect(ssm.title).toMatch(/Custom resource DbAuroraGetDbPassword cannot decrypt SSM parameter \/app\/prod\/db-password/);
    expect(ssm.detail).toContain('alias/aws/ssm');
    expect(cliCommands(ssm.remediations[0]!).join('\n')).toMatch(/put-parameter .*--key-id alias\/aws\/ssm --overwrite/);

    expect(result.timeline.map((t) => t.text)).toEqual(expect.arrayContaining([expect.stringMatching(/DbAuroraGetDbPassword CREATE_FAILED|ROLLBACK_COMPLETE/)]));
  });

  it('for a key: only that key’s denials, and the SSM parameters on it', async () => {
    const { result } = await investigate('incident-001-kms', 'alias/app-secrets');
    const denies = result.findings.filter((f) => f.id === 'kms-key-policy-denies');
    expect(denies).toHaveLength(1);
    expect(denies[0]!.title).toMatch(/^AppStack-AWS679/);
    expect(ids(result)).not.toContain('cdk-bootstrap-customer-key');
    const ssm = result.findings.find((f) => f.id === 'ssm-param-customer-key')!;
    expect(ssm.evidence.filter((e) => e.source === 'SSM').map((e) => e.text.split(':')[0]).sort()).toEqual(['/app/prod/db-password', '/app/prod/db-username']);
    expect(check(result, 'stack')?.status).toBe('skipped');
  });

  it('for a role ARN: that principal’s denials', async () => {
    const { result } = await investigate('incident-001-kms', CFN_EXEC);
    const denies = result.findings.filter((f) => f.id === 'kms-key-policy-denies');
    expect(denies.map((f) => f.title.split(' ')[0])).toEqual([`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`]);
    expect(denies[0]!.title).toMatch(/\(2 times,/);
    expect(ids(result)).toContain('cdk-bootstrap-customer-key');
  });

  it('a check failing with AccessDenied still answers with the rest', async () => {
    const { result } = await investigate('incident-001-kms', 'AppStack', (s) => {
      s.faults.push({ service: 'cloudtrail', operation: 'LookupEvents', kind: 'AccessDenied' });
      s.faults.push({ service: 'iam', operation: 'SimulatePrincipalPolicy', kind: 'AccessDenied' });
    });
    expect(check(result, 'kms-denials')).toMatchObject({ status: 'failed', iamAction: 'cloudtrail:LookupEvents' });
    expect(check(result, 'identity-policies')).toMatchObject({ status: 'failed', iamAction: 'iam:SimulatePrincipalPolicy' });
    // The stack's own failure reason still names the principal and the key; the other checks still ran.
    const cr = denialFor(result, 'AppStack-AWS679f53fac002430cb0da5b7982bd2287-Q1W2E3R4T5Y6')!;
    expect(cr.evidence[0]!.source).toBe('CloudFormation');
    expect(cr.detail).toMatch(/identity policy is missing the grant/);
    expect(ids(result)).toEqual(expect.arrayContaining(['cdk-bootstrap-customer-key', 'ssm-param-customer-key']));
    expect(result.verdict.summary).toMatch(/2 checks could not run: kms-denials, identity-policies\.$/);
  });

  it('GetKeyPolicy denied: the message still tells which policy is missing', async () => {
    const { result } = await investigate('incident-001-kms', CFN_EXEC, (s) => {
      s.faults.push({ service: 'kms', operation: 'GetKeyPolicy', kind: 'AccessDenied' });
    });
    expect(check(result, 'key-policies')).toMatchObject({ status: 'failed', iamAction: 'kms:GetKeyPolicy' });
    const cfn = result.findings.find((f) => f.id === 'kms-key-policy-denies')!;
    expect(cfn.detail).toMatch(/key policy is missing the grant.*no resource-based policy/);
  });

  it('the healthy scenario: no denial, no customer-key trap', async () => {
    const { result } = await investigate('healthy-kms', 'AppStack');
    expect(ids(result)).toEqual(['kms-access-healthy']);
    expect(result.verdict.severity).toBe('ok');
  });
});

describe('kms-key-policy-grant', () => {
  it('is registered, dangerous, and its plan shows the statement as a diff', async () => {
    expect(remediations['kms-key-policy-grant']?.id).toBe('kms-key-policy-grant');
    expect((await loadExecutor('kms-key-policy-grant')).iamActions.write).toEqual(['kms:PutKeyPolicy']);
    expect(actionMetas['kms-key-policy-grant']?.dangerous).toBe(true);
    const p = KmsKeyPolicyGrantParams.parse({ keyArn: K2, principal: CR_ROLE, actions: 'kms:Decrypt', viaService: `ssm.${REGION}.amazonaws.com`, region: REGION });
    const plan = kmsKeyPolicyGrant.plan(p);
    expect(plan.apiCall).toContain('kms:PutKeyPolicy');
    expect(plan.apiCall).toMatch(new RegExp(`\\n\\+ +"AWS": "${CR_ROLE}"`));
    expect(plan.apiCall).toContain('every existing statement, unchanged');
    expect(() => KmsKeyPolicyGrantParams.parse({ ...p, actions: 'kms:*' })).toThrow();
    expect(cliCommands({ id: 'kms-key-policy-grant', params: p }).join('\n')).toMatch(/jq --argjson s .*\.Statement \+= \[\$s\]/);
  });

  it('adds the minimal statement and keeps every other statement unchanged (PutKeyPolicy on the double)', async () => {
    const { aws, scenario } = await awsWorld('incident-001-kms');
    double = aws;
    const before = parseKeyPolicy(aws.world.kms.keys.find((k) => k.arn === K2)!.policy);
    const clients = clientsFor(scenario.region);
    try {
      const p = KmsKeyPolicyGrantParams.parse({ keyArn: K2, principal: CR_ROLE, actions: 'kms:Decrypt', viaService: `ssm.${REGION}.amazonaws.com`, region: REGION });
      const out = await kmsKeyPolicyGrant.execute(clients, p);
      expect(out.done).toMatch(/added statement whybot-grant-AppStack-/);
      const after = parseKeyPolicy(aws.world.kms.keys.find((k) => k.arn === K2)!.policy);
      expect(after.Statement.slice(0, before.Statement.length)).toEqual(before.Statement);
      expect(after.Statement).toHaveLength(before.Statement.length + 1);
      expect(after.Statement.at(-1)).toEqual({
        Sid: 'whybot-grant-AppStack-AWS679f53fac002430cb0da5b7982bd2287-Q1W2E3R4T5Y6',
        Effect: 'Allow',
        Principal: { AWS: CR_ROLE },
        Action: 'kms:Decrypt',
        Resource: K2,
        Condition: { StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` } },
      });
      const verified = await kmsKeyPolicyGrant.verify(clients, p, out.facts ?? {}, { timeoutMs: 2_000, intervalMs: 50 });
      expect(verified.ok).toBe(true);
      expect(verified.detail).toMatch(/account-root statement kept/);
      // a second run writes nothing
      const again = await kmsKeyPolicyGrant.execute(clients, p);
      expect(again.done).toMatch(/already/);
      expect(aws.calls.filter((c) => c.operation === 'PutKeyPolicy')).toHaveLength(1);
      // the playbook now sees the principal named
      const { decryptDenied: pb } = await import('../src/playbooks/decrypt-denied/index.js');
      const r = await pb.run(clients, { target: 'alias/app-secrets', region: REGION, hours: 24 }, { timeoutMs: 5_000 });
      expect(r.findings.find((f) => f.id === 'kms-key-policy-denies')?.detail).toMatch(/already has the minimal statement .*predate it/);
    } finally {
      clients.destroy();
    }
  });

  it('refuses when the result would drop the account-root statement', () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Other', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin` }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    const before = parseKeyPolicy(policy);
    const dropped = { ...before, Statement: before.Statement.slice(1) };
    expect(() => assertKeepsAccountRoot(before, dropped, ACCOUNT)).toThrow(KeyPolicyError);
    expect(() => assertKeepsAccountRoot(before, dropped, ACCOUNT)).toThrow(/would drop the account-root statement/);
    const changed = { ...before, Statement: [{ ...before.Statement[0]!, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }, before.Statement[1]!] };
    expect(() => assertKeepsAccountRoot(before, changed, ACCOUNT)).toThrow(/account-root/);
    // the grant itself never drops it
    const plan = planGrant(policy, { keyArn: K2, principal: CR_ROLE, actions: ['kms:Decrypt'] }, ACCOUNT);
    expect(plan.after.Statement.slice(0, 2)).toEqual(before.Statement);
    expect(plan.diff).toContain('(account root: kept)');
  });

  it('execute refuses an AWS managed key and writes nothing', async () => {
    const { aws, scenario } = await awsWorld('incident-001-kms');
    double = aws;
    const clients = clientsFor(scenario.region);
    try {
      const ssmKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a`;
      const p = KmsKeyPolicyGrantParams.parse({ keyArn: ssmKey, principal: CR_ROLE, actions: 'kms:Decrypt', region: REGION });
      await expect(kmsKeyPolicyGrant.execute(clients, p)).rejects.toThrow(/AWS managed/);
      expect(aws.calls.filter((c) => c.operation === 'PutKeyPolicy')).toHaveLength(0);
    } finally {
      clients.destroy();
    }
  });
});
