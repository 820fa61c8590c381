// The IAM actions each Lambda function's code calls, derived from each playbook check's `iam`
// (src/playbooks/<name>/evidence.ts), each remediation's own `iamActions` (src/remediations/
// <id>.meta.ts) and the adapters' declarations (src/aws/*, src/store/iam.ts).
// The deploy template's policies are tested against this.
import { ECS_IAM } from '../aws/ecs.js';
import { LAMBDA_IAM } from '../aws/lambda.js';
import { SECRETS_IAM } from '../aws/secrets.js';
import { SQS_IAM } from '../aws/sqs.js';
import { SSM_IAM } from '../aws/ssm.js';
import { PLAYBOOK_CATALOG } from '../playbooks/catalog.js';
import { loadPlaybook } from '../playbooks/index.js';
import { executorLoaders } from '../remediations/executors.js';
import { actionIds, iamActionsOf, REMEDIATION_GRANTS, WRITE_ACTIONS } from '../remediations/metas.js';
import { executorLoaders as policyExecutorLoaders } from '../remediations/policy-executors.js';
import { STORE_IAM } from '../store/iam.js';
// The adapters only actions call (their executors load them on first use): imported here so
// that their iam() declarations have run wherever this list is checked.
import '../aws/lambda-function.js';
import '../aws/lambda-timeout.js';
import '../aws/vpc.js';
import '../aws/vpc-write.js';

const values = (o: Record<string, string>) => Object.values(o);

/** AWS writes the remediations perform (each action's iamActions.write); a read-only deployment grants none of them. */
export { WRITE_ACTIONS };
/** WRITE_ACTIONS plus what AWS checks on a write's behalf (rotate-now's lambda:InvokeFunction): the remediation policy, all of it. */
export { REMEDIATION_GRANTS };

// The reads each playbook's checks declare (CheckSpec.iam): a check added without its IAM
// actions, or with a new one, changes the worker's policy and fails the deploy test until
// serverless.yml grants exactly that.
const playbooks = await Promise.all(Object.keys(PLAYBOOK_CATALOG).map(async (name) => (await loadPlaybook(name))!));
const readsOf = (ps: readonly { checks: readonly { iam?: readonly string[] }[] }[]) =>
  [...new Set(ps.flatMap((p) => p.checks.flatMap((c) => c.iam ?? [])))].filter((a) => !REMEDIATION_GRANTS.includes(a));
const playbookReads = readsOf(playbooks);
/** A RotationFailed/RotationAbandoned alert runs rotation-failed itself (src/alerts/rotation-failed-alert.ts). */
const rotationFailedReads = readsOf([(await loadPlaybook('rotation-failed'))!]);
// What each bundle's registry can run (its loader table), and what those actions declare they call.
const remediationActions = iamActionsOf(actionIds.filter((id) => executorLoaders[id]));
/** what the alerts bundle can run (its registry is src/remediations/policy-executors.ts) */
const policyActions = iamActionsOf(actionIds.filter((id) => policyExecutorLoaders[id]));

/** Lambda writes an asynchronous invocation's on-failure destination (an SQS queue) as the function's own role. */
export const DESTINATION_IAM = { sendMessage: 'sqs:SendMessage' } as const;
/** An SQS event source mapping polls its queue as the function's role (the failures function; the worker's verify queue). */
export const QUEUE_SOURCE_IAM = { receiveMessage: 'sqs:ReceiveMessage', deleteMessage: 'sqs:DeleteMessage', getQueueAttributes: 'sqs:GetQueueAttributes' } as const;

/** A member account (WHYBOT_ACCOUNTS) is read, and written, through a role assumed there; the deployment grants it on exactly the listed roles (scripts/osls-accounts.cjs). */
export const MEMBER_ACCOUNT_IAM = { assumeRole: 'sts:AssumeRole' } as const;

export type LambdaFunctionName = 'slack' | 'worker' | 'alerts' | 'failures';

export const FUNCTION_PERMISSIONS: Record<LambdaFunctionName, readonly string[]> = {
  /** acks, opens modals, claims nothing: store reads/writes for refusals and message state, hands off to worker */
  slack: [...values(STORE_IAM), ...values(LAMBDA_IAM), ...values(SSM_IAM)].sort(),
  /** runs playbooks and remediations; schedules (SendMessage) and resumes (the mapping) long verifications on its verify queue */
  worker: [...new Set([...playbookReads, ...remediationActions, ...values(STORE_IAM), ...values(SSM_IAM), DESTINATION_IAM.sendMessage, ...values(SQS_IAM), ...values(QUEUE_SOURCE_IAM), MEMBER_ACCOUNT_IAM.assumeRole])].sort(),
  /** records rotation events, finds the secret's consumers, may redeploy them (WHYBOT_AUTO_REDEPLOY), investigates a failed rotation */
  alerts: [
    ...new Set([
      ...values(STORE_IAM),
      ...values(SSM_IAM),
      SECRETS_IAM.describeSecret,
      SECRETS_IAM.listSecrets, // the daily digest of rotations due within 24 h
      ...rotationFailedReads, // a failed rotation's alert runs rotation-failed
      ...[ECS_IAM.listClusters, ECS_IAM.listServices, ECS_IAM.describeServices, ECS_IAM.describeTaskDefinition, ECS_IAM.listTasks, ECS_IAM.describeTasks],
      ...policyActions,
      DESTINATION_IAM.sendMessage, // a failed invocation's event → AlertsDLQ
      MEMBER_ACCOUNT_IAM.assumeRole, // an event forwarded from a member account is looked into there
    ]),
  ].sort(),
  /** the worker's failure destination (src/lambda/failures.ts): reads the queue and the bot token, closes the job's journal entry */
  failures: [...new Set([...values(QUEUE_SOURCE_IAM), ...values(STORE_IAM), ...values(SSM_IAM)])].sort(),
};
