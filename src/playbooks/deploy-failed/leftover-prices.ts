// What the leftovers of a failed deploy cost while they sit there: a small, dated table of
// on-demand prices in us-east-1 (USD). An ESTIMATE: other Regions cost more or less
// (ap-northeast-1 is typically 10–30 % higher), data processing and transfer are extra, and
// prices change. Update PRICES_AS_OF with the table; the findings say both.
//
// Sources (public pricing pages): Amazon VPC pricing (public IPv4 address, since 2024-02-01;
// NAT gateway hourly), Amazon ElastiCache pricing (on-demand nodes).

export const PRICES_AS_OF = '2025-01';
export const PRICE_REGION = 'us-east-1';
/** AWS bills a month as 730 hours */
const HOURS_PER_MONTH = 730;

const HOURLY_USD = {
  /** a public IPv4 address, associated or idle (an Elastic IP included) */
  publicIpv4: 0.005,
  /** a NAT gateway's hourly charge, before $0.045/GB processed */
  natGateway: 0.045,
} as const;

/** ElastiCache on-demand node hours (Redis OSS / Memcached; Valkey is ~20 % less). */
const CACHE_NODE_HOURLY_USD: Record<string, number> = {
  'cache.t2.micro': 0.017,
  'cache.t3.micro': 0.017,
  'cache.t4g.micro': 0.016,
  'cache.t3.small': 0.034,
  'cache.t4g.small': 0.032,
  'cache.t3.medium': 0.068,
  'cache.t4g.medium': 0.065,
  'cache.m6g.large': 0.149,
  'cache.r6g.large': 0.206,
};

const monthly = (hourly: number) => Math.round(hourly * HOURS_PER_MONTH * 100) / 100;

export const monthlyCost = {
  elasticIp: (): number => monthly(HOURLY_USD.publicIpv4),
  natGateway: (): number => monthly(HOURLY_USD.natGateway),
  /** undefined for a node type the table does not know */
  cacheNodes: (nodeType: string | undefined, nodes: number, engine?: string): number | undefined => {
    const hourly = nodeType === undefined ? undefined : CACHE_NODE_HOURLY_USD[nodeType];
    if (hourly === undefined) return undefined;
    return monthly(hourly * nodes * (engine === 'valkey' ? 0.8 : 1));
  },
};

export function formatUsd(n: number): string {
  return `$${n.toFixed(2)}`;
}

export const PRICE_NOTE = `estimate at ${PRICE_REGION} on-demand prices as of ${PRICES_AS_OF} (730 h a month; data processing and transfer extra; other Regions differ)`;
