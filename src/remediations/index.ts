// The registry of runnable actions. Each entry is the action's spec plus an execute/verify
// that load the implementation (./executors.ts) on first use, so importing the registry
// costs the specs only: a function pays for an action's SDK client when the action runs.
import { executorLoaders } from './executors.js';
import { remediationSpecs } from './metas.js';
import type { Params, RemediationAction, RemediationExecutor } from './types.js';

const loaded = new Map<string, Promise<RemediationExecutor>>();

/** The implementation of action `id`, imported once (and again after a failed import). */
export function loadExecutor(id: string): Promise<RemediationExecutor> {
  const load = executorLoaders[id];
  if (!load) return Promise.reject(new Error(`remediation action ${id} is not available here`));
  let p = loaded.get(id);
  if (!p) {
    p = load().then((executor) => {
      if (executor.id !== id) throw new Error(`the implementation loaded for ${id} is ${executor.id}`);
      return executor;
    });
    p.catch(() => loaded.delete(id));
    loaded.set(id, p);
  }
  return p;
}

/** Every action id this registry can run. */
export const remediationIds: readonly string[] = Object.keys(executorLoaders);

function lazyAction(id: string): RemediationAction {
  const spec = remediationSpecs[id];
  if (!spec) throw new Error(`remediation ${id} has an implementation but no spec (src/remediations/metas.ts)`);
  return {
    ...spec,
    execute: async (aws, p: Params) => (await loadExecutor(id)).execute(aws, p),
    verify: async (aws, p: Params, facts, opts) => (await loadExecutor(id)).verify(aws, p, facts, opts),
    reconcile: async (aws, p: Params, facts) => {
      const executor = await loadExecutor(id);
      return executor.reconcile ? executor.reconcile(aws, p, facts) : { happened: 'unknown' };
    },
  };
}

/** Every action a button can run. show-cli is not here: it writes nothing. */
export const remediations: Record<string, RemediationAction> = Object.fromEntries(remediationIds.map((id) => [id, lazyAction(id)]));
