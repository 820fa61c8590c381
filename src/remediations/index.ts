// The registry of runnable actions. Each entry is the action's metadata plus an execute/verify
// that load the implementation (./executors.ts) on first use, so importing the registry
// costs the metadata only: a function pays for an action's SDK client when the action runs.
import { eraseAction, eraseMeta } from './define.js';
import { executorLoaders } from './executors.js';
import { actionIds, typedMetas, type ActionId } from './metas.js';
import type { RemediationAction } from './types.js';

const loaded = new Map<ActionId, Promise<RemediationAction>>();

/** The implementation of action `id`, imported once (and again after a failed import); params erased here. */
export function loadExecutor<K extends ActionId>(id: K): Promise<RemediationAction> {
  const load = executorLoaders[id];
  if (!load) return Promise.reject(new Error(`remediation action ${id} is not available here`));
  let p = loaded.get(id);
  if (!p) {
    p = load().then((executor) => {
      if (executor.id !== id) throw new Error(`the implementation loaded for ${id} is ${executor.id}`);
      return eraseAction(executor);
    });
    p.catch(() => loaded.delete(id));
    loaded.set(id, p);
  }
  return p;
}

/** Every action id this registry can run (in the alerts bundle, the policy redeploy only). */
export const remediationIds: readonly ActionId[] = actionIds.filter((id) => executorLoaders[id] !== undefined);

/** Action `id`: its metadata now, its implementation when it first runs. */
function lazyAction<K extends ActionId>(id: K): RemediationAction {
  return {
    ...eraseMeta(typedMetas[id]),
    execute: async (aws, p) => (await loadExecutor(id)).execute(aws, p),
    verify: async (aws, p, facts, opts) => (await loadExecutor(id)).verify(aws, p, facts, opts),
    reconcile: async (aws, p, facts) => {
      const executor = await loadExecutor(id);
      return executor.reconcile ? executor.reconcile(aws, p, facts) : { happened: 'unknown' };
    },
  };
}

/** Every action a button can run. show-cli is not here: it writes nothing. */
export const remediations: Record<string, RemediationAction> = Object.fromEntries(remediationIds.map((id) => [id, lazyAction(id)]));
