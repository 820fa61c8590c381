import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

export const SSM_IAM = { getParameters: iam('ssm:GetParameters') } as const;

/** SecureString parameters by name (decrypted); missing names are reported, never guessed. */
export async function getParameters(client: SSMClient, names: string[]): Promise<{ values: Record<string, string>; missing: string[] }> {
  return awsCall(SSM_IAM.getParameters, async () => {
    const out = await client.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
    const values: Record<string, string> = {};
    for (const p of out.Parameters ?? []) if (p.Name && p.Value !== undefined) values[p.Name] = p.Value;
    return { values, missing: [...(out.InvalidParameters ?? []), ...names.filter((n) => !(n in values) && !(out.InvalidParameters ?? []).includes(n))] };
  });
}
