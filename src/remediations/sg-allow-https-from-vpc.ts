import { sgAllowsIngress } from '../aws/network-path.js';
import { describeSecurityGroups } from '../aws/vpc.js';
import { authorizeTcpIngress } from '../aws/vpc-write.js';
import type { AwsClients } from '../aws/clients.js';
import { defineAction } from './define.js';
import { sgAllowHttpsFromVpcMeta, sgRuleDescription, type SgAllowHttpsFromVpcParams } from './sg-allow-https-from-vpc.meta.js';
import { pollUntil } from './types.js';

const done = (p: SgAllowHttpsFromVpcParams) => `allowed HTTPS from ${p.cidr} into ${p.groupId}`;

/** Whether the group admits TCP 443 from the whole CIDR (by this rule or a wider one); undefined when the group is gone. */
async function admits(aws: AwsClients, p: SgAllowHttpsFromVpcParams): Promise<boolean | undefined> {
  const [sg] = await describeSecurityGroups(aws, [p.groupId]);
  return sg ? sgAllowsIngress(sg, 443, { cidr: p.cidr }).allowed : undefined;
}

export const sgAllowHttpsFromVpc = defineAction(sgAllowHttpsFromVpcMeta, {
  async execute(aws, p) {
    const out = await authorizeTcpIngress(aws, { groupId: p.groupId, cidr: p.cidr, port: 443, description: sgRuleDescription(p) });
    return {
      // EC2's InvalidPermission.Duplicate: the very rule is there, which is the state asked for
      done: out.alreadyThere ? `${done(p)} (the rule was already there)` : done(p),
      ...(out.requestId ? { awsRequestId: out.requestId } : {}),
      facts: { groupId: p.groupId, ...(out.ruleId ? { ruleId: out.ruleId } : {}), ...(out.alreadyThere ? { alreadyThere: 'true' } : {}) },
    };
  },
  async reconcile(aws, p) {
    // Adding a rule is idempotent: the group admits 443 from the CIDR, or the write did not happen.
    const ok = await admits(aws, p);
    return ok ? { happened: 'happened', done: done(p) } : { happened: 'not-happened' };
  },
  async verify(aws, p, _facts, opts) {
    return pollUntil(async () => {
      const ok = await admits(aws, p);
      if (ok === undefined) return { done: true, ok: false, detail: `${p.groupId} no longer exists` };
      return ok
        ? { done: true, ok: true, detail: `${p.groupId} admits TCP 443 from ${p.cidr}` }
        : { done: false, ok: false, detail: `${p.groupId} does not admit TCP 443 from ${p.cidr} yet` };
    }, opts);
  },
});
