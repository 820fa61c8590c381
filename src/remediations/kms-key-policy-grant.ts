import { AwsCallError } from '../aws/errors.js';
import { simulatePrincipal } from '../aws/iam-policy.js';
import { describeKey, getKeyPolicy, putKeyPolicy } from '../aws/kms.js';
import { assertKeepsAccountRoot, hasAccountRoot, parseKeyPolicy, planGrant, roleArnOf, sameGrant, type Statement } from '../key-policy.js';
import { defineAction } from './define.js';
import { grantActions, grantRequest, kmsKeyPolicyGrantMeta, type KmsKeyPolicyGrantParams } from './kms-key-policy-grant.meta.js';
import { pollUntil, type ExecuteResult } from './types.js';

const accountOf = (keyArn: string) => keyArn.split(':')[4] ?? '';

export const kmsKeyPolicyGrant = defineAction(kmsKeyPolicyGrantMeta, {
  async execute(aws, p): Promise<ExecuteResult> {
    const key = await describeKey(aws, p.keyArn);
    if (!key) throw new Error(`KMS key ${p.keyArn} does not exist (any more).`);
    if (key.manager !== 'CUSTOMER') throw new Error(`KMS key ${p.keyArn} is ${key.manager} managed: its key policy cannot be changed.`);
    const current = await getKeyPolicy(aws, p.keyArn);
    const accountId = accountOf(p.keyArn);
    const plan = planGrant(current, grantRequest(p), accountId); // throws KeyPolicyError if root would be dropped
    if (plan.unchanged) return { done: `the policy of key ${key.id} already lets ${roleArnOf(p.principal)} do this: nothing written`, facts: { sid: String(plan.statement.Sid), rootMissing: String(plan.rootMissing) } };
    // Belt and braces: the exact text about to be sent keeps the root statement.
    assertKeepsAccountRoot(plan.before, parseKeyPolicy(plan.text), accountId);
    const out = await putKeyPolicy(aws, p.keyArn, plan.text);
    return {
      done: `added statement ${String(plan.statement.Sid)} to the policy of key ${key.id}${plan.rootMissing ? ' (the policy has no account-root statement; none was added)' : ''}`,
      ...(out.requestId ? { awsRequestId: out.requestId } : {}),
      facts: { sid: String(plan.statement.Sid), rootMissing: String(plan.rootMissing) },
    };
  },
  async verify(aws, p, facts, opts) {
    const wanted = plan(p);
    return pollUntil(async () => {
      const doc = parseKeyPolicy(await getKeyPolicy(aws, p.keyArn));
      const present = doc.Statement.some((s) => sameGrant(s, wanted));
      const root = hasAccountRoot(doc, accountOf(p.keyArn));
      if (!present) return { done: false, ok: false, detail: 'the key policy does not show the statement yet' };
      if (!root && facts.rootMissing !== 'true') return { done: true, ok: false, detail: 'the statement is there but the account-root statement is gone' };
      let sim = '';
      try {
        const results = await simulatePrincipal(aws, roleArnOf(p.principal), grantActions(p), [p.keyArn]);
        sim = `; IAM simulation of the identity policies: ${results.map((r) => `${r.action} ${r.decision}`).join(', ')} (the key policy alone is enough for a principal of the key's account)`;
      } catch (err) {
        sim = err instanceof AwsCallError ? `; IAM simulation skipped (${err.message})` : '';
      }
      return { done: true, ok: true, detail: `key policy now names ${roleArnOf(p.principal)} for ${grantActions(p).join(', ')}${root ? ', account-root statement kept' : ''}${sim}` };
    }, opts);
  },
});

function plan(p: KmsKeyPolicyGrantParams): Statement {
  // the statement as execute wrote it (Sid aside: sameGrant ignores it)
  return planGrant(JSON.stringify({ Statement: [] }), grantRequest(p), accountOf(p.keyArn)).statement;
}
