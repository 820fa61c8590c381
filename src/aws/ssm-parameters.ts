// SSM Parameter Store metadata (DescribeParameters): which SecureString parameters exist and
// which KMS key encrypts each. Never values. (ssm.ts reads values for whybot's own config.)
import { paginateDescribeParameters, SSMClient } from '@aws-sdk/client-ssm';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { iam } from './iam.js';

const ssmClient = (aws: AwsClients) => withAbort(aws.client('ssm', (config) => new SSMClient(config)));

export const SSM_PARAMETERS_IAM = { describeParameters: iam('ssm:DescribeParameters') } as const;

/** The AWS managed key SSM uses when a SecureString names none. */
export const SSM_DEFAULT_KEY = 'alias/aws/ssm';

export interface ParameterInfo {
  name: string;
  arn?: string;
  type: string;
  /** SecureString only: the key as SSM reports it (alias/aws/ssm, a key id, ARN or alias) */
  keyId?: string;
  version?: number;
  lastModified?: Date;
  lastModifiedUser?: string;
}

/** Every SecureString parameter of the Region, with its key (at most `max`, default 1000). */
export async function secureStringParameters(aws: AwsClients, opts: { max?: number; signal?: AbortSignal } = {}): Promise<{ parameters: ParameterInfo[]; truncated: boolean }> {
  const max = opts.max ?? 1000;
  return awsCall(SSM_PARAMETERS_IAM.describeParameters, async () => {
    const parameters: ParameterInfo[] = [];
    const pages = paginateDescribeParameters(
      { client: ssmClient(aws), pageSize: 50 },
      { ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['SecureString'] }] },
      ...(opts.signal ? [{ abortSignal: opts.signal }] : []),
    );
    for await (const page of pages) {
      for (const p of page.Parameters ?? []) {
        if (!p.Name) continue;
        parameters.push({
          name: p.Name,
          ...(p.ARN ? { arn: p.ARN } : {}),
          type: p.Type ?? 'SecureString',
          ...(p.KeyId ? { keyId: p.KeyId } : {}),
          ...(p.Version !== undefined ? { version: p.Version } : {}),
          ...(p.LastModifiedDate ? { lastModified: p.LastModifiedDate } : {}),
          ...(p.LastModifiedUser ? { lastModifiedUser: p.LastModifiedUser } : {}),
        });
      }
      if (parameters.length >= max) return { parameters: parameters.slice(0, max), truncated: true };
    }
    return { parameters, truncated: false };
  });
}
