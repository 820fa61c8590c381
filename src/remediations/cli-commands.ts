// The "Show CLI commands" remediation: the exact `aws` commands a person would run to fix a
// finding by hand. Params come from a finding (or a button value) and are validated here.
import type { RemediationRef } from '../findings.js';
import { EcsRedeployParams } from './ecs-redeploy.spec.js';
import { RotationScheduleParams } from './rotation-schedule.spec.js';

const schemas = { 'ecs-redeploy': EcsRedeployParams, 'rotation-schedule': RotationScheduleParams } as const;

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
