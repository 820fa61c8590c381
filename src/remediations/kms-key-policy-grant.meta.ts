// Name a denied principal in a customer managed key's policy (incident 001 §1/§2): the
// minimal statement — this principal, these actions, this key, optionally only through one
// service (kms:ViaService). Dangerous: a key policy is the key's root of trust, so a second
// responder approves. The plan shows the statement as a diff of the policy; the live
// policy is read again at execute time and every other statement is written back unchanged.
import * as z from 'zod';
import { GRANTABLE_ACTIONS, minimalStatement } from '../key-policy.js';
import { defineActionMeta } from './define.js';
import { shellQuote } from './shell.js';

const grantable = new Set<string>(GRANTABLE_ACTIONS);

export const KmsKeyPolicyGrantParams = z.object({
  keyArn: z.string().regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/, 'a KMS key ARN'),
  /** the IAM role or user to name (an STS session ARN is turned into its role) */
  principal: z.string().regex(/^arn:aws[\w-]*:(iam::\d{12}:(role|user)\/[A-Za-z0-9/_+=,.@-]{1,512}|sts::\d{12}:assumed-role\/[A-Za-z0-9_+=,.@-]{1,64}\/[A-Za-z0-9_+=,.@-]{1,64})$/, 'an IAM role or user ARN'),
  /** comma-separated data-plane actions, e.g. "kms:Decrypt,kms:GenerateDataKey" */
  actions: z
    .string()
    .min(1)
    .max(300)
    .refine((v) => v.split(',').every((a) => grantable.has(a.trim())), { message: `actions must be among ${GRANTABLE_ACTIONS.join(', ')}` }),
  /** e.g. "s3.ap-northeast-1.amazonaws.com" */
  viaService: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com$/, 'a service endpoint such as s3.ap-northeast-1.amazonaws.com').optional(),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
});
export type KmsKeyPolicyGrantParams = z.infer<typeof KmsKeyPolicyGrantParams>;

export const grantActions = (p: Pick<KmsKeyPolicyGrantParams, 'actions'>): string[] => [...new Set(p.actions.split(',').map((a) => a.trim()))].sort();
export const grantRequest = (p: KmsKeyPolicyGrantParams) => ({
  keyArn: p.keyArn,
  principal: p.principal,
  actions: grantActions(p),
  ...(p.viaService ? { viaService: p.viaService } : {}),
});
const shortName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const keyId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** The statement as "+" lines of the policy's Statement array. */
export function statementDiff(p: KmsKeyPolicyGrantParams): string {
  const lines = JSON.stringify(minimalStatement(grantRequest(p)), null, 2).split('\n');
  return ['  "Statement": [', '     …every existing statement, unchanged (the account-root statement included)…', ...lines.map((l) => `+   ${l}`), '  ]'].join('\n');
}

export const kmsKeyPolicyGrantMeta = defineActionMeta({
  id: 'kms-key-policy-grant',
  params: KmsKeyPolicyGrantParams,
  dangerous: true,
  label: (p) => `Let ${shortName(p.principal)} use key ${keyId(p.keyArn)}`.slice(0, 75),
  doing: (p) => `adding ${shortName(p.principal)} to the policy of key ${keyId(p.keyArn)}`,
  plan: (p) => ({
    resource: `KMS key ${p.keyArn} (${p.region})`,
    apiCall:
      `kms:PutKeyPolicy { KeyId: "${p.keyArn}", PolicyName: "default", BypassPolicyLockoutSafetyCheck: false, ` +
      `Policy: <the current policy (GetKeyPolicy, read again just before) with one statement added> }\n${statementDiff(p)}`,
    effect:
      `${shortName(p.principal)} may call ${grantActions(p).join(', ')} with this key${p.viaService ? `, only through ${p.viaService}` : ''}. ` +
      'Nothing else changes: every other statement is written back as it is. whybot refuses if the result would lose the account-root statement, and KMS refuses a policy that would lock out its administrators.',
    verification: `GetKeyPolicy shows the statement and the account-root statement; IAM SimulatePrincipalPolicy is asked as well when whybot may.`,
    undo: `Remove the statement with Sid "${String(minimalStatement(grantRequest(p)).Sid)}" from the key policy (aws kms put-key-policy with the previous policy).`,
  }),
  iamActions: { write: ['kms:PutKeyPolicy'], read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'iam:SimulatePrincipalPolicy'] },
  cli: (p) => {
    const base = `--region ${shellQuote(p.region)} --key-id ${shellQuote(p.keyArn)} --policy-name default`;
    return [
      `aws kms get-key-policy ${base} --query Policy --output text > key-policy.json`,
      // Append the one statement; every other statement (the account-root one included) stays as it is.
      `jq --argjson s ${shellQuote(JSON.stringify(minimalStatement(grantRequest(p))))} '.Statement += [$s]' key-policy.json > key-policy.new.json`,
      `diff <(jq . key-policy.json) <(jq . key-policy.new.json)`,
      `aws kms put-key-policy ${base} --policy file://key-policy.new.json`,
    ];
  },
});
