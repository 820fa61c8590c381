// The one EC2 network write whybot makes (the sg-allow-https-from-vpc action): a security
// group rule letting HTTPS in from a CIDR. Apart from ./vpc.ts, whose VPC_IAM is the
// playbooks' read-only grant.
import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

const ec2Client = (aws: AwsClients) => withAbort(aws.client('ec2', (config) => new EC2Client(config)));

export const VPC_WRITE_IAM = {
  authorizeSecurityGroupIngress: iam('ec2:AuthorizeSecurityGroupIngress'),
} as const;

export interface IngressAdded {
  /** the rule was there already: EC2 answered InvalidPermission.Duplicate, nothing changed */
  alreadyThere: boolean;
  /** sgr-…, when EC2 created one */
  ruleId?: string;
  requestId?: string;
}

/**
 * Adds one ingress rule: TCP `port` from `cidr` into `groupId`, with a description. An
 * identical rule already in the group is not an error here (EC2's InvalidPermission.Duplicate):
 * the state asked for is the state there is. Other failures throw AwsCallError naming
 * `ec2:AuthorizeSecurityGroupIngress`.
 */
export async function authorizeTcpIngress(aws: AwsClients, rule: { groupId: string; cidr: string; port: number; description: string }): Promise<IngressAdded> {
  try {
    return await awsCall(VPC_WRITE_IAM.authorizeSecurityGroupIngress, async () => {
      const out = await ec2Client(aws).send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: rule.groupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: rule.port, ToPort: rule.port, IpRanges: [{ CidrIp: rule.cidr, Description: rule.description }] }],
        }),
      );
      const ruleId = out.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
      return { alreadyThere: false, ...(ruleId ? { ruleId } : {}), ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}) };
    });
  } catch (err) {
    if (err instanceof AwsCallError && err.awsCode === 'InvalidPermission.Duplicate') return { alreadyThere: true, ...(err.requestId ? { requestId: err.requestId } : {}) };
    throw err;
  }
}
