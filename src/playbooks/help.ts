// What `whybot --help`, `whybot <playbook> --help` and `/why` say about the playbooks: names,
// one-line summaries and targets, from the catalog only (no implementation, no SDK), so help
// stays as fast as the catalog is small. Plain text; each front end formats and escapes it.
import { PLAYBOOK_CATALOG, type PlaybookMeta } from './catalog.js';
import { closeMatches } from './close-matches.js';

/** The target as a usage line shows it: `<domain>` when required, `[DB]` when optional. */
export const targetArg = (meta: PlaybookMeta): string => (meta.target.required ? `<${meta.target.label}>` : `[${meta.target.label}]`);

/** The options a playbook takes from anywhere (Slack and the CLI). */
export const playbookOptions = (meta: PlaybookMeta): string => `[--hours N] [--account A] [--region R]${meta.takesSecret ? ' [--secret S]' : ''}`;

export interface PlaybookHelpEntry {
  name: string;
  target: string;
  summary: string;
}

/** Every playbook, in the catalog's order. */
export function playbookHelp(): PlaybookHelpEntry[] {
  return Object.values(PLAYBOOK_CATALOG).map((m) => ({ name: m.name, target: targetArg(m), summary: m.summary }));
}

/** The playbook names closest to what was typed (none when nothing is close). */
export function suggestPlaybooks(typed: string): string[] {
  return closeMatches(typed.slice(0, 100), Object.keys(PLAYBOOK_CATALOG), 3);
}

/** "Did you mean db-down?" or "" — for an unknown playbook name. */
export function didYouMean(typed: string): string {
  const close = suggestPlaybooks(typed);
  if (close.length === 0) return '';
  return ` Did you mean ${close.length === 1 ? close[0] : `${close.slice(0, -1).join(', ')} or ${close.at(-1)}`}?`;
}
