// What deploy-failed asks AWS, and nothing it concludes: the stack and its latest deploy
// attempt's events (the first failure, followed into a nested stack), the failed stacks of
// the Region, decrypt-denied's run when that failure is a KMS denial, and every Elastic IP,
// NAT gateway, cache and DB cluster that could be a leftover.
import type { AwsClients } from '../../aws/clients.js';
import { CLOUDFORMATION_IAM, describeStack, listStacks, stackEvents, type StackEvent, type StackInfo, type StackSummary } from '../../aws/cloudformation.js';
import { describeAddresses, describeNatGateways, EC2_IAM, type ElasticIp, type NatGatewayInfo } from '../../aws/ec2.js';
import {
  describeCacheClusters,
  describeReplicationGroups,
  ELASTICACHE_IAM,
  listCacheTags,
  type CacheClusterInfo,
  type ReplicationGroupInfo,
} from '../../aws/elasticache.js';
import { listDbClusters, RDS_IAM, type DbSummary } from '../../aws/rds.js';
import { Investigation, Skip, type Outcome } from '../../engine/investigation.js';
import type { CheckResult, PlaybookResult } from '../../findings.js';
import { defineChecks, rulesFor, withNestedChecks, type CheckIdOf } from '../define.js';
import { MAX_HOURS, type PlaybookInput, type RunOptions } from '../types.js';
import { decryptTarget, loadDecryptDenied } from './decrypt-link.js';
import { isFailed, isStackEvent, latestAttempt, MAX_EVENTS, redactReasons, redactStackReason, rollbackIndex, rootCause, STACK_TYPE, type RootCause } from './events.js';

export const CHECKS = defineChecks([
  { id: 'stack', title: 'CloudFormation stack status', iam: [CLOUDFORMATION_IAM.describeStacks] },
  { id: 'stack-events', title: 'Stack events: the first failure and its reason', iam: [CLOUDFORMATION_IAM.describeStackEvents] },
  { id: 'nested-stack-events', title: 'Events of the nested stack where the failure started', iam: [CLOUDFORMATION_IAM.describeStackEvents] },
  { id: 'failed-stacks', title: 'Stacks in ROLLBACK_COMPLETE or a *_FAILED state', iam: [CLOUDFORMATION_IAM.listStacks] },
  // decrypt-denied's own checks name the actions its calls need (carried up when they fail)
  { id: 'decrypt-denied', title: 'KMS denial behind the failure (decrypt-denied playbook)', iam: [] },
  { id: 'elastic-ips', title: 'Elastic IP addresses', iam: [EC2_IAM.describeAddresses] },
  { id: 'nat-gateways', title: 'NAT gateways', iam: [EC2_IAM.describeNatGateways] },
  {
    id: 'cache-clusters',
    title: 'ElastiCache clusters and replication groups (and their tags)',
    iam: [ELASTICACHE_IAM.describeCacheClusters, ELASTICACHE_IAM.describeReplicationGroups, ELASTICACHE_IAM.listTagsForResource],
  },
  { id: 'db-clusters', title: 'DB clusters', iam: [RDS_IAM.describeClusters] },
] as const);
export type CheckId = CheckIdOf<typeof CHECKS>;

/** Statuses of a stack whose last deploy failed (ListStacks' StackStatusFilter). */
export const FAILED_STACK_STATUSES = [
  'CREATE_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'DELETE_FAILED',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_FAILED',
] as const;

export const GONE_CACHE_STATES = new Set(['deleting', 'deleted']);
/** ListTagsForResource calls for ElastiCache, at most (DescribeCacheClusters carries no tags) */
export const MAX_TAG_LOOKUPS = 60;

