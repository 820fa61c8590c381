// Playbook implementations, loaded on demand: a process that runs db-down never loads the
// Route 53 or EC2 clients, and `whybot --help` loads none (names come from catalog.ts). The
// record is keyed by the catalog's names, so a playbook without a loader does not compile.
import type { PlaybookName } from './catalog.js';
import type { Playbook } from './types.js';

const loaders: Record<PlaybookName, () => Promise<Playbook>> = {
  'db-down': async () => (await import('./db-down/index.js')).default,
  'decrypt-denied': async () => (await import('./decrypt-denied/index.js')).default,
  'cert-pending': async () => (await import('./cert-pending/index.js')).default,
  'deploy-failed': async () => (await import('./deploy-failed/index.js')).default,
  'rotation-failed': async () => (await import('./rotation-failed/index.js')).default,
  'build-failed': async () => (await import('./build-failed/index.js')).default,
};

export async function loadPlaybook(name: string): Promise<Playbook | undefined> {
  return Object.hasOwn(loaders, name) ? loaders[name as PlaybookName]() : undefined;
}

export type { Playbook };
