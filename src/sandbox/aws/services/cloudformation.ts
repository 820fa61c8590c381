/**
 * AWS CloudFormation (awsQuery, API version 2010-05-15): DescribeStacks, DescribeStackEvents,
 * ListStacks. Element names follow the CloudFormation API Reference. A stack is named by its
 * name or its stack ID (ARN); a deleted stack (DELETE_COMPLETE) only by its ID, as in AWS.
 * Unknown stacks answer `ValidationError` "Stack with id X does not exist".
 */
import { AwsError } from '../errors.js';
import { QueryXmlProtocol, xmlList } from '../protocols/query-xml.js';
import type { World } from '../world.js';
import type { CfnStack } from '../world-kms-cfn-iam.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const VERSION = '2010-05-15';
const protocol = new QueryXmlProtocol({ version: VERSION, xmlns: `http://cloudformation.amazonaws.com/doc/${VERSION}/` });

/** DescribeStackEvents pages (AWS does not document its page size). */
const EVENTS_PAGE = 100;
const STACKS_PAGE = 100;

export const STACK_STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'DELETE_COMPLETE',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_COMPLETE',
] as const;

const validationError = (message: string) => new AwsError('ValidationError', message, 400);
const notFound = (id: string) => validationError(`Stack with id ${id} does not exist`);

/** By name: the live stack; by stack ID: that stack, deleted or not. */
export function findStack(world: World, nameOrId: string): CfnStack | undefined {
  if (nameOrId.startsWith('arn:')) return world.cloudformation.stacks.find((s) => s.id === nameOrId);
  return world.cloudformation.stacks.find((s) => s.name === nameOrId && s.status !== 'DELETE_COMPLETE');
}

function renderStack(s: CfnStack) {
  return {
    StackId: s.id,
    StackName: s.name,
    Description: s.description,
    Parameters: xmlList(
      'member',
      Object.entries(s.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v })),
    ),
    CreationTime: s.creationTime,
    DeletionTime: s.deletionTime,
    LastUpdatedTime: s.lastUpdatedTime,
    StackStatus: s.status,
    StackStatusReason: s.statusReason,
    DisableRollback: false,
    NotificationARNs: xmlList('member', []),
    Capabilities: xmlList('member', []),
    Outputs: xmlList(
      'member',
      Object.entries(s.outputs).map(([k, v]) => ({ OutputKey: k, OutputValue: v })),
    ),
    Tags: xmlList(
      'member',
      Object.entries(s.tags).map(([k, v]) => ({ Key: k, Value: v })),
    ),
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

function pageOf<T>(all: readonly T[], p: ParamReader, params: Params, limit: number) {
  const { NextToken: _t, ...scope } = params;
  return paginate(all, { token: p.str('NextToken'), limit, scope, invalidToken: () => validationError('Invalid NextToken') });
}

function describeStacks(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const name = p.str('StackName');
  let stacks: CfnStack[];
  if (name !== undefined && name !== '') {
    const found = findStack(ctx.world, name);
    if (!found) throw notFound(name);
    stacks = [found];
  } else {
    stacks = ctx.world.cloudformation.stacks.filter((s) => s.status !== 'DELETE_COMPLETE');
  }
  const page = pageOf(stacks, p, ctx.params, STACKS_PAGE);
  return { Stacks: xmlList('member', page.items.map(renderStack)), NextToken: page.next };
}

function describeStackEvents(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const name = p.str('StackName', true);
  const stack = findStack(ctx.world, name);
  if (!stack) throw notFound(name);
  const newestFirst = [...stack.events].reverse();
  const page = pageOf(newestFirst, p, ctx.params, EVENTS_PAGE);
  return {
    StackEvents: xmlList(
      'member',
      page.items.map((e) => ({
        StackId: stack.id,
        EventId: e.eventId,
        StackName: stack.name,
        LogicalResourceId: e.logicalId,
        PhysicalResourceId: e.physicalId,
        ResourceType: e.type,
        Timestamp: e.time,
        ResourceStatus: e.status,
        ResourceStatusReason: e.reason,
        ResourceProperties: e.properties === undefined ? undefined : JSON.stringify(e.properties),
      })),
    ),
    NextToken: page.next,
  };
}

function listStacks(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const filter = p.strings('StackStatusFilter') ?? [];
  for (const f of filter) {
    if (!(STACK_STATUSES as readonly string[]).includes(f))
      throw validationError(
        `1 validation error detected: Value '[${f}]' at 'stackStatusFilter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${STACK_STATUSES.join(', ')}]]`,
      );
  }
  const stacks = ctx.world.cloudformation.stacks.filter((s) => filter.length === 0 || filter.includes(s.status));
  const page = pageOf(stacks, p, ctx.params, STACKS_PAGE);
  return {
    StackSummaries: xmlList(
      'member',
      page.items.map((s) => ({
        StackId: s.id,
        StackName: s.name,
        TemplateDescription: s.description,
        CreationTime: s.creationTime,
        LastUpdatedTime: s.lastUpdatedTime,
        DeletionTime: s.deletionTime,
        StackStatus: s.status,
        StackStatusReason: s.statusReason,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
    ),
    NextToken: page.next,
  };
}

function iamResource(_operation: string, params: Params, world: World): string {
  const name = typeof params.StackName === 'string' ? params.StackName : undefined;
  if (name === undefined || name === '') return '*';
  return findStack(world, name)?.id ?? (name.startsWith('arn:') ? name : `arn:aws:cloudformation:${world.region}:${world.accountId}:stack/${name}/*`);
}

export const cloudformation: ServiceModule = {
  signingName: 'cloudformation',
  protocol,
  operations: {
    DescribeStacks: describeStacks,
    DescribeStackEvents: describeStackEvents,
    ListStacks: listStacks,
  },
  iamResource,
};
