// Playbook implementations, loaded on demand: a process that runs db-down never loads the
// Route 53 or EC2 clients, and `whybot --help` loads none (names come from catalog.ts).
import type { Playbook } from './types.js';

const loaders: Record<string, () => Promise<Playbook>> = {
  'db-down': async () => (await import('./db-down.js')).dbDown,
  'decrypt-denied': async () => (await import('./decrypt-denied.js')).decryptDenied,
  'cert-pending': async () => (await import('./cert-pending.js')).certPending,
  'deploy-failed': async () => (await import('./deploy-failed.js')).deployFailed,
};

export async function loadPlaybook(name: string): Promise<Playbook | undefined> {
  return Object.hasOwn(loaders, name) ? loaders[name]!() : undefined;
}

export type { Playbook };
