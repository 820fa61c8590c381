// /why-deploy-failed — incident 001 §4: a first CDK deploy failed (the root failure was a
// KMS decrypt denial) and its rollback left Elastic IPs, NAT gateways, a cache cluster and a
// failed DB cluster behind, which broke the next deploy until they were cleaned by hand.
// The person who solved it read the stack events for the FIRST failure (everything after it
// is a cascade: "Resource creation cancelled"), then hunted the leftovers in each console.
// Checks gather that evidence; rules turn it into two findings: the root cause (handing a
// KMS denial to the decrypt-denied playbook) and the leftovers, with what they cost.
import type { AwsClients } from '../aws/clients.js';
import { describeStack, listStacks, stackEvents, type StackEvent, type StackInfo, type StackSummary } from '../aws/cloudformation.js';
import { redactText } from '../redact/index.js';
import { describeAddresses, describeNatGateways, type ElasticIp, type NatGatewayInfo } from '../aws/ec2.js';
import {
  describeCacheClusters,
  describeReplicationGroups,
  listCacheTags,
  type CacheClusterInfo,
  type ReplicationGroupInfo,
} from '../aws/elasticache.js';
import { listDbClusters, type DbSummary } from '../aws/rds.js';
import { Investigation, Skip, type Outcome } from '../engine/investigation.js';
import { bySeverity, type CheckResult, type Evidence, type PlaybookResult, type RemediationRef, type TimelineEntry } from '../findings.js';
import type { LegacyFinding as Finding } from './legacy.js';
import { byTime, formatDuration, formatUtc } from '../time.js';
import { PLAYBOOK_CATALOG } from './catalog.js';
import { closeMatches } from './close-matches.js';
import { formatUsd, monthlyCost, PRICE_NOTE } from './leftover-prices.js';
import { withNestedChecks } from './define.js';
import { legacyPlaybook as definePlaybook } from './legacy.js';
import type { Candidate, Playbook, PlaybookInput, RunOptions } from './types.js';

export const DEPLOY_FAILED_CHECKS = [
  { id: 'stack', title: 'CloudFormation stack status' },
  { id: 'stack-events', title: 'Stack events: the first failure and its reason' },
  { id: 'nested-stack-events', title: 'Events of the nested stack where the failure started' },
  { id: 'failed-stacks', title: 'Stacks in ROLLBACK_COMPLETE or a *_FAILED state' },
  { id: 'decrypt-denied', title: 'KMS denial behind the failure (decrypt-denied playbook)' },
  { id: 'elastic-ips', title: 'Elastic IP addresses' },
  { id: 'nat-gateways', title: 'NAT gateways' },
  { id: 'cache-clusters', title: 'ElastiCache clusters and replication groups (and their tags)' },
  { id: 'db-clusters', title: 'DB clusters' },
] as const;

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

/** DB cluster statuses a failed deploy leaves (and that keep the identifier taken). */
const FAILED_DB_STATUSES = new Set([
  'failed',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'incompatible-network',
  'incompatible-parameters',
  'incompatible-restore',
]);
const LIVE_NAT_STATES = new Set(['pending', 'available']);
const GONE_CACHE_STATES = new Set(['deleting', 'deleted']);

const STACK_TYPE = 'AWS::CloudFormation::Stack';
const STACK_NAME_TAG = 'aws:cloudformation:stack-name';
const STACK_ID_TAG = 'aws:cloudformation:stack-id';
/** Reasons that only say "because something else failed". */
const CASCADE =
  /resource (creation|update|deletion) cancelled|the following resource\(s\) failed to (create|update|delete)|embedded stack .* was not successfully|rollback requested by user|cancelled|canceled/i;
const KMS_DENIAL =
  /\bkms:[A-Za-z*]+\b[\s\S]*(not authorized|not permitted|denied)|(not authorized|not permitted|denied)[\s\S]*\bkms:[A-Za-z*]+|KMS\.?AccessDenied|KMSAccessDeniedException|kms\.amazonaws\.com[\s\S]*AccessDenied|KMS[: ]+Decrypt is not permitted/i;
