// The one Lambda configuration write whybot makes (the lambda-timeout action): a function's
// Timeout, nothing else. Apart from ./lambda-function.ts, whose LAMBDA_FUNCTION_IAM is the
// playbooks' read-only grant. The answer (a whole FunctionConfiguration, environment values
// included) is dropped here: only the Timeout and the update's status come back.
import { LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

const lambdaClient = (aws: AwsClients) => withAbort(aws.client('lambda', (config) => new LambdaClient(config)));

export const LAMBDA_TIMEOUT_IAM = {
  updateFunctionConfiguration: iam('lambda:UpdateFunctionConfiguration'),
} as const;

export interface TimeoutUpdate {
  timeoutSeconds?: number;
  /** InProgress right after the call; GetFunctionConfiguration says when it is Successful (or Failed) */
  lastUpdateStatus?: string;
  requestId?: string;
}

/** Sets the function's Timeout (seconds) and nothing else. Failures throw AwsCallError naming `lambda:UpdateFunctionConfiguration`. */
export async function setFunctionTimeout(aws: AwsClients, functionName: string, timeoutSeconds: number): Promise<TimeoutUpdate> {
  return awsCall(LAMBDA_TIMEOUT_IAM.updateFunctionConfiguration, async () => {
    const out = await lambdaClient(aws).send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Timeout: timeoutSeconds }));
    return {
      ...(out.Timeout !== undefined && { timeoutSeconds: out.Timeout }),
      ...(out.LastUpdateStatus !== undefined && { lastUpdateStatus: out.LastUpdateStatus }),
      ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}),
    };
  });
}
