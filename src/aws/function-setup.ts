// When a rotation function was set up, as incident 002's guide finds out: the function's
// `aws:cloudformation:stack-name` tag (ListTags) → that stack's CreationTime (DescribeStacks).
// Its own module so that aws/lambda.ts (imported by the Slack handler for Invoke) does not
// load the CloudFormation client.
import type { AwsClients } from './clients.js';
import { describeStack } from './cloudformation.js';
import { functionTags } from './lambda.js';

/** The tag CloudFormation puts on every resource of a stack (the rotation templates' SAR stacks included). */
export const STACK_NAME_TAG = 'aws:cloudformation:stack-name';

export interface FunctionSetup {
  /** the aws:cloudformation:stack-name tag; undefined when the function was not made by a stack */
  stackName?: string;
  /** that stack's CreationTime: when rotation was set up (the guide's own procedure) */
  createdAt?: Date;
  /** the tag names a stack that no longer exists */
  stackMissing?: boolean;
}

/**
 * When the rotation function was set up: its `aws:cloudformation:stack-name` tag (ListTags)
 * → that stack's CreationTime (DescribeStacks). Failures throw AwsCallError naming the
 * action that failed (`lambda:ListTags` or `cloudformation:DescribeStacks`).
 */
export async function functionSetup(aws: AwsClients, functionArn: string, signal?: AbortSignal): Promise<FunctionSetup> {
  const tags = await functionTags(aws, functionArn, signal);
  const stackName = tags[STACK_NAME_TAG];
  if (stackName === undefined || stackName === '') return {};
  const stack = await describeStack(aws, stackName, signal);
  if (!stack) return { stackName, stackMissing: true };
  return { stackName, ...(stack.creationTime && { createdAt: stack.creationTime }) };
}