export interface DeployFailedEvidence {
  input: PlaybookInput;
  now: Date;
  stack?: StackInfo;
  /** the stack is gone (deleted): leftovers are matched by tag only */
  stackMissing?: boolean;
  /** the latest deploy attempt's events, oldest first */
  attempt?: StackEvent[];
  eventsTruncated?: boolean;
  /** failures while rolling back: resources CloudFormation could not delete */
  rollbackFailures?: StackEvent[];
  root?: RootCause;
  /** names of the stack and of any nested stack seen in its events */
  stackNames: string[];
  /** physical ids of every resource the stack's events name (ids, IPs, names) */
  physicalIds: Set<string>;
  failedStacks?: StackSummary[];
  decrypt?: PlaybookResult;
  /** why the decrypt-denied playbook did not run, when it should have */
  decryptUnavailable?: string;
  addresses?: ElasticIp[];
  natGateways?: NatGatewayInfo[];
  caches?: { clusters: CacheClusterInfo[]; groups: ReplicationGroupInfo[]; tags: Map<string, Record<string, string>>; tagsComplete: boolean };
  dbClusters?: DbSummary[];
  checks: CheckResult[];
}

/** Defines one of deploy-failed's rules (rules/*.ts). */
export const rule = rulesFor<DeployFailedEvidence, CheckId>();

