// The playbooks' names, summaries, targets and Slack commands, without their checks' AWS
// clients: what the Slack function needs to validate a command and answer at once. Each entry
// is its folder's meta.ts; the implementations load on demand (index.ts).
import buildFailed from './build-failed/meta.js';
import certPending from './cert-pending/meta.js';
import dbDown from './db-down/meta.js';
import decryptDenied from './decrypt-denied/meta.js';
import deployFailed from './deploy-failed/meta.js';
import rotationFailed from './rotation-failed/meta.js';
import type { PlaybookMeta } from './playbook-meta.js';

export type { PlaybookMeta, TargetRule } from './playbook-meta.js';

const metas = [dbDown, decryptDenied, certPending, deployFailed, rotationFailed, buildFailed] as const;
export type PlaybookName = (typeof metas)[number]['name'];

export const PLAYBOOK_CATALOG: Record<string, PlaybookMeta> = Object.fromEntries(metas.map((m) => [m.name, m]));

export const slashCommandOf = (name: string): string => `/why-${name}`;
