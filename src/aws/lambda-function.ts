// A Lambda function's configuration and tags, read-only, for /why-rotation-failed (issue 14):
// GetFunctionConfiguration (runtime, timeout, VPC, environment variable NAMES), ListTags, and
// from the `aws:cloudformation:stack-name` tag that stack's CreationTime (DescribeStacks) =
// when rotation was set up, as incident 002's guide finds out.
// Environment variable VALUES never leave this module: GetFunctionConfiguration returns them,
// and only their names are kept.
// Not in aws/lambda.ts: LAMBDA_IAM there is exactly the Slack function's grant (Invoke), and
// the Slack bundle should not carry these reads.
import { GetFunctionConfigurationCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { describeStack } from './cloudformation.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

export const LAMBDA_FUNCTION_IAM = {
  getFunctionConfiguration: iam('lambda:GetFunctionConfiguration'),
  listTags: iam('lambda:ListTags'),
} as const;

const lambdaClient = (aws: AwsClients) => withAbort(aws.client('lambda', (config) => new LambdaClient(config)));

export interface FunctionConfig {
  name: string;
  arn: string;
  runtime?: string;
  /** seconds */
  timeoutSeconds?: number;
  memoryMb?: number;
  lastModified?: Date;
  /** the execution role's ARN (what an endpoint policy must let in) */
  role?: string;
  /** set when the function runs in a VPC (subnets and security groups of its ENIs) */
  vpc?: { vpcId?: string; subnetIds: string[]; securityGroupIds: string[] };
  /** the environment variables' NAMES, sorted; their values are never read out of the answer */
  environmentNames: string[];
  /** the function's log group (LoggingConfig.LogGroup; default /aws/lambda/<name>) */
  logGroup: string;
  /** the last configuration update: Successful, InProgress or Failed (with Lambda's reason) */
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
}

/** "2026-10-24T12:00:00.000+0000" (Lambda's LastModified) → a Date; undefined if unreadable. */
function lambdaTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * The function's configuration (GetFunctionConfiguration; name, ARN or partial ARN), or
 * undefined when Lambda says it does not exist. Failures throw AwsCallError naming
 * `lambda:GetFunctionConfiguration`.
 */
export async function functionConfiguration(aws: AwsClients, functionName: string, signal?: AbortSignal): Promise<FunctionConfig | undefined> {
  try {
    return await awsCall(LAMBDA_FUNCTION_IAM.getFunctionConfiguration, async () => {
      const out = await lambdaClient(aws).send(new GetFunctionConfigurationCommand({ FunctionName: functionName }), { abortSignal: signal });
      const name = out.FunctionName ?? functionName;
      const vpc = out.VpcConfig;
      const inVpc = (vpc?.SubnetIds?.length ?? 0) > 0 || (vpc?.VpcId ?? '') !== '';
      return {
        name,
        arn: out.FunctionArn ?? functionName,
        ...(out.Runtime !== undefined && { runtime: out.Runtime }),
        ...(out.Timeout !== undefined && { timeoutSeconds: out.Timeout }),
        ...(out.MemorySize !== undefined && { memoryMb: out.MemorySize }),
        ...(out.Role !== undefined && { role: out.Role }),
        ...(lambdaTime(out.LastModified) && { lastModified: lambdaTime(out.LastModified) }),
        ...(inVpc && {
          vpc: {
            ...(vpc?.VpcId ? { vpcId: vpc.VpcId } : {}),
            subnetIds: [...(vpc?.SubnetIds ?? [])],
            securityGroupIds: [...(vpc?.SecurityGroupIds ?? [])],
          },
        }),
        // names only: the values (an endpoint URL, sometimes a credential) stay here
        environmentNames: Object.keys(out.Environment?.Variables ?? {}).sort(),
        logGroup: out.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`,
        ...(out.LastUpdateStatus !== undefined && { lastUpdateStatus: out.LastUpdateStatus }),
        ...(out.LastUpdateStatusReason ? { lastUpdateStatusReason: out.LastUpdateStatusReason } : {}),
      };
    });
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === 'not-found') return undefined;
    throw err;
  }
}

/** The function's tags (ListTags takes the function ARN). Failures throw AwsCallError naming `lambda:ListTags`. */
export async function functionTags(aws: AwsClients, functionArn: string, signal?: AbortSignal): Promise<Record<string, string>> {
  return awsCall(LAMBDA_FUNCTION_IAM.listTags, async () => {
    const out = await lambdaClient(aws).send(new ListTagsCommand({ Resource: functionArn }), { abortSignal: signal });
    return { ...(out.Tags ?? {}) };
  });
}

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
