// Release an unassociated Elastic IP left behind by a failed deploy (incident 001 §4). The
// metadata (what the confirmation shows) is apart from the EC2 calls so the Slack function,
// which only opens the confirmation, does not carry the EC2 client.
import * as z from 'zod';
import { defineActionMeta } from './define.js';
import { shellQuote } from './shell.js';

export const Ec2ReleaseEipParams = z.object({
  allocationId: z.string().regex(/^eipalloc-[0-9a-f]{8,17}$/),
  /** for people: the address itself */
  publicIp: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/).optional(),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
});
export type Ec2ReleaseEipParams = z.infer<typeof Ec2ReleaseEipParams>;

const what = (p: Ec2ReleaseEipParams) => (p.publicIp ? `${p.publicIp} (${p.allocationId})` : p.allocationId);

export const ec2ReleaseEipMeta = defineActionMeta({
  id: 'ec2-release-eip',
  params: Ec2ReleaseEipParams,
  dangerous: false,
  label: (p) => `Release ${p.publicIp ?? p.allocationId}`,
  doing: (p) => `releasing ${p.publicIp ?? p.allocationId}`,
  plan: (p) => ({
    resource: `Elastic IP ${what(p)} (${p.region})`,
    apiCall: `ec2:ReleaseAddress { AllocationId: "${p.allocationId}" }`,
    effect:
      'The address goes back to AWS: it stops counting against the Elastic IP quota and stops costing money. ' +
      'whybot first checks that it is still unassociated and refuses otherwise.',
    verification: 'DescribeAddresses no longer lists the allocation.',
    undo: `Not reliably undoable: \`aws ec2 allocate-address --domain vpc --address ${p.publicIp ?? '<ip>'}\` gets the same address back only if nobody else has taken it.`,
  }),
  iamActions: { write: ['ec2:ReleaseAddress'], read: ['ec2:DescribeAddresses'] },
  cli: (p) => {
    const base = `--region ${shellQuote(p.region)}`;
    const id = shellQuote(p.allocationId);
    return [
      // Release only if still unassociated (AssociationId empty), as whybot does.
      `aws ec2 describe-addresses ${base} --allocation-ids ${id} --query 'Addresses[0].AssociationId'`,
      `aws ec2 release-address ${base} --allocation-id ${id}`,
      `aws ec2 describe-addresses ${base} --filters Name=allocation-id,Values=${id} --query 'length(Addresses)'`,
    ];
  },
});
