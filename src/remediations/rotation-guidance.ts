// Guidance-only remediations of /why-rotation-failed (incident 002): no button, because
// whybot never deploys a rotation function nor edits a network ACL. Exact commands for a
// person ("Show CLI commands", the terminal's "Fix by hand").
import * as z from 'zod';
import { defineGuidance } from './define.js';
import { shellQuote as q } from './shell.js';

const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/);
const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const cidr = z.string().regex(new RegExp(`^${octet}(\\.${octet}){3}/(3[0-2]|[12]?\\d)$`));

export const RotationFunctionRecreateParams = z.object({
  secretId: z.string().regex(/^[A-Za-z0-9/_+=.@!:-]{1,2048}$/),
  /** the rotation function now: name or ARN */
  functionName: z.string().regex(/^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?[a-zA-Z0-9-_]{1,64}$/),
  region,
  reason: z.enum(['scram', 'tls']),
});

export const NaclAllowHttpsParams = z.object({
  naclId: z.string().regex(/^acl-[0-9a-f]{8,17}$/),
  cidr,
  region,
  /** the function's subnet sends 443 and takes the answers in; the endpoint's takes 443 in and answers out */
  direction: z.enum(['egress-443', 'ingress-ephemeral', 'ingress-443', 'egress-ephemeral']),
});

/** The Serverless Application Repository's rotation template for single-user PostgreSQL. */
export const POSTGRES_SINGLE_USER_APP = 'arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser';

const WHY = {
  scram:
    'rotation functions set up before 2021-12-30 bundle libpq older than 10, which cannot log in to a PostgreSQL that stores passwords as scram-sha-256',
  tls: 'rotation functions set up before 2021-12-20 come from a template without TLS support, so they cannot log in to a database that requires TLS',
} as const;

/**
 * A new rotation function from the current template, next to the old one, then the secret
 * pointed at it. The template's parameters: the Secrets Manager endpoint, the new function's
 * name, and the old function's subnets and security groups (read from it, so the new one
 * sits where the old one did). The SAR stack is named serverlessrepo-<stack name>.
 */
export const rotationFunctionRecreate = defineGuidance({
  id: 'rotation-function-recreate',
  params: RotationFunctionRecreateParams,
  cli: (p) => {
    const r = `--region ${q(p.region)}`;
    const old = p.functionName.replace(/^.*:function:/, '');
    const fresh = `${old.slice(0, 56)}-current`;
    const stack = `${fresh}-stack`;
    return [
      `# incident 002: ${WHY[p.reason]}; re-create it from the current template (PostgreSQL single user; for another engine or alternating users pick the matching SecretsManagerRDS… application)`,
      `# 1. where the old function runs (its subnets and security groups)`,
      `subnets="$(aws lambda get-function-configuration ${r} --function-name ${q(p.functionName)} --query "join(',', VpcConfig.SubnetIds)" --output text)"`,
      `groups="$(aws lambda get-function-configuration ${r} --function-name ${q(p.functionName)} --query "join(',', VpcConfig.SecurityGroupIds)" --output text)"`,
      `# 2. a change set from the current template, then run it (CloudFormation names the stack serverlessrepo-${stack})`,
      `cs="$(aws serverlessrepo create-cloud-formation-change-set ${r} --application-id ${POSTGRES_SINGLE_USER_APP} --stack-name ${q(stack)} ` +
        `--capabilities CAPABILITY_IAM CAPABILITY_RESOURCE_POLICY --parameter-overrides ` +
        `"[{\\"Name\\":\\"endpoint\\",\\"Value\\":\\"https://secretsmanager.${p.region}.amazonaws.com\\"},{\\"Name\\":\\"functionName\\",\\"Value\\":\\"${fresh}\\"},` +
        `{\\"Name\\":\\"vpcSubnetIds\\",\\"Value\\":\\"$subnets\\"},{\\"Name\\":\\"vpcSecurityGroupIds\\",\\"Value\\":\\"$groups\\"}]" --query ChangeSetId --output text)"`,
      `aws cloudformation wait change-set-create-complete ${r} --change-set-name "$cs"`,
      `aws cloudformation execute-change-set ${r} --change-set-name "$cs"`,
      `aws cloudformation wait stack-create-complete ${r} --stack-name ${q(`serverlessrepo-${stack}`)}`,
      `# 3. point the secret at the new function and rotate with it (the old function can be deleted once this succeeds)`,
      `new_fn="$(aws lambda get-function-configuration ${r} --function-name ${q(fresh)} --query FunctionArn --output text)"`,
      `aws secretsmanager rotate-secret ${r} --secret-id ${q(p.secretId)} --rotation-lambda-arn "$new_fn"`,
      `aws secretsmanager describe-secret ${r} --secret-id ${q(p.secretId)} --query '{Function: RotationLambdaARN, LastRotated: LastRotatedDate}'`,
    ];
  },
});

/**
 * One network ACL entry on the path between the rotation function and Secrets Manager:
 * HTTPS (TCP 443) out of the function's subnet or into the endpoint's, or the answers
 * (TCP 1024–65535) back. The rule number is the person's to choose (below).
 */
export const naclAllowHttps = defineGuidance({
  id: 'nacl-allow-https',
  params: NaclAllowHttpsParams,
  cli: (p) => {
    const r = `--region ${q(p.region)}`;
    const egress = p.direction.startsWith('egress');
    const https = p.direction.endsWith('443');
    const ports = https ? 'From=443,To=443' : 'From=1024,To=65535';
    const why: Record<typeof p.direction, string> = {
      'egress-443': `let the rotation function's subnet send HTTPS (TCP 443) to ${p.cidr}`,
      'ingress-ephemeral': `let the answers to the function's HTTPS requests back in (TCP 1024-65535 from ${p.cidr}): ACLs are stateless`,
      'ingress-443': `let the Secrets Manager endpoint's subnet take HTTPS (TCP 443) in from ${p.cidr}`,
      'egress-ephemeral': `let the endpoint's answers out to ${p.cidr} (TCP 1024-65535): ACLs are stateless`,
    };
    return [
      `# incident 002: ${why[p.direction]}`,
      `# the ACL's ${egress ? 'outbound' : 'inbound'} entries: rules apply lowest number first, so the new one needs a number not in use and lower than any deny that matches this traffic`,
      `aws ec2 describe-network-acls ${r} --network-acl-ids ${q(p.naclId)} --query 'NetworkAcls[0].Entries[?Egress==\`${egress}\`].[RuleNumber,RuleAction,Protocol,CidrBlock,PortRange.From,PortRange.To]' --output table`,
      `rule=90  # replace with the number chosen from the table above (1-32766)`,
      `aws ec2 create-network-acl-entry ${r} --network-acl-id ${q(p.naclId)} ${egress ? '--egress' : '--ingress'} --rule-number "$rule" --protocol tcp --port-range ${ports} --cidr-block ${q(p.cidr)} --rule-action allow`,
    ];
  },
});
