import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

export const LAMBDA_IAM = { invoke: iam('lambda:InvokeFunction') } as const;

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
