// The "Show CLI commands" remediation: the exact `aws` commands a person would run to fix a
// finding by hand. Params come from a finding (or a button value) and are validated here.
import type { RemediationRef } from '../findings.js';
import { Ec2ReleaseEipParams } from './ec2-release-eip.meta.js';
import { EcsRedeployParams } from './ecs-redeploy.meta.js';
import { cdkRebootstrapCommands, ssmRecreateParameterCommands } from './kms-guidance.js';
import { grantActions, KmsKeyPolicyGrantParams } from './kms-key-policy-grant.meta.js';
import { minimalStatement } from '../key-policy.js';
import { RotationScheduleParams } from './rotation-schedule.meta.js';
import { Route53ValidationRecordParams, validationChangeBatch } from './route53-validation-record.meta.js';

const schemas = {
  'ecs-redeploy': EcsRedeployParams,
  'rotation-schedule': RotationScheduleParams,
  'route53-validation-record': Route53ValidationRecordParams,
  'ec2-release-eip': Ec2ReleaseEipParams,
} as const;

/** Single-quotes a value for POSIX shells. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_/.:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function cliCommands(ref: Pick<RemediationRef, 'id' | 'params'>): string[] {
  switch (ref.id) {
    case 'ecs-redeploy': {
      const p = schemas['ecs-redeploy'].parse(ref.params);
      const base = `--region ${shellQuote(p.region)} --cluster ${shellQuote(p.cluster)}`;
      return [
        `aws ecs update-service ${base} --service ${shellQuote(p.service)} --force-new-deployment`,
        `aws ecs wait services-stable ${base} --services ${shellQuote(p.service)}`,
      ];
    }
    case 'rotation-schedule': {
      const p = schemas['rotation-schedule'].parse(ref.params);
      return [
        `aws secretsmanager rotate-secret --region ${shellQuote(p.region)} --secret-id ${shellQuote(p.secretId)} ` +
          `--rotation-rules '{"AutomaticallyAfterDays":${p.days}}' --no-rotate-immediately`,
        `aws secretsmanager describe-secret --region ${shellQuote(p.region)} --secret-id ${shellQuote(p.secretId)} --query '{Rules:RotationRules,Next:NextRotationDate}'`,
      ];
    }
    case 'route53-validation-record': {
      const p = schemas['route53-validation-record'].parse(ref.params);
      const zone = shellQuote(p.zoneId);
      const name = p.recordName.endsWith('.') ? p.recordName : `${p.recordName}.`;
      return [
        `aws route53 change-resource-record-sets --hosted-zone-id ${zone} --change-batch ${shellQuote(JSON.stringify(validationChangeBatch(p)))}`,
        `aws route53 list-resource-record-sets --hosted-zone-id ${zone} --start-record-name ${shellQuote(name)} --start-record-type CNAME --max-items 1`,
        ...(p.certificateArn
          ? [`aws acm describe-certificate --region ${shellQuote(p.region)} --certificate-arn ${shellQuote(p.certificateArn)} --query Certificate.Status`]
          : []),
      ];
    }
    case 'ec2-release-eip': {
      const p = schemas['ec2-release-eip'].parse(ref.params);
      const base = `--region ${shellQuote(p.region)}`;
      const id = shellQuote(p.allocationId);
      return [
        // Release only if still unassociated (AssociationId empty), as whybot does.
        `aws ec2 describe-addresses ${base} --allocation-ids ${id} --query 'Addresses[0].AssociationId'`,
        `aws ec2 release-address ${base} --allocation-id ${id}`,
        `aws ec2 describe-addresses ${base} --filters Name=allocation-id,Values=${id} --query 'length(Addresses)'`,
      ];
    }
    case 'kms-key-policy-grant': {
      const p = KmsKeyPolicyGrantParams.parse(ref.params);
      const base = `--region ${shellQuote(p.region)} --key-id ${shellQuote(p.keyArn)} --policy-name default`;
      const statement = minimalStatement({ keyArn: p.keyArn, principal: p.principal, actions: grantActions(p), ...(p.viaService ? { viaService: p.viaService } : {}) });
      return [
        `aws kms get-key-policy ${base} --query Policy --output text > key-policy.json`,
        // Append the one statement; every other statement (the account-root one included) stays as it is.
        `jq --argjson s ${shellQuote(JSON.stringify(statement))} '.Statement += [$s]' key-policy.json > key-policy.new.json`,
        `diff <(jq . key-policy.json) <(jq . key-policy.new.json)`,
        `aws kms put-key-policy ${base} --policy file://key-policy.new.json`,
      ];
    }
    case 'cdk-rebootstrap':
      return cdkRebootstrapCommands(ref.params);
    case 'ssm-recreate-parameter':
      return ssmRecreateParameterCommands(ref.params);
    default:
      return [];
  }
}

/** Every command for a finding's remediations, in order, with a comment per action. */
export function cliScript(refs: Array<Pick<RemediationRef, 'id' | 'label' | 'params'>>): string {
  return refs
    .map((r) => ({ r, cmds: cliCommands(r) }))
    .filter((x) => x.cmds.length > 0)
    .map((x) => [`# ${x.r.label}`, ...x.cmds].join('\n'))
    .join('\n\n');
}
