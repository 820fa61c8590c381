// Lambda: handing a payload to another function (the Slack handler → the worker), and, for
// /why-rotation-failed, a rotation function's configuration and tags (read-only).
// Environment variable VALUES never leave this module: GetFunctionConfiguration returns them,
// and only their names are kept.
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

export const LAMBDA_IAM = {
  invoke: iam('lambda:InvokeFunction'),
  getFunctionConfiguration: iam('lambda:GetFunctionConfiguration'),
  listTags: iam('lambda:ListTags'),
} as const;

const lambdaClient = (aws: AwsClients) => withAbort(aws.client('lambda', (config) => new LambdaClient(config)));

/** Hands a payload to another function without waiting for it (InvocationType Event). */
export async function invokeAsync(client: LambdaClient, functionName: string, payload: unknown): Promise<{ requestId?: string }> {
  return awsCall(LAMBDA_IAM.invoke, async () => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    if (out.StatusCode !== 202) throw Object.assign(new Error(`Invoke answered ${out.StatusCode}`), { name: 'InvokeNotAccepted' });
    return { requestId: out.$metadata.requestId };
  });
}

export interface FunctionConfig {
  name: string;
  arn: string;
  runtime?: string;
  /** seconds */
  timeoutSeconds?: number;
  memoryMb?: number;
  lastModified?: Date;
  /** set when the function runs in a VPC (subnets and security groups of its ENIs) */
  vpc?: { vpcId?: string; subnetIds: string[]; securityGroupIds: string[] };
  /** the environment variables' NAMES, sorted; their values are never read out of the answer */
  environmentNames: string[];
  /** the function's log group (LoggingConfig.LogGroup; default /aws/lambda/<name>) */
  logGroup: string;
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
    return await awsCall(LAMBDA_IAM.getFunctionConfiguration, async () => {
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
      };
    });
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === 'not-found') return undefined;
    throw err;
  }
}

/** The function's tags (ListTags takes the function ARN). Failures throw AwsCallError naming `lambda:ListTags`. */
export async function functionTags(aws: AwsClients, functionArn: string, signal?: AbortSignal): Promise<Record<string, string>> {
  return awsCall(LAMBDA_IAM.listTags, async () => {
    const out = await lambdaClient(aws).send(new ListTagsCommand({ Resource: functionArn }), { abortSignal: signal });
    return { ...(out.Tags ?? {}) };
  });
}
