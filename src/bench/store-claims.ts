// Claim throughput of a Store, for `npm run bench`. Also checks the claim-once invariant
// under contention, so a fast but wrong adapter does not pass as a good one.
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/types.js';

export interface ClaimThroughput {
  /** Distinct-nonce run: claims per second. */
  claimsPerSec: number;
  /** Distinct-nonce run: wins (must equal n). */
  wins: number;
  /** Contention run (n claims of one nonce): claims per second. */
  contentionClaimsPerSec: number;
  /** Contention run: wins (must be exactly 1). */
  contentionWins: number;
}

const TTL_SECONDS = 3600;

/** Runs task(0..n-1) with at most `concurrency` in flight; returns elapsed ms. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return performance.now() - started;
}

const perSec = (n: number, ms: number): number => (ms > 0 ? (n * 1000) / ms : Number.POSITIVE_INFINITY);

export async function claimThroughput(store: Store, n: number, concurrency: number): Promise<ClaimThroughput> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const run = randomUUID();

  let wins = 0;
  const ms = await pool(n, concurrency, async (i) => {
    const r = await store.claimOnce({ nonce: `bench-${run}-${i}`, actor: 'bench', action: 'bench', ttlSeconds: TTL_SECONDS });
    if (r.won) wins++;
  });

  let contentionWins = 0;
  const contentionMs = await pool(n, concurrency, async (i) => {
    const r = await store.claimOnce({ nonce: `bench-${run}-one`, actor: `bench-${i}`, action: 'bench', ttlSeconds: TTL_SECONDS });
    if (r.won) contentionWins++;
  });

  if (wins !== n) throw new Error(`claim-once broken: ${wins} of ${n} distinct nonces won`);
  if (contentionWins !== 1) throw new Error(`claim-once broken: ${contentionWins} winners for one nonce`);
  return { claimsPerSec: perSec(n, ms), wins, contentionClaimsPerSec: perSec(n, contentionMs), contentionWins };
}
