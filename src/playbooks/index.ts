import { certPending } from './cert-pending.js';
import { dbDown } from './db-down.js';
import { decryptDenied } from './decrypt-denied.js';
import { deployFailed } from './deploy-failed.js';
import type { Playbook } from './types.js';

export const playbooks: Record<string, Playbook> = { [dbDown.name]: dbDown, [certPending.name]: certPending, [deployFailed.name]: deployFailed, [decryptDenied.name]: decryptDenied };
export type { Playbook };
