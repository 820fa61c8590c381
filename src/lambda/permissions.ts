// The IAM actions each Lambda function's code calls, derived from the adapters' declarations
// (src/aws/*, src/store/iam.ts) and each remediation's own `iamActions` (src/remediations/
// <id>.meta.ts). The deploy template's policies are tested against this.
import { ACM_IAM } from '../aws/acm.js';
import { CLOUDFORMATION_IAM } from '../aws/cloudformation.js';
import { CLOUDTRAIL_IAM } from '../aws/cloudtrail.js';
import { EC2_IAM } from '../aws/ec2.js';
import { ELASTICACHE_IAM } from '../aws/elasticache.js';
import { IAM_IAM } from '../aws/iam-policy.js';
import { KMS_IAM } from '../aws/kms.js';
import { ROUTE53_DOMAINS_IAM, ROUTE53_IAM } from '../aws/route53.js';
import { SSM_PARAMETERS_IAM } from '../aws/ssm-parameters.js';
import { ECS_IAM } from '../aws/ecs.js';
import { LAMBDA_IAM } from '../aws/lambda.js';
import { LOGS_IAM } from '../aws/logs.js';
import { RDS_IAM } from '../aws/rds.js';
import { SECRETS_IAM } from '../aws/secrets.js';
import { SSM_IAM } from '../aws/ssm.js';
import { executorLoaders } from '../remediations/executors.js';
import { actionIds, iamActionsOf, WRITE_ACTIONS } from '../remediations/metas.js';
import { executorLoaders as policyExecutorLoaders } from '../remediations/policy-executors.js';
import { STORE_IAM } from '../store/iam.js';

const values = (o: Record<string, string>) => Object.values(o);

/** AWS writes the remediations perform (each action's iamActions.write); a read-only deployment grants none of them. */
export { WRITE_ACTIONS };

const playbookReads = [
  // db-down
  ...values(RDS_IAM),
  ...values(CLOUDTRAIL_IAM),
  ...values(ECS_IAM),
  SECRETS_IAM.describeSecret,
  // decrypt-denied
  ...values(KMS_IAM),
  ...values(IAM_IAM),
  ...values(SSM_PARAMETERS_IAM),
  ...values(CLOUDFORMATION_IAM),
  // cert-pending
  ...values(ROUTE53_IAM),
  ...values(ROUTE53_DOMAINS_IAM),
  ...values(ACM_IAM),
  // deploy-failed
  ...values(EC2_IAM),
  ...values(ELASTICACHE_IAM),
].filter((a) => !WRITE_ACTIONS.includes(a));
// What each bundle's registry can run (its loader table), and what those actions declare they call.
const remediationActions = iamActionsOf(actionIds.filter((id) => executorLoaders[id]));
/** what the alerts bundle can run (its registry is src/remediations/policy-executors.ts) */
const policyActions = iamActionsOf(actionIds.filter((id) => policyExecutorLoaders[id]));

export const FUNCTION_PERMISSIONS: Record<'slack' | 'worker' | 'alerts', readonly string[]> = {
  /** acks, opens modals, claims nothing: store reads/writes for refusals and message state, hands off to worker */
  slack: [...values(STORE_IAM), ...values(LAMBDA_IAM), ...values(SSM_IAM)].sort(),
  /** runs playbooks and remediations */
  worker: [...new Set([...playbookReads, ...remediationActions, ...values(STORE_IAM), ...values(SSM_IAM)])].sort(),
  /** records rotation events, finds the secret's consumers, may redeploy them (WHYBOT_AUTO_REDEPLOY) */
  alerts: [
    ...new Set([
      ...values(STORE_IAM),
      ...values(SSM_IAM),
      SECRETS_IAM.describeSecret,
      SECRETS_IAM.listSecrets, // the daily digest of rotations due within 24 h
      LOGS_IAM.filterLogEvents, // a failed rotation's last log lines
      ...[ECS_IAM.listClusters, ECS_IAM.listServices, ECS_IAM.describeServices, ECS_IAM.describeTaskDefinition, ECS_IAM.listTasks, ECS_IAM.describeTasks],
      ...policyActions,
    ]),
  ].sort(),
};
