// Let HTTPS in from a CIDR (a VPC's) on a security group: the Secrets Manager endpoint's
// group that does not admit the rotation function (incident 002), or, later, a CodeBuild
// project's endpoint in a VPC. Worded generically: "HTTPS from <cidr> into <group>".
import * as z from 'zod';
import { defineActionMeta } from './define.js';
import { shellQuote as q } from './shell.js';

const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

export const SgAllowHttpsFromVpcParams = z.object({
  groupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/),
  /** IPv4 CIDR, e.g. the VPC's 10.0.0.0/16 */
  cidr: z.string().regex(new RegExp(`^${octet}(\\.${octet}){3}/(3[0-2]|[12]?\\d)$`)),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
  /** for people: the VPC the CIDR is */
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/).optional(),
  /** for people: what the group guards, e.g. "the secretsmanager endpoint vpce-…" */
  description: z.string().min(1).max(200).optional(),
});
export type SgAllowHttpsFromVpcParams = z.infer<typeof SgAllowHttpsFromVpcParams>;

/**
 * The rule's own description, as EC2 stores it (shown in the console next to the rule):
 * "whybot: HTTPS from the VPC for <what the group guards>", e.g. "… for Secrets Manager
 * endpoint vpce-…". EC2 allows only a-zA-Z0-9, spaces and ._-:/()#,@[]+=&;{}!$* (255 at
 * most), so anything else in the params' description is dropped here.
 */
export function sgRuleDescription(p: Pick<SgAllowHttpsFromVpcParams, 'description'>): string {
  const what = (p.description ?? '').replace(/[^a-zA-Z0-9 ._:/()#,@[\]+=&;{}!$*-]/g, '').replace(/\s+/g, ' ').trim();
  return `whybot: HTTPS from the VPC${what ? ` for ${what}` : ''}`.slice(0, 255);
}

const from = (p: SgAllowHttpsFromVpcParams) => (p.vpcId ? `${p.cidr} (${p.vpcId})` : p.cidr);
const group = (p: SgAllowHttpsFromVpcParams) => (p.description ? `${p.groupId}, ${p.description}` : p.groupId);

export const sgAllowHttpsFromVpcMeta = defineActionMeta({
  id: 'sg-allow-https-from-vpc',
  params: SgAllowHttpsFromVpcParams,
  dangerous: false,
  label: (p) => `Allow HTTPS from ${p.cidr} into ${p.groupId}`,
  doing: (p) => `allowing HTTPS from ${p.cidr} into ${p.groupId}`,
  plan: (p) => ({
    resource: `Security group ${group(p)} (${p.region})`,
    apiCall:
      `ec2:AuthorizeSecurityGroupIngress { GroupId: "${p.groupId}", IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, ` +
      `IpRanges: [{ CidrIp: "${p.cidr}", Description: "${sgRuleDescription(p)}" }] }] }`,
    effect:
      `Adds one inbound rule: TCP 443 from ${from(p)}. Whatever sits behind the group (a VPC endpoint, a load balancer) ` +
      'accepts HTTPS from those addresses; nothing else changes and no rule is removed. If the same rule is there already, nothing happens.',
    verification: `DescribeSecurityGroups shows ${p.groupId} admitting TCP 443 from ${p.cidr}.`,
    undo: `aws ec2 revoke-security-group-ingress --region ${q(p.region)} --group-id ${q(p.groupId)} --protocol tcp --port 443 --cidr ${q(p.cidr)}`,
  }),
  iamActions: { write: ['ec2:AuthorizeSecurityGroupIngress'], read: ['ec2:DescribeSecurityGroups'] },
  cli: (p) => {
    const base = `--region ${q(p.region)}`;
    const perms = `IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=${p.cidr},Description="${sgRuleDescription(p)}"}]`;
    return [
      `aws ec2 authorize-security-group-ingress ${base} --group-id ${q(p.groupId)} --ip-permissions ${q(perms)}`,
      `aws ec2 describe-security-groups ${base} --group-ids ${q(p.groupId)} --query 'SecurityGroups[0].IpPermissions[?ToPort==\`443\`]'`,
    ];
  },
});
