// KMS: what a key is (customer or AWS managed, state), its aliases, its key policy, and the
// one write whybot makes (PutKeyPolicy, from the kms-key-policy-grant remediation).
import { DescribeKeyCommand, GetKeyPolicyCommand, paginateListAliases, PutKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

const kmsClient = (aws: AwsClients) => withAbort(aws.client('kms', (config) => new KMSClient(config)));

export const KMS_IAM = {
  describeKey: iam('kms:DescribeKey'),
  getKeyPolicy: iam('kms:GetKeyPolicy'),
  putKeyPolicy: iam('kms:PutKeyPolicy'),
  listAliases: iam('kms:ListAliases'),
} as const;

export interface KeyInfo {
  id: string;
  arn: string;
  /** CUSTOMER (its policy is yours to edit) or AWS (AWS managed, policy fixed) */
  manager: 'CUSTOMER' | 'AWS' | string;
  /** Enabled, Disabled, PendingDeletion… */
  state: string;
  description?: string;
  accountId?: string;
}

export interface KeyAlias {
  name: string;
  arn?: string;
  /** the key id it points to (absent for AWS managed aliases not yet used) */
  targetKeyId?: string;
}

/** The key (by id, key ARN, alias name or alias ARN), or undefined when KMS says NotFound. */
export async function describeKey(aws: AwsClients, keyId: string, signal?: AbortSignal): Promise<KeyInfo | undefined> {
  try {
    return await awsCall(KMS_IAM.describeKey, async () => {
      const out = await kmsClient(aws).send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal: signal });
      const k = out.KeyMetadata;
      if (!k?.KeyId) return undefined;
      return {
        id: k.KeyId,
        arn: k.Arn ?? keyId,
        manager: k.KeyManager ?? 'UNKNOWN',
        state: k.KeyState ?? 'Unknown',
        ...(k.Description ? { description: k.Description } : {}),
        ...(k.AWSAccountId ? { accountId: k.AWSAccountId } : {}),
      };
    });
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === 'not-found') return undefined;
    throw err;
  }
}

/** The key policy named "default" (the only one), as JSON text. */
export async function getKeyPolicy(aws: AwsClients, keyId: string, signal?: AbortSignal): Promise<string> {
  return awsCall(KMS_IAM.getKeyPolicy, async () => {
    const out = await kmsClient(aws).send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }), { abortSignal: signal });
    return out.Policy ?? '';
  });
}

/** Replaces the whole key policy (never bypassing KMS's lockout safety check). */
export async function putKeyPolicy(aws: AwsClients, keyId: string, policy: string): Promise<{ requestId?: string }> {
  return awsCall(KMS_IAM.putKeyPolicy, async () => {
    const out = await kmsClient(aws).send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policy, BypassPolicyLockoutSafetyCheck: false }));
    return { requestId: out.$metadata.requestId };
  });
}

/** Every alias in the Region (AWS managed ones included), or a key's. */
export async function listAliases(aws: AwsClients, keyId?: string): Promise<KeyAlias[]> {
  return awsCall(KMS_IAM.listAliases, async () => {
    const all: KeyAlias[] = [];
    for await (const page of paginateListAliases({ client: kmsClient(aws), pageSize: 100 }, keyId ? { KeyId: keyId } : {}))
      for (const a of page.Aliases ?? [])
        if (a.AliasName)
          all.push({ name: a.AliasName, ...(a.AliasArn ? { arn: a.AliasArn } : {}), ...(a.TargetKeyId ? { targetKeyId: a.TargetKeyId } : {}) });
    return all;
  });
}
