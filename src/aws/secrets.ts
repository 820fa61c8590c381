import { DescribeSecretCommand, paginateListSecrets, RotateSecretCommand, type SecretListEntry, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { awsCall, classifyAwsError } from './errors.js';
import { iam } from './iam.js';

const secretsClient = (aws: AwsClients) => withAbort(aws.client('secrets', (config) => new SecretsManagerClient(config)));

export const SECRETS_IAM = {
  describeSecret: iam('secretsmanager:DescribeSecret'),
  rotateSecret: iam('secretsmanager:RotateSecret'),
  listSecrets: iam('secretsmanager:ListSecrets'),
} as const;

/**
 * What AWS also checks the caller for when RotateSecret starts a rotation now on a
 * Lambda-rotated secret: Secrets Manager invokes the rotation function with the caller's
 * permission. Not a call whybot makes itself; granted only with the rotate-now action.
 */
export const ROTATE_NOW_IAM = {
  invokeRotationFunction: iam('lambda:InvokeFunction'),
} as const;

/** Metadata only: whybot never reads a secret's value here. */
export interface SecretInfo {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  rotationDays?: number;
  scheduleExpression?: string;
  rotationLambdaArn?: string;
  lastRotated?: Date;
  nextRotation?: Date;
  owningService?: string;
  tags: Record<string, string>;
  /** DescribeSecret only: a version labelled AWSPENDING and not AWSCURRENT (a rotation started and did not finish) */
  pendingVersion?: boolean;
}

/** DescribeSecret's answer and a ListSecrets entry carry the same metadata. */
const toSecretInfo = (s: SecretListEntry, fallbackId = ''): SecretInfo => ({
  arn: s.ARN ?? fallbackId,
  name: s.Name ?? fallbackId,
  rotationEnabled: s.RotationEnabled ?? false,
  rotationDays: s.RotationRules?.AutomaticallyAfterDays,
  scheduleExpression: s.RotationRules?.ScheduleExpression,
  rotationLambdaArn: s.RotationLambdaARN,
  lastRotated: s.LastRotatedDate,
  nextRotation: s.NextRotationDate,
  owningService: s.OwningService,
  tags: Object.fromEntries((s.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
});

/** Every secret's metadata in the Region (ListSecrets never returns values). */
export async function listSecrets(aws: AwsClients): Promise<SecretInfo[]> {
  return awsCall(SECRETS_IAM.listSecrets, async () => {
    const all: SecretInfo[] = [];
    for await (const page of paginateListSecrets({ client: secretsClient(aws), pageSize: 100 }, {})) all.push(...(page.SecretList ?? []).map((e) => toSecretInfo(e)));
    return all;
  });
}

export async function describeSecret(aws: AwsClients, secretId: string, signal?: AbortSignal): Promise<SecretInfo> {
  return awsCall(SECRETS_IAM.describeSecret, async () => {
    const s = await secretsClient(aws).send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal: signal });
    const stages = Object.values(s.VersionIdsToStages ?? {});
    const pendingVersion = stages.some((labels) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'));
    return { ...toSecretInfo(s, secretId), pendingVersion };
  });
}

/** Changes the rotation interval without rotating now (RotateImmediately: false). */
export async function setRotationInterval(aws: AwsClients, secretId: string, days: number): Promise<{ requestId?: string }> {
  return awsCall(SECRETS_IAM.rotateSecret, async () => {
    const out = await secretsClient(aws).send(
      new RotateSecretCommand({ SecretId: secretId, RotationRules: { AutomaticallyAfterDays: days }, RotateImmediately: false }),
    );
    return { requestId: out.$metadata.requestId };
  });
}

/**
 * Starts a rotation now with what the secret already has (its rotation function and
 * schedule): RotateSecret with neither RotationLambdaARN nor RotationRules, and
 * RotateImmediately left at its default (true). An AccessDenied that names
 * lambda:InvokeFunction (the rotation function, invoked as the caller) is reported as that.
 */
export async function rotateSecretNow(aws: AwsClients, secretId: string): Promise<{ versionId?: string; requestId?: string }> {
  return awsCall(SECRETS_IAM.rotateSecret, async () => {
    try {
      const out = await secretsClient(aws).send(new RotateSecretCommand({ SecretId: secretId }));
      return { ...(out.VersionId ? { versionId: out.VersionId } : {}), ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}) };
    } catch (err) {
      const e = err as { name?: string; message?: string };
      if (/AccessDenied/.test(e.name ?? '') && /lambda:InvokeFunction/.test(e.message ?? '')) throw classifyAwsError(err, ROTATE_NOW_IAM.invokeRotationFunction);
      throw err;
    }
  });
}