const KEY_ARN = /arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+/;
const PRINCIPAL_ARN = /arn:aws[\w-]*:(?:sts|iam)::\d{12}:[A-Za-z-]+\/[^\s,;"']+/;
const KMS_ACTION = /\bkms:[A-Za-z*]+/i;
const MAX_EVENTS = 1000;
const MAX_TAG_LOOKUPS = 60;

export interface KmsDenial {
  action?: string;
  keyArn?: string;
  principalArn?: string;
}

export interface RootCause {
  /** the stack whose event it is (a nested stack's name when the failure started there) */
  stackName: string;
  event: StackEvent;
  /** the later *_FAILED events of the same attempt that only follow from it */
  cascades: StackEvent[];
  kms?: KmsDenial;
}

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

// ---------------------------------------------------------------- events → root cause

const isFailed = (e: StackEvent) => e.status.endsWith('_FAILED');
const isStackEvent = (e: StackEvent, names: readonly string[]) => e.type === STACK_TYPE && names.includes(e.logicalId);

/** The events of the latest deploy attempt: from the stack's last CREATE/UPDATE/IMPORT_IN_PROGRESS. */
export function latestAttempt(events: readonly StackEvent[], stackName: string): StackEvent[] {
  let start = -1;
  events.forEach((e, i) => {
    if (e.type === STACK_TYPE && e.logicalId === stackName && /^(CREATE|UPDATE|IMPORT)_IN_PROGRESS$/.test(e.status)) start = i;
  });
  return start === -1 ? [...events] : events.slice(start);
}

/** Where the attempt started rolling back (the stack's first *ROLLBACK_IN_PROGRESS), or the end. */
function rollbackIndex(attempt: readonly StackEvent[], stackName: string): number {
  const i = attempt.findIndex((e) => e.type === STACK_TYPE && e.logicalId === stackName && /ROLLBACK_IN_PROGRESS$/.test(e.status));
  return i === -1 ? attempt.length : i;
}

export function kmsDenialIn(reason: string | undefined): KmsDenial | undefined {
  if (!reason || !KMS_DENIAL.test(reason)) return undefined;
  const action = KMS_ACTION.exec(reason)?.[0];
  const keyArn = KEY_ARN.exec(reason)?.[0];
  const principalArn = PRINCIPAL_ARN.exec(reason)?.[0];
  return { ...(action && { action }), ...(keyArn && { keyArn }), ...(principalArn && { principalArn }) };
}

/**
 * The first failure of the attempt and the cascades it caused. Failures that only say
 * "cancelled" or "the following resource(s) failed" are never the root when a real reason
 * exists; a nested stack's failure is followed into that stack's own events by the caller.
 */
export function rootCause(attempt: readonly StackEvent[], stackName: string): RootCause | undefined {
  const forward = attempt.slice(0, rollbackIndex(attempt, stackName));
  const failures = forward.filter((e) => isFailed(e) && !isStackEvent(e, [stackName]));
  // A nested stack's "Embedded stack … was not successfully created" hides its own root: the caller follows it.
  const root = failures.find((e) => !CASCADE.test(e.reason ?? '')) ?? failures.find((e) => e.type === STACK_TYPE && e.physicalId) ?? failures[0];
  if (!root) return undefined;
  const kms = kmsDenialIn(root.reason);
  return {
    stackName,
    event: root,
    cascades: failures.filter((e) => e !== root),
    ...(kms && { kms }),
  };
}

// ---------------------------------------------------------------- checks (evidence)

interface DecryptModule {
  decryptDenied: Playbook;
}

/** The decrypt-denied playbook, loaded only when a KMS denial needs it. */
async function loadDecryptDenied(): Promise<Playbook | undefined> {
  try {
    // Lazy: only a KMS denial pays for loading it (a literal, so bundles carry it).
    const mod = (await import('./decrypt-denied.js')) as Partial<DecryptModule>;
    return mod.decryptDenied;
  } catch {
    return undefined;
  }
}

/** What to hand to decrypt-denied: the key if it names one it accepts, else the role, else the stack. */
export function decryptTarget(playbook: Pick<Playbook, 'target'>, kms: KmsDenial, stackName: string): string | undefined {
  const role = kms.principalArn?.match(/:(?:assumed-role|role)\/([^/]+)/)?.[1];
  const keyId = kms.keyArn?.split('/').pop();
  return [kms.keyArn, keyId, kms.principalArn, role, stackName].find((t): t is string => t !== undefined && playbook.target.pattern.test(t));
}

async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<DeployFailedEvidence> {
  const now = opts.now?.() ?? new Date();
  const inv = new Investigation(DEPLOY_FAILED_CHECKS, opts);
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
          { target, region: input.region, hours: Math.max(input.hours, Math.min(sinceFailure, 24 * 14)) },
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

// ---------------------------------------------------------------- rules (findings)

export interface Leftover {
  kind: 'stack' | 'elastic-ip' | 'nat-gateway' | 'cache-cluster' | 'replication-group' | 'db-cluster';
  id: string;
  state: string;
  /** how it is tied to the stack */
  by: 'tag' | 'stack events' | 'stack';
  monthlyUsd?: number;
  /** why it matters, what to do */
  note: string;
  remediation?: RemediationRef;
}

/** Whether a resource belongs to the stack: its CloudFormation tags, or its id in the stack's events. */
function ownership(e: DeployFailedEvidence, tags: Record<string, string> | undefined, ids: Array<string | undefined>): Leftover['by'] | undefined {
  const stackName = tags?.[STACK_NAME_TAG];
  const stackId = tags?.[STACK_ID_TAG];
  if ((stackName && e.stackNames.includes(stackName)) || (stackId && e.stack && stackId === e.stack.id)) return 'tag';
  if (ids.some((id) => id !== undefined && e.physicalIds.has(id))) return 'stack events';
  return undefined;
}

/**
 * Stack statuses in which nothing the stack created is meant to live on: every resource
 * still tied to it is a leftover. (After a failed UPDATE, the stack's resources are live.)
 */
const LEFTOVER_STATUSES = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_FAILED', 'ROLLBACK_IN_PROGRESS', 'DELETE_IN_PROGRESS']);

export function leftovers(e: DeployFailedEvidence): Leftover[] {
  const out: Leftover[] = [];
  const region = e.input.region;
  const s = e.stack;
  if (s ? !LEFTOVER_STATUSES.has(s.status) && s.status !== 'UPDATE_ROLLBACK_FAILED' : !e.stackMissing) return [];
  if (s?.status === 'UPDATE_ROLLBACK_FAILED')
    return [
      {
        kind: 'stack',
        id: s.name,
        state: s.status,
        by: 'stack',
        note: 'The stack is stuck: fix what blocks the rollback, then `aws cloudformation continue-update-rollback` (skipping resources with `--resources-to-skip` if they cannot be fixed).',
      },
    ];
  if (s?.status === 'ROLLBACK_COMPLETE')
    out.push({
      kind: 'stack',
      id: s.name,
      state: s.status,
      by: 'stack',
      note: 'CloudFormation cannot update a stack in ROLLBACK_COMPLETE: the next deploy fails until the stack is deleted (`aws cloudformation delete-stack`).',
    });
  else if (s && /^(ROLLBACK_FAILED|DELETE_FAILED|CREATE_FAILED)$/.test(s.status))
    out.push({
      kind: 'stack',
      id: s.name,
      state: s.status,
      by: 'stack',
      note: 'The rollback could not delete everything: delete the resources below by hand, then delete the stack (`aws cloudformation delete-stack`; `--retain-resources` for any that still fail).',
    });

  const nats = (e.natGateways ?? []).filter((n) => LIVE_NAT_STATES.has(n.state));
  const leftoverNats = nats.flatMap((n) => {
    const by = ownership(e, n.tags, [n.id]);
    return by ? [{ n, by }] : [];
  });
  for (const { n, by } of leftoverNats)
    out.push({
      kind: 'nat-gateway',
      id: n.id,
      state: n.state,
      by,
      monthlyUsd: monthlyCost.natGateway(),
      note:
        `in ${n.subnetId ?? '?'} (${n.vpcId ?? '?'})` +
        (n.allocationIds.length ? `, holds ${n.allocationIds.join(', ')}` : '') +
        `; it keeps its subnet and VPC from being deleted. Delete it by hand: \`aws ec2 delete-nat-gateway --region ${region} --nat-gateway-id ${n.id}\`, then release its Elastic IPs.`,
    });

  for (const a of e.addresses ?? []) {
    const heldByLeftoverNat = leftoverNats.find(({ n }) => n.allocationIds.includes(a.allocationId));
    const by = ownership(e, a.tags, [a.allocationId, a.publicIp]) ?? (heldByLeftoverNat ? heldByLeftoverNat.by : undefined);
    if (!by) continue;
    if (a.associationId) {
      if (heldByLeftoverNat)
        out.push({
          kind: 'elastic-ip',
          id: a.allocationId,
          state: `associated with ${heldByLeftoverNat.n.id}`,
          by,
          monthlyUsd: monthlyCost.elasticIp(),
          note: `${a.publicIp}: release it once ${heldByLeftoverNat.n.id} is deleted (whybot releases only unassociated addresses).`,
        });
      continue;
    }
    out.push({
      kind: 'elastic-ip',
      id: a.allocationId,
      state: 'unassociated',
      by,
      monthlyUsd: monthlyCost.elasticIp(),
      note: `${a.publicIp}: counts against the Region’s Elastic IP quota (5 by default), which the next deploy’s NAT gateways need.`,
      remediation: {
        id: 'ec2-release-eip',
        label: `Release ${a.publicIp}`,
        params: { allocationId: a.allocationId, publicIp: a.publicIp, region },
      },
    });
  }

  if (e.caches) {
    const { clusters, groups, tags } = e.caches;
    for (const g of groups) {
      if (GONE_CACHE_STATES.has(g.status)) continue;
      const by = ownership(e, g.arn ? tags.get(g.arn) : undefined, [g.id, g.id.toLowerCase()]);
      if (!by) continue;
      const members = clusters.filter((c) => c.replicationGroupId === g.id);
      const costs = members.map((c) => monthlyCost.cacheNodes(c.nodeType ?? g.nodeType, c.numNodes, c.engine));
      const known = costs.every((c) => c !== undefined) && costs.length > 0;
      out.push({
        kind: 'replication-group',
        id: g.id,
        state: g.status,
        by,
        ...(known && { monthlyUsd: costs.reduce<number>((sum, c) => sum + (c ?? 0), 0) }),
        note: `${members.length} node${members.length === 1 ? '' : 's'}${members[0]?.nodeType ? ` of ${members[0].nodeType}` : ''}; a fixed replication group id makes the next deploy fail with “already exists”. A data store: whybot never deletes it.`,
      });
    }
    for (const c of clusters) {
      if (c.replicationGroupId || GONE_CACHE_STATES.has(c.status)) continue;
      const by = ownership(e, c.arn ? tags.get(c.arn) : undefined, [c.id, c.id.toLowerCase()]);
      if (!by) continue;
      const cost = monthlyCost.cacheNodes(c.nodeType, c.numNodes, c.engine);
      out.push({
        kind: 'cache-cluster',
        id: c.id,
        state: c.status,
        by,
        ...(cost !== undefined && { monthlyUsd: cost }),
        note: `${c.engine ?? 'cache'}, ${c.numNodes} × ${c.nodeType ?? '?'}; a fixed cluster id makes the next deploy fail with “already exists”. A data store: whybot never deletes it.`,
      });
    }
  }

  for (const d of e.dbClusters ?? []) {
    if (!FAILED_DB_STATUSES.has(d.status)) continue;
    const by = ownership(e, d.tags, [d.id, d.arn]);
    if (!by) continue;
    out.push({
      kind: 'db-cluster',
      id: d.id,
      state: d.status,
      by,
      note: `${d.engine ?? 'DB'} cluster in \`${d.status}\`; its identifier stays taken, so the next deploy fails with “already exists”. Storage (and any instances) bill while it exists; not estimated. A data store: whybot never deletes it.`,
    });
  }
  return out;
}

const kindLabel: Record<Leftover['kind'], string> = {
  stack: 'stack',
  'elastic-ip': 'Elastic IP',
  'nat-gateway': 'NAT gateway',
  'cache-cluster': 'ElastiCache cluster',
  'replication-group': 'ElastiCache replication group',
  'db-cluster': 'DB cluster',
};

const oneLine = (text: string | undefined, max = 240) => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * Failure reasons quote what a resource said, secrets included ("postgres://admin:…@",
 * "password=…"): redacted as they are read, before any cut could leave half a secret that no
 * pattern recognises (the edges redact again; src/redact).
 */
function redactReasons<T extends StackEvent[]>(events: T): T {
  for (const ev of events) if (ev.reason) ev.reason = redactText(ev.reason);
  return events;
}

function redactStackReason<T extends { statusReason?: string } | undefined>(stack: T): T {
  if (stack?.statusReason) stack.statusReason = redactText(stack.statusReason);
  return stack;
}

/** The reason without the wrappers CloudFormation and custom resources put around it. */
export function shortReason(reason: string | undefined, kms?: KmsDenial): string {
  if (kms?.action) {
    const role = kms.principalArn?.match(/:(?:assumed-role|role|user)\/([^/]+)/)?.[1];
    const key = kms.keyArn?.split('/').pop();
    const why = /no (identity-based|resource-based) policy/.exec(reason ?? '')?.[0];
    return `${role ? `role ${role}` : 'the deploy'} may not ${kms.action}${key ? ` key ${key}` : ''}${why ? ` (${why} allows it)` : ''}`;
  }
  let r = oneLine(reason, 2000)
    .replace(/^Received response status \[FAILED\] from custom resource\. Message returned:\s*/i, '')
    .replace(/^Resource handler returned message:\s*"?/i, '')
    .replace(/"?\s*\(HandlerErrorCode: [^)]*\)\s*$/, '');
  for (let i = 0; i < 3; i++) r = r.replace(/\s*\((Service|RequestId|Request ID)[^()]*\)\s*$/, '');
  return oneLine(r, 160);
}

function eventText(ev: StackEvent): string {
  return `${ev.logicalId} (${ev.type}) ${ev.status}${ev.reason ? `: ${oneLine(ev.reason, 600)}` : ''}`;
}

/** "DbCluster, CacheCluster (Resource creation cancelled); …": cascades grouped by reason. */
function foldCascades(cascades: readonly StackEvent[]): string {
  const byReason = new Map<string, string[]>();
  for (const c of cascades) {
    const reason = oneLine(c.reason, 120) || c.status;
    byReason.set(reason, [...(byReason.get(reason) ?? []), c.logicalId]);
  }
  return [...byReason].map(([reason, ids]) => `${[...new Set(ids)].join(', ')} (${reason})`).join('; ');
}

function decryptRemediations(result: PlaybookResult | undefined): RemediationRef[] {
  const seen = new Set<string>();
  const out: RemediationRef[] = [];
  for (const f of result?.findings ?? []) {
    if (f.severity === 'ok' || f.severity === 'info') continue;
    for (const r of f.remediations) {
      if (r.id === 'show-cli') continue;
      const key = `${r.id}:${JSON.stringify(r.params)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

function rootCauseRule(e: DeployFailedEvidence): Finding[] {
  const root = e.root;
  const name = e.stack?.name ?? e.input.target;
  if (!root) {
    if (!e.stack || !/FAILED|ROLLBACK/.test(e.stack.status) || !e.attempt) return [];
    // A failed status without a failed resource in the events read (older than the window?).
    return [
      {
        id: 'deploy-root-cause',
        severity: 'warning',
        title: `${name} is ${e.stack.status}; no failed resource in its ${e.eventsTruncated ? `latest ${MAX_EVENTS} ` : ''}events`,
        detail: `CloudFormation says: ${e.stack.statusReason ?? 'no reason given'}.`,
        evidence: [{ source: 'CloudFormation', text: `stack status ${e.stack.status}${e.stack.statusReason ? `: ${e.stack.statusReason}` : ''}` }],
        remediations: [],
      },
    ];
  }
  const ev = root.event;
  const where = root.stackName === name ? '' : ` (nested stack ${root.stackName})`;
  const lines: string[] = [`CloudFormation’s first failure${where}, at ${formatUtc(ev.time)}: \`${ev.logicalId}\` (${ev.type}) ${ev.status}.`, `Reason: ${oneLine(ev.reason, 1000) || 'none given'}`];
  if (root.cascades.length > 0)
    lines.push(`${root.cascades.length} later failure${root.cascades.length === 1 ? ' is a cascade' : 's are cascades'} of this one (folded): ${foldCascades(root.cascades)}.`);
  const evidence: Evidence[] = [{ source: 'CloudFormation', time: ev.time.toISOString(), text: eventText(ev) }];
  if (root.cascades.length > 0)
    evidence.push({ source: 'CloudFormation', text: `${root.cascades.length} cascade${root.cascades.length === 1 ? '' : 's'} folded: ${foldCascades(root.cascades)}` });
  let remediations: RemediationRef[] = [];
  if (root.kms) {
    const who = root.kms.principalArn ? ` for ${root.kms.principalArn}` : '';
    const key = root.kms.keyArn ? ` on ${root.kms.keyArn}` : '';
    lines.push(`This is a KMS denial (${root.kms.action ?? 'kms'}${key}${who}): whatever else failed, the deploy cannot succeed until that principal may use that key.`);
    if (e.decrypt) {
      lines.push(`decrypt-denied (\`${e.decrypt.target}\`) says: ${e.decrypt.verdict.summary}`);
      for (const f of e.decrypt.findings.filter((x) => x.severity !== 'ok').slice(0, 3)) lines.push(`• ${f.title}`);
      evidence.push({ source: 'decrypt-denied', text: `${e.decrypt.verdict.severity}: ${e.decrypt.verdict.summary}` });
      remediations = decryptRemediations(e.decrypt);
    } else {
      const reason = e.decryptUnavailable ?? e.checks.find((c) => c.id === 'decrypt-denied')?.reason;
      lines.push(`Run \`/why-decrypt-denied ${root.kms.keyArn ?? name}\` for whose grant is missing${reason ? ` (whybot could not run it here: ${reason})` : ''}.`);
    }
    lines.push('Incident 001: a hand-made customer key on the CDK bootstrap bucket or on an SSM parameter is the usual cause; the AWS managed key avoids it.');
  }
  return [
    {
      id: 'deploy-root-cause',
      severity: 'critical',
      title: `${name} failed at ${ev.logicalId} (${ev.type}): ${shortReason(ev.reason, root.kms) || ev.status}`,
      detail: lines.join('\n'),
      evidence,
      remediations: remediations.length > 0 ? [...remediations, { id: 'show-cli', label: 'Show CLI commands', params: {} }] : [],
    },
  ];
}

function leftoverRule(e: DeployFailedEvidence): Finding[] {
  const items = leftovers(e);
  if (items.length === 0) return [];
  const name = e.stack?.name ?? e.input.target;
  const priced = items.filter((i) => i.monthlyUsd !== undefined);
  const total = priced.reduce((sum, i) => sum + (i.monthlyUsd ?? 0), 0);
  const resources = items.filter((i) => i.kind !== 'stack');
  const unpriced = resources.filter((i) => i.monthlyUsd === undefined);
  const cost = priced.length > 0 ? ` (~${formatUsd(total)}/month)` : '';
  const releasable = items.flatMap((i) => (i.remediation ? [i.remediation] : []));
  const detail = [
    `What the failed deploy left behind${e.stackMissing ? ' (the stack itself is deleted; matched by its tags)' : ''}, tied to ${name} by its \`${STACK_NAME_TAG}\` tag or by its id in the stack’s events. Until they are gone, the next deploy fails on them (incident 001 §4).`,
    ...items.map(
      (i) =>
        `• ${kindLabel[i.kind]} \`${i.id}\` — ${i.state}${i.monthlyUsd !== undefined ? `, ~${formatUsd(i.monthlyUsd)}/month` : ''} (by ${i.by}): ${i.note}`,
    ),
    priced.length > 0 ? `Cost: ~${formatUsd(total)}/month, an ${PRICE_NOTE}${unpriced.length ? `; not included: ${unpriced.map((i) => i.id).join(', ')}` : ''}.` : '',
    'whybot never deletes data stores (DB clusters, caches): check whether they hold anything you need (snapshot it), then delete them yourself. It only releases unassociated Elastic IPs, on confirmation.',
    e.caches && !e.caches.tagsComplete ? `Only the first ${MAX_TAG_LOOKUPS} ElastiCache resources’ tags were read; others are matched by the stack’s events only.` : '',
  ].filter(Boolean);
  return [
    {
      id: 'leftover-resources',
      severity: 'warning',
      title: `${resources.length} leftover${resources.length === 1 ? '' : 's'} of ${name} will break the next deploy${cost}`,
      detail: detail.join('\n'),
      evidence: items.map((i) => ({
        source: i.kind === 'stack' ? 'CloudFormation' : i.kind === 'db-cluster' ? 'RDS' : i.kind.startsWith('cache') || i.kind === 'replication-group' ? 'ElastiCache' : 'EC2',
        text: `${kindLabel[i.kind]} ${i.id}: ${i.state}${i.monthlyUsd !== undefined ? `, ~${formatUsd(i.monthlyUsd)}/month` : ''}`,
      })),
      remediations: releasable.length > 0 ? [...releasable, { id: 'show-cli', label: 'Show CLI commands', params: {} }] : [],
    },
  ];
}

function contextRules(e: DeployFailedEvidence, findings: Finding[]): Finding[] {
  const out: Finding[] = [];
  if (e.stackMissing && !e.attempt) {
    const names = (e.failedStacks ?? []).filter((s) => s.status !== 'DELETE_COMPLETE').map((s) => s.name);
    const matches = closeMatches(e.input.target, names);
    out.push({
      id: 'stack-not-found',
      severity: 'warning',
      title: `No stack named ${e.input.target} in ${e.input.region}`,
      detail:
        matches.length > 0
          ? `Did you mean: ${matches.join(', ')}?`
          : names.length > 0
            ? `Stacks whose last deploy failed: ${names.slice(0, 20).join(', ')}.`
            : `No stack in ${e.input.region} is in a failed state. Is this the right Region (--region)?`,
      evidence: [],
      remediations: [],
    });
  }
  if (e.stack && !findings.some((f) => f.id === 'deploy-root-cause') && !/FAILED|ROLLBACK_COMPLETE/.test(e.stack.status) && e.attempt)
    out.push({
      id: 'stack-not-failed',
      severity: findings.length > 0 ? 'info' : 'ok',
      title: `${e.stack.name} is ${e.stack.status}: its last deploy did not fail`,
      detail: `Checked the stack’s events of its latest deploy${e.attempt[0] ? ` (since ${formatUtc(e.attempt[0].time)})` : ''} and the Region’s Elastic IPs, NAT gateways, caches and DB clusters for leftovers tied to it.`,
      evidence: [{ source: 'CloudFormation', text: `stack status ${e.stack.status}` }],
      remediations: [],
    });
  if (e.eventsTruncated && !e.root)
    out.push({
      id: 'stack-events-truncated',
      severity: 'info',
      title: `The stack has more than ${MAX_EVENTS} events; whybot read the newest`,
      detail: 'An older failure may be missing. `aws cloudformation describe-stack-events` lists them all.',
      evidence: [],
      remediations: [],
    });
  return out;
}

export function diagnose(e: DeployFailedEvidence): Finding[] {
  const findings = [...rootCauseRule(e), ...leftoverRule(e)];
  return [...findings, ...contextRules(e, findings)].sort(bySeverity);
}

export function verdict(e: DeployFailedEvidence, findings: Finding[]): PlaybookResult['verdict'] {
  const failed = e.checks.filter((c) => c.status === 'failed');
  const unchecked = failed.length > 0 ? ` ${failed.length} check${failed.length === 1 ? '' : 's'} could not run: ${failed.map((c) => c.id).join(', ')}.` : '';
  const root = findings.find((f) => f.id === 'deploy-root-cause');
  const left = findings.find((f) => f.id === 'leftover-resources');
  const parts: string[] = [];
  if (root && e.root) {
    const ev = e.root.event;
    let s = `Likely cause: ${ev.logicalId} (${ev.type}) failed first at ${formatUtc(ev.time)}: ${shortReason(ev.reason, e.root.kms) || ev.status}`;
    if (e.root.kms && e.decrypt) s += ` — decrypt-denied: ${e.decrypt.verdict.summary}`;
    else if (e.root.kms) s += ' — a KMS denial (see /why-decrypt-denied)';
    parts.push(s.endsWith('.') ? s : `${s}.`);
  } else if (root) parts.push(`${root.title}.`);
  if (left) parts.push(`${left.title}.`);
  if (parts.length > 0) return { severity: root?.severity ?? left!.severity, summary: `${parts.join(' ')}${unchecked}` };
  const top = findings[0];
  if (top && top.severity !== 'info') return { severity: top.severity, summary: `${top.title}.${top.severity === 'ok' ? '' : unchecked}` };
  if (failed.length > 0) return { severity: 'info', summary: `No cause found in what whybot could see.${unchecked}` };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No failed deploy and no leftovers found.' };
}

export function timeline(e: DeployFailedEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const names = [e.input.target, ...e.stackNames];
  const seen = new Set<StackEvent>();
  const add = (ev: StackEvent) => {
    if (seen.has(ev)) return;
    seen.add(ev);
    entries.push({ time: ev.time.toISOString(), source: 'CloudFormation', text: eventText(ev) });
  };
  for (const ev of e.attempt ?? []) if (isStackEvent(ev, names) || isFailed(ev) || ev.status === 'DELETE_SKIPPED') add(ev);
  if (e.root) add(e.root.event);
  for (const ev of e.rollbackFailures ?? []) add(ev);
  for (const t of e.decrypt?.timeline ?? []) entries.push({ ...t, source: t.source === 'CloudFormation' ? t.source : `${t.source} (decrypt-denied)` });
  const dedup = new Map(entries.map((t) => [`${t.time}|${t.source}|${t.text}`, t]));
  return [...dedup.values()].sort(byTime);
}

/** Stacks whose last deploy failed: what `/why-deploy-failed` offers without a target. */
export async function failedStackCandidates(aws: AwsClients): Promise<Candidate[]> {
  const stacks = await listStacks(aws, FAILED_STACK_STATUSES);
  const now = Date.now();
  return stacks.map((s) => ({
    id: s.name,
    description: `${s.status}${s.creationTime ? `, created ${formatDuration(now - s.creationTime.getTime())} ago` : ''}`,
  }));
}

export const deployFailed: Playbook = definePlaybook({
  ...PLAYBOOK_CATALOG['deploy-failed']!,
  candidates: failedStackCandidates,
  checks: DEPLOY_FAILED_CHECKS,
  // DescribeStacks → DescribeStackEvents (→ a nested stack's events) → decrypt-denied's own
  // chain (~3); the EC2, ElastiCache (→ ListTagsForResource) and RDS calls run beside it.
  criticalPathCalls: 6,
  gather,
  diagnose,
  verdict,
  timeline,
});
