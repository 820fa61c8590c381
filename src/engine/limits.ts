// Process-wide rate limits, one limiter per account (or profile) × Region × API, so a burst
// of investigations queues instead of tripping AWS throttles. Clients are per investigation;
// the limiters are deliberately shared.
import Bottleneck from 'bottleneck';

/** Published per-account-per-Region quotas we pace ourselves under (requests per second). */
const knownQuotas: Record<string, number> = {
  'CloudTrail:LookupEvents': 2,
};
const defaultConcurrency = 8;

const limiters = new Map<string, Bottleneck>();

export function limiterFor(scope: string, service: string, operation: string): Bottleneck {
  const api = `${service}:${operation}`;
  const perSecond = knownQuotas[api];
  const key = perSecond ? `${scope}|${api}` : `${scope}|${service}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = perSecond
      ? new Bottleneck({
          reservoir: perSecond,
          reservoirRefreshAmount: perSecond,
          reservoirRefreshInterval: 1000,
          maxConcurrent: perSecond,
        })
      : new Bottleneck({ maxConcurrent: defaultConcurrency });
    limiters.set(key, limiter);
  }
  return limiter;
}
