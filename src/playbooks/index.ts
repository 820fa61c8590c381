import { dbDown } from './db-down.js';
import type { Playbook } from './types.js';

export const playbooks: Record<string, Playbook> = { [dbDown.name]: dbDown };
export type { Playbook };
