// CloudFormation: a stack's status, parameters, outputs and tags; its events (oldest first);
// stacks by status. Used by /why-decrypt-denied (the CDKToolkit stack's KMS parameter, the
// failing stack's events) and /why-deploy-failed (first failure, failed stacks).
import {
  DescribeStacksCommand,
  paginateDescribeStackEvents,
  paginateListStacks,
  type StackStatus,
  CloudFormationClient
} from '@aws-sdk/client-cloudformation';
import { withAbort } from './abort.js';
import type { AwsClients } from './clients.js';
import { AwsCallError, awsCall } from './errors.js';
import { iam } from './iam.js';

const cloudformationClient = (aws: AwsClients) => withAbort(aws.client('cloudformation', (config) => new CloudFormationClient(config)));

export const CLOUDFORMATION_IAM = {
  describeStacks: iam('cloudformation:DescribeStacks'),
  describeStackEvents: iam('cloudformation:DescribeStackEvents'),
  listStacks: iam('cloudformation:ListStacks'),
} as const;

export interface StackInfo {
  name: string;
  /** the stack ID (an ARN) */
  id: string;
  status: string;
  statusReason?: string;
  description?: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  tags: Record<string, string>;
  creationTime?: Date;
  lastUpdatedTime?: Date;
}

export interface StackEvent {
  time: Date;
  logicalId: string;
  physicalId?: string;
  /** ResourceType, e.g. AWS::S3::Bucket, Custom::AWS */
  type: string;
  /** ResourceStatus, e.g. CREATE_FAILED */
  status: string;
  reason?: string;
  /** ResourceProperties (a JSON string as CloudFormation gives it), when present */
  properties?: string;
}

export interface StackSummary {
  name: string;
  id: string;
  status: string;
  reason?: string;
  creationTime?: Date;
  deletionTime?: Date;
}

/** True for CloudFormation's "Stack with id X does not exist" (a ValidationError, not a NotFound). */
export function isStackMissing(err: unknown): boolean {
  const e = err as { name?: string; awsCode?: string; message?: string } | null;
  const code = e instanceof AwsCallError ? e.awsCode : e?.name;
  return code === 'ValidationError' && /does not exist/.test(e?.message ?? '');
}

/** The stack (by name or stack ID), or undefined when CloudFormation says it does not exist. */
export async function describeStack(aws: AwsClients, name: string, signal?: AbortSignal): Promise<StackInfo | undefined> {
  try {
    return await awsCall(CLOUDFORMATION_IAM.describeStacks, async () => {
      const out = await cloudformationClient(aws).send(new DescribeStacksCommand({ StackName: name }), { abortSignal: signal });
      const s = out.Stacks?.[0];
      if (!s) return undefined;
      return {
        name: s.StackName ?? name,
        id: s.StackId ?? '',
        status: s.StackStatus ?? 'UNKNOWN',
        ...(s.StackStatusReason !== undefined && { statusReason: s.StackStatusReason }),
        ...(s.Description !== undefined && { description: s.Description }),
        parameters: Object.fromEntries((s.Parameters ?? []).filter((p) => p.ParameterKey).map((p) => [p.ParameterKey!, p.ResolvedValue ?? p.ParameterValue ?? ''])),
        outputs: Object.fromEntries((s.Outputs ?? []).filter((o) => o.OutputKey).map((o) => [o.OutputKey!, o.OutputValue ?? ''])),
        tags: Object.fromEntries((s.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
        ...(s.CreationTime && { creationTime: s.CreationTime }),
        ...(s.LastUpdatedTime && { lastUpdatedTime: s.LastUpdatedTime }),
      };
    });
  } catch (err) {
    if (isStackMissing(err)) return undefined;
    throw err;
  }
}

/**
 * The stack's newest `max` events (default 500), returned oldest first. DescribeStackEvents
 * pages newest first; the walk stops once it has `max`. `truncated` says older events exist.
 */
export async function stackEvents(
  aws: AwsClients,
  name: string,
  opts: { max?: number; signal?: AbortSignal } = {},
): Promise<StackEvent[] & { truncated: boolean }> {
  const max = Math.max(1, Math.floor(opts.max ?? 500));
  return awsCall(CLOUDFORMATION_IAM.describeStackEvents, async () => {
    const newestFirst: StackEvent[] = [];
    let truncated = false;
    const pages = paginateDescribeStackEvents({ client: cloudformationClient(aws) }, { StackName: name }, ...(opts.signal ? [{ abortSignal: opts.signal }] : []));
    for await (const page of pages) {
      for (const e of page.StackEvents ?? []) {
        if (newestFirst.length >= max) {
          truncated = true;
          break;
        }
        newestFirst.push({
          time: e.Timestamp ?? new Date(0),
          logicalId: e.LogicalResourceId ?? '?',
          ...(e.PhysicalResourceId ? { physicalId: e.PhysicalResourceId } : {}),
          type: e.ResourceType ?? '?',
          status: e.ResourceStatus ?? '?',
          ...(e.ResourceStatusReason !== undefined && { reason: e.ResourceStatusReason }),
          ...(e.ResourceProperties !== undefined && { properties: e.ResourceProperties }),
        });
      }
      if (newestFirst.length >= max) {
        truncated = truncated || page.NextToken !== undefined;
        break;
      }
    }
    // Oldest first; CloudFormation's order breaks ties between equal timestamps.
    return Object.assign(newestFirst.reverse(), { truncated });
  });
}

/** Stacks whose status is one of `statuses` (all, deleted ones included, when empty). */
export async function listStacks(aws: AwsClients, statuses: readonly string[] = []): Promise<StackSummary[]> {
  return awsCall(CLOUDFORMATION_IAM.listStacks, async () => {
    const all: StackSummary[] = [];
    const input = statuses.length > 0 ? { StackStatusFilter: [...statuses] as StackStatus[] } : {};
    for await (const page of paginateListStacks({ client: cloudformationClient(aws) }, input))
      for (const s of page.StackSummaries ?? [])
        all.push({
          name: s.StackName ?? '?',
          id: s.StackId ?? '',
          status: s.StackStatus ?? 'UNKNOWN',
          ...(s.StackStatusReason !== undefined && { reason: s.StackStatusReason }),
          ...(s.CreationTime && { creationTime: s.CreationTime }),
          ...(s.DeletionTime && { deletionTime: s.DeletionTime }),
        });
    return all;
  });
}
