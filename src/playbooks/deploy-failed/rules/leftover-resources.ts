// What the failed deploy left behind that breaks the next one, with what it costs; offers to
// release only the unassociated Elastic IPs.
import { code, list, para, rich, type Span } from '../../../markup.js';
import { MAX_TAG_LOOKUPS, rule } from '../evidence.js';
import { formatUsd, PRICE_NOTE } from '../leftover-prices.js';
import { kindLabel, leftovers, leftoverSource, STACK_NAME_TAG, type LeftoverKind } from '../leftovers.js';

export interface LeftoverData {
  stack: string;
  /** the stack is deleted: its leftovers were matched by their tags */
  stackMissing: boolean;
  items: Array<{ kind: LeftoverKind; id: string; state: string; by: string; monthlyUsd?: number }>;
  /** leftovers other than the stack itself */
  resources: number;
  /** the priced leftovers' monthly cost, when any is priced */
  monthlyUsd?: number;
  /** ids of the resources the estimate leaves out */
  unpriced: string[];
}

export default rule({
  id: 'leftover-resources',
  severity: 'warning',
  summary: 'Resources the failed deploy left behind (Elastic IPs, NAT gateways, caches, DB clusters) that break the next deploy, with their cost',
  needs: ['stack'],
  remediations: ['ec2-release-eip', 'show-cli'],
  apply(e) {
    const items = leftovers(e);
    if (items.length === 0) return undefined;
    const name = e.stack?.name ?? e.input.target;
    const priced = items.filter((i) => i.monthlyUsd !== undefined);
    const total = priced.reduce((sum, i) => sum + (i.monthlyUsd ?? 0), 0);
    const resources = items.filter((i) => i.kind !== 'stack');
    const unpriced = resources.filter((i) => i.monthlyUsd === undefined);
    const cost = priced.length > 0 ? ` (~${formatUsd(total)}/month)` : '';
    const releasable = items.flatMap((i) => (i.remediation ? [i.remediation] : []));
    const costOf = (usd: number | undefined) => (usd !== undefined ? `, ~${formatUsd(usd)}/month` : '');
    const data: LeftoverData = {
      stack: name,
      stackMissing: e.stackMissing === true,
      items: items.map((i) => ({ kind: i.kind, id: i.id, state: i.state, by: i.by, ...(i.monthlyUsd !== undefined ? { monthlyUsd: i.monthlyUsd } : {}) })),
      resources: resources.length,
      ...(priced.length > 0 ? { monthlyUsd: total } : {}),
      unpriced: unpriced.map((i) => i.id),
    };
    return {
      data,
      title: `${resources.length} leftover${resources.length === 1 ? '' : 's'} of ${name} will break the next deploy${cost}`,
      detail: rich(
        para(
          `What the failed deploy left behind${e.stackMissing ? ' (the stack itself is deleted; matched by its tags)' : ''}, tied to ${name} by its `,
          code(STACK_NAME_TAG),
          ' tag or by its id in the stack’s events. Until they are gone, the next deploy fails on them (incident 001 §4).',
        ),
        list(...items.map((i): Span[] => [`${kindLabel[i.kind]} `, code(i.id), ` — ${i.state}${costOf(i.monthlyUsd)} (by ${i.by}): `, ...i.note])),
        priced.length > 0 &&
          para(`Cost: ~${formatUsd(total)}/month, an ${PRICE_NOTE}${unpriced.length ? `; not included: ${unpriced.map((i) => i.id).join(', ')}` : ''}.`),
        para(
          'whybot never deletes data stores (DB clusters, caches): check whether they hold anything you need (snapshot it), then delete them yourself. It only releases unassociated Elastic IPs, on confirmation.',
        ),
        e.caches !== undefined &&
          !e.caches.tagsComplete &&
          para(`Only the first ${MAX_TAG_LOOKUPS} ElastiCache resources’ tags were read; others are matched by the stack’s events only.`),
      ),
      evidence: items.map((i) => ({ source: leftoverSource(i.kind), text: `${kindLabel[i.kind]} ${i.id}: ${i.state}${costOf(i.monthlyUsd)}` })),
      remediations: releasable.length > 0 ? [...releasable, { id: 'show-cli', label: 'Show CLI commands', params: {} }] : [],
    };
  },
});
