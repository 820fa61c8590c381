// What a failed deploy left behind, read off the evidence: the stack itself when it blocks the
// next deploy, and each Elastic IP, NAT gateway, cache and failed DB cluster tied to the stack
// by its CloudFormation tags or by its id in the stack's events, with what it costs.
import type { RemediationRef } from '../../findings.js';
import { code, type Span } from '../../markup.js';
import { GONE_CACHE_STATES, type DeployFailedEvidence } from './evidence.js';
import { monthlyCost } from './leftover-prices.js';

export const STACK_NAME_TAG = 'aws:cloudformation:stack-name';
const STACK_ID_TAG = 'aws:cloudformation:stack-id';

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

/**
 * Stack statuses in which nothing the stack created is meant to live on: every resource
 * still tied to it is a leftover. (After a failed UPDATE, the stack's resources are live.)
 */
const LEFTOVER_STATUSES = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED', 'DELETE_FAILED', 'ROLLBACK_IN_PROGRESS', 'DELETE_IN_PROGRESS']);

export type LeftoverKind = 'stack' | 'elastic-ip' | 'nat-gateway' | 'cache-cluster' | 'replication-group' | 'db-cluster';

export interface Leftover {
  kind: LeftoverKind;
  id: string;
  state: string;
  /** how it is tied to the stack */
  by: 'tag' | 'stack events' | 'stack';
  monthlyUsd?: number;
  /** why it matters, what to do */
  note: Span[];
  remediation?: RemediationRef;
}

export const kindLabel: Record<LeftoverKind, string> = {
  stack: 'stack',
  'elastic-ip': 'Elastic IP',
  'nat-gateway': 'NAT gateway',
  'cache-cluster': 'ElastiCache cluster',
  'replication-group': 'ElastiCache replication group',
  'db-cluster': 'DB cluster',
};

/** The service a leftover's evidence line comes from. */
export const leftoverSource = (kind: LeftoverKind): string =>
  kind === 'stack' ? 'CloudFormation' : kind === 'db-cluster' ? 'RDS' : kind.startsWith('cache') || kind === 'replication-group' ? 'ElastiCache' : 'EC2';

/** Whether a resource belongs to the stack: its CloudFormation tags, or its id in the stack's events. */
function ownership(e: DeployFailedEvidence, tags: Record<string, string> | undefined, ids: Array<string | undefined>): Leftover['by'] | undefined {
  const stackName = tags?.[STACK_NAME_TAG];
  const stackId = tags?.[STACK_ID_TAG];
  if ((stackName && e.stackNames.includes(stackName)) || (stackId && e.stack && stackId === e.stack.id)) return 'tag';
  if (ids.some((id) => id !== undefined && e.physicalIds.has(id))) return 'stack events';
  return undefined;
}

const DATA_STORE = ' A data store: whybot never deletes it.';

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
        note: [
          'The stack is stuck: fix what blocks the rollback, then ',
          code('aws cloudformation continue-update-rollback'),
          ' (skipping resources with ',
          code('--resources-to-skip'),
          ' if they cannot be fixed).',
        ],
      },
    ];
  if (s?.status === 'ROLLBACK_COMPLETE')
    out.push({
      kind: 'stack',
      id: s.name,
      state: s.status,
      by: 'stack',
      note: ['CloudFormation cannot update a stack in ROLLBACK_COMPLETE: the next deploy fails until the stack is deleted (', code('aws cloudformation delete-stack'), ').'],
    });
  else if (s && /^(ROLLBACK_FAILED|DELETE_FAILED|CREATE_FAILED)$/.test(s.status))
    out.push({
      kind: 'stack',
      id: s.name,
      state: s.status,
      by: 'stack',
      note: [
        'The rollback could not delete everything: delete the resources below by hand, then delete the stack (',
        code('aws cloudformation delete-stack'),
        '; ',
        code('--retain-resources'),
        ' for any that still fail).',
      ],
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
      note: [
        `in ${n.subnetId ?? '?'} (${n.vpcId ?? '?'})` +
          (n.allocationIds.length ? `, holds ${n.allocationIds.join(', ')}` : '') +
          '; it keeps its subnet and VPC from being deleted. Delete it by hand: ',
        code(`aws ec2 delete-nat-gateway --region ${region} --nat-gateway-id ${n.id}`),
        ', then release its Elastic IPs.',
      ],
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
          note: [`${a.publicIp}: release it once ${heldByLeftoverNat.n.id} is deleted (whybot releases only unassociated addresses).`],
        });
      continue;
    }
    out.push({
      kind: 'elastic-ip',
      id: a.allocationId,
      state: 'unassociated',
      by,
      monthlyUsd: monthlyCost.elasticIp(),
      note: [`${a.publicIp}: counts against the Region’s Elastic IP quota (5 by default), which the next deploy’s NAT gateways need.`],
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
        note: [
          `${members.length} node${members.length === 1 ? '' : 's'}${members[0]?.nodeType ? ` of ${members[0].nodeType}` : ''}; a fixed replication group id makes the next deploy fail with “already exists”.${DATA_STORE}`,
        ],
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
        note: [`${c.engine ?? 'cache'}, ${c.numNodes} × ${c.nodeType ?? '?'}; a fixed cluster id makes the next deploy fail with “already exists”.${DATA_STORE}`],
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
      note: [
        `${d.engine ?? 'DB'} cluster in `,
        code(d.status),
        `; its identifier stays taken, so the next deploy fails with “already exists”. Storage (and any instances) bill while it exists; not estimated.${DATA_STORE}`,
      ],
    });
  }
  return out;
}
