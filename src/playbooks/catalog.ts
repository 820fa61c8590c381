// The playbooks' names and one-line summaries, without their checks' AWS clients: what the
// Slack function needs for commands and help.
export interface PlaybookEntry {
  name: string;
  summary: string;
}

export const PLAYBOOK_CATALOG: Record<string, PlaybookEntry> = {
  'db-down': { name: 'db-down', summary: 'Why can’t the app reach its database? (rotation → stale credentials, DB status)' },
};