export async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<DeployFailedEvidence> {
  const now = opts.now?.() ?? new Date();
  const inv = new Investigation(CHECKS, opts);
  const e: DeployFailedEvidence = { input, now, stackNames: [input.target], physicalIds: new Set(), checks: [] };

  // The leftovers do not depend on the stack's events: read them all while CloudFormation answers.
  const addresses = inv.run('elastic-ips', (signal) => describeAddresses(aws, signal));
  const nats = inv.run('nat-gateways', (signal) => describeNatGateways(aws, { signal }));
  const dbs = inv.run('db-clusters', (signal) => listDbClusters(aws, signal));
  const failedStacks = inv.run('failed-stacks', () => listStacks(aws, [...FAILED_STACK_STATUSES, 'DELETE_COMPLETE']));
  const stack = inv.run('stack', (signal) => describeStack(aws, input.target, signal).then(redactStackReason));

  // Events by name exist while the stack does; a deleted stack's only by its stack ID.
  const events = stack.then(async (s) => {
    let name = s.ok && s.value ? s.value.id || input.target : input.target;
    if (s.ok && !s.value) {
      const listed = await failedStacks;
      const deleted = listed.ok
        ? listed.value.filter((x) => x.name === input.target && x.status === 'DELETE_COMPLETE').sort((a, b) => (b.deletionTime?.getTime() ?? 0) - (a.deletionTime?.getTime() ?? 0))[0]
        : undefined;
      if (!deleted) return inv.skip('stack-events', `no stack named ${input.target}`);
      name = deleted.id;
    }
    return inv.run('stack-events', (signal) => stackEvents(aws, name, { max: MAX_EVENTS, signal }).then(redactReasons));
  });

  const caches = inv.run('cache-clusters', async (signal) => {
    const [clusters, groups] = await Promise.all([describeCacheClusters(aws, signal), describeReplicationGroups(aws, signal)]);
    // DescribeCacheClusters carries no tags: one ListTagsForResource per resource (bounded).
    const arns = [
      ...groups.flatMap((g) => (g.arn && !GONE_CACHE_STATES.has(g.status) ? [g.arn] : [])),
      ...clusters.flatMap((c) => (c.arn && !c.replicationGroupId && !GONE_CACHE_STATES.has(c.status) ? [c.arn] : [])),
    ];
    const tags = new Map<string, Record<string, string>>();
    await Promise.all(arns.slice(0, MAX_TAG_LOOKUPS).map(async (arn) => tags.set(arn, await listCacheTags(aws, arn, signal))));
    return { clusters, groups, tags, tagsComplete: arns.length <= MAX_TAG_LOOKUPS };
  });

  const stackOut = await stack;
  if (stackOut.ok) {
    if (stackOut.value) e.stack = stackOut.value;
    else e.stackMissing = true;
  }
  const eventsOut = await events;
  if (eventsOut.ok) {
    const all = eventsOut.value;
    e.eventsTruncated = all.truncated;
    for (const ev of all) if (ev.physicalId) e.physicalIds.add(ev.physicalId);
    const attempt = latestAttempt(all, input.target);
    e.attempt = attempt;
    e.rollbackFailures = attempt.slice(rollbackIndex(attempt, input.target)).filter((ev) => isFailed(ev) && !isStackEvent(ev, [input.target]));
    e.root = rootCause(attempt, input.target);
  }

  // A nested stack that failed: its own events hold the real reason (one level, as CDK nests).
  const nestedRoot = e.root?.event.type === STACK_TYPE ? e.root.event : undefined;
  if (nestedRoot?.physicalId) {
    const nestedId = nestedRoot.physicalId;
    const nestedName = /:stack\/([^/]+)\//.exec(nestedId)?.[1] ?? nestedRoot.logicalId;
    const nested = await inv.run('nested-stack-events', (signal) => stackEvents(aws, nestedId, { max: MAX_EVENTS, signal }).then(redactReasons));
    if (nested.ok) {
      e.stackNames.push(nestedName);
      for (const ev of nested.value) if (ev.physicalId) e.physicalIds.add(ev.physicalId);
      const inner = rootCause(latestAttempt(nested.value, nestedName), nestedName);
      if (inner) e.root = { ...inner, cascades: [...inner.cascades, nestedRoot, ...(e.root?.cascades ?? [])] };
      e.rollbackFailures = [
        ...(e.rollbackFailures ?? []),
        ...nested.value.filter((ev) => ev.status === 'DELETE_FAILED' && !isStackEvent(ev, [nestedName])),
      ];
    }
  } else inv.skip('nested-stack-events', e.root ? 'the failure did not start in a nested stack' : 'no failure to follow');

  // A KMS denial: the decrypt-denied playbook says whose grant is missing where.
  const denial = e.root?.kms;
  const decrypt: Promise<Outcome<PlaybookResult>> = denial
    ? inv.run('decrypt-denied', async () => {
        const playbook = await loadDecryptDenied();
        if (!playbook) {
          e.decryptUnavailable = 'the decrypt-denied playbook is not part of this whybot';
          return new Skip(e.decryptUnavailable);
        }
        const target = decryptTarget(playbook, denial, e.root!.stackName);
        if (!target) {
          e.decryptUnavailable = 'the failure names no key, role or stack decrypt-denied accepts';
          return new Skip(e.decryptUnavailable);
        }
        // Its window must reach back to the failure.
        const sinceFailure = Math.ceil((now.getTime() - e.root!.event.time.getTime()) / 3_600_000) + 1;
        return playbook.run(
          aws,
          { target, region: input.region, hours: Math.max(input.hours, Math.min(sinceFailure, MAX_HOURS)) },
          { timeoutMs: Math.max(1_000, Math.floor(opts.timeoutMs / 3)), ...(opts.now ? { now: opts.now } : {}), ...(opts.onInternalError ? { onInternalError: opts.onInternalError } : {}) },
        );
      })
    : Promise.resolve(inv.skip('decrypt-denied', e.root ? 'the first failure is not a KMS denial' : 'no failure to diagnose'));

  const [addrOut, natOut, dbOut, cacheOut, failedOut, decryptOut] = await Promise.all([addresses, nats, dbs, caches, failedStacks, decrypt]);
  if (addrOut.ok) e.addresses = addrOut.value;
  if (natOut.ok) e.natGateways = natOut.value;
  if (dbOut.ok) e.dbClusters = dbOut.value;
  if (cacheOut.ok) e.caches = cacheOut.value;
  if (failedOut.ok) e.failedStacks = failedOut.value;
  if (decryptOut.ok) e.decrypt = decryptOut.value;
  // decrypt-denied's failed checks (and the IAM actions they need) are this result's too.
  e.checks = withNestedChecks(inv.results(), 'decrypt-denied', e.decrypt);
  return e;
}
