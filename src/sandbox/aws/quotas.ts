/**
 * Published API rate quotas the AWS double enforces (on by default), as data, and the
 * token bucket that models each of them on the double's clock.
 *
 * A quota names a signing name and an operation ("*": every operation of the service,
 * all drawing on one bucket) and what one bucket is shared by: `account` (every Region)
 * or `region` (one bucket per account and Region). A call draws one token from every
 * quota that matches it; if any of those buckets is empty the call is answered with the
 * service's throttling error and draws nothing. Buckets are kept per account (the scenario's,
 * or one reached through AssumeRole) and, for `region`, per Region too, as AWS keeps them.
 *
 * Sources (checked when this table was written):
 * - CloudTrail API Reference, LookupEvents: "The rate of lookup requests is limited to two
 *   per second, per account, per Region. If this limit is exceeded, a throttling error
 *   occurs." The error is `ThrottlingException`, which CloudTrail's model declares with
 *   HTTP 429 (`@httpError(429)`; the SDK's schema says the same).
 * - Route 53 Developer Guide, "Throttling for Amazon Route 53 API requests": one
 *   account-level bucket for all Route 53 API requests, maximum capacity 50, refill 10 per
 *   second (the page says Route 53 raised it from the former 5 requests per second); each
 *   operation also has its own bucket, 50/10 by default, which for the operations the
 *   double serves is never stricter than the account's, so it is not listed. A throttled
 *   request gets HTTP 400 with Code `Throttling` and Message `Rate exceeded`. Not
 *   modelled: the separate change-throughput bucket (record changes per second).
 */

export type QuotaScope = 'account' | 'region';

export interface Quota {
  /** signing name, e.g. "cloudtrail" */
  service: string;
  /** operation name, or "*" for every operation of the service (one shared bucket) */
  operation: string;
  /** one bucket per account (all Regions) or per account and Region */
  scope: QuotaScope;
  /** sustained rate: tokens added per second */
  ratePerSec: number;
  /** bucket capacity, the burst absorbed at once (default: ratePerSec) */
  burst?: number;
  /** the error a throttled call gets (default: the service protocol's throttling error) */
  error?: { code: string; status: number; message?: string };
  /** where the figure is published */
  source?: string;
}

export type QuotaTable = readonly Quota[];

/** The quotas the double enforces unless `startAwsDouble({ quotas })` says otherwise. */
export const AWS_QUOTAS: QuotaTable = [
  {
    service: 'cloudtrail',
    operation: 'LookupEvents',
    scope: 'region',
    ratePerSec: 2,
    burst: 2,
    error: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
    source: 'CloudTrail API Reference, LookupEvents',
  },
  {
    service: 'route53',
    operation: '*',
    scope: 'account',
    ratePerSec: 10,
    burst: 50,
    source: 'Route 53 Developer Guide, Throttling for Amazon Route 53 API requests (account level)',
  },
];

/** "cloudtrail:LookupEvents 2/s (burst 2) per account and Region" */
export function describeQuota(q: Quota): string {
  const where = q.scope === 'region' ? 'per account and Region' : 'per account';
  return `${q.service}:${q.operation} ${q.ratePerSec}/s (burst ${q.burst ?? q.ratePerSec}) ${where}`;
}

/** Below this many tokens short, a bucket counts as holding the token (float refill). */
const EPSILON = 1e-9;

/**
 * A token bucket: starts full, refills `ratePerSec` tokens per second up to `capacity`,
 * on the clock it is given (epoch or monotonic ms; only differences matter).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSec: number,
    readonly capacity: number,
    private readonly now: () => number,
  ) {
    if (!(ratePerSec > 0) || !(capacity >= 1)) throw new Error(`token bucket needs a rate > 0 and a capacity ≥ 1 (got ${ratePerSec}, ${capacity})`);
    this.tokens = capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
      this.last = t;
    }
  }

  /** tokens in the bucket now (fractional while refilling) */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** whether n tokens are there, without taking them */
  has(n = 1): boolean {
    return this.available() + EPSILON >= n;
  }

  /** takes n tokens if they are all there */
  tryTake(n = 1): boolean {
    if (!this.has(n)) return false;
    this.tokens = Math.max(0, this.tokens - n);
    return true;
  }

  /** ms until n tokens are there (0 if they are now) */
  waitMs(n = 1): number {
    const missing = n - this.available();
    return missing <= EPSILON ? 0 : (missing / this.ratePerSec) * 1000;
  }
}

export interface QuotaRequest {
  service: string;
  operation: string;
  account: string;
  region: string | undefined;
}

/** The live buckets of a quota table. */
export class QuotaLimiter {
  private table: QuotaTable;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    table: QuotaTable | false,
    private readonly now: () => number,
  ) {
    this.table = table === false ? [] : table;
  }

  /** replaces the table; every bucket starts full again */
  set(table: QuotaTable | false): void {
    this.table = table === false ? [] : table;
    this.buckets.clear();
  }

  /** every bucket full again */
  refillAll(): void {
    this.buckets.clear();
  }

  /**
   * Takes one token from every quota matching the request, or none if one of them is empty:
   * then returns that quota (the call is throttled).
   */
  take(req: QuotaRequest): Quota | undefined {
    const hits: TokenBucket[] = [];
    for (const [i, q] of this.table.entries()) {
      if (q.service !== req.service || (q.operation !== '*' && q.operation !== req.operation)) continue;
      const key = `${i}|${req.account}|${q.scope === 'region' ? (req.region ?? '') : '*'}`;
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = new TokenBucket(q.ratePerSec, q.burst ?? q.ratePerSec, this.now);
        this.buckets.set(key, bucket);
      }
      if (!bucket.has()) return q;
      hits.push(bucket);
    }
    for (const b of hits) b.tryTake();
    return undefined;
  }
}
