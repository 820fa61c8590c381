// The rate gate over a store: every process sharing the store shares each schedule. If the
// store cannot answer (a full disk, DynamoDB throttling), the process falls back to its own
// schedule for that call: pacing per process is worse than shared pacing, but a message or
// an AWS read is never lost to the limiter itself.
import { MemoryRateGate, type RateGate } from '../platform/rate-gate.js';
import type { Store } from './types.js';

export function storeRateGate(store: Pick<Store, 'reserveRate'>, onFallback?: (err: unknown) => void): RateGate {
  const local = new MemoryRateGate();
  return {
    async reserve(key, spec) {
      try {
        return await store.reserveRate(key, spec);
      } catch (err) {
        onFallback?.(err);
        return local.reserve(key, spec);
      }
    },
  };
}
