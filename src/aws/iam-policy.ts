// IAM: whether a principal's identity-based policies allow some actions on a resource
// (SimulatePrincipalPolicy). Named iam-policy.ts because iam.ts declares IAM actions.
import { paginateSimulatePrincipalPolicy, IAMClient } from '@aws-sdk/client-iam';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

const iamClient = (aws: AwsClients) => withAbort(aws.client('iam', (config) => new IAMClient(config)));

export const IAM_IAM = {
  simulatePrincipalPolicy: iam('iam:SimulatePrincipalPolicy'),
} as const;

export interface SimulationResult {
  action: string;
  resource: string;
  /** allowed | implicitDeny | explicitDeny */
  decision: string;
  /** condition keys the simulation could not evaluate (its answer may be wrong without them) */
  missingContext: string[];
}

/**
 * Simulates the identity-based policies of a user, group or role (`principalArn` must be an
 * IAM ARN, not an STS session) for `actions` on `resources` (default "*").
 */
export async function simulatePrincipal(
  aws: AwsClients,
  principalArn: string,
  actions: string[],
  resources: string[] = [],
): Promise<SimulationResult[]> {
  return awsCall(IAM_IAM.simulatePrincipalPolicy, async () => {
    const out: SimulationResult[] = [];
    const pages = paginateSimulatePrincipalPolicy(
      { client: iamClient(aws), pageSize: 100 },
      { PolicySourceArn: principalArn, ActionNames: actions, ...(resources.length ? { ResourceArns: resources } : {}) },
    );
    for await (const page of pages)
      for (const r of page.EvaluationResults ?? [])
        out.push({
          action: r.EvalActionName ?? '?',
          resource: r.EvalResourceName ?? '*',
          decision: r.EvalDecision ?? 'unknown',
          missingContext: r.MissingContextValues ?? [],
        });
    return out;
  });
}
