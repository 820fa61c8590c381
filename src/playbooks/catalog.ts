// The playbooks' names, summaries and what their target looks like, without their checks'
// AWS clients: what the Slack function needs to validate a command and answer at once.
export interface TargetRule {
  /** what the target is, for usage lines: "db", "key|role|stack", "domain" */
  label: string;
  pattern: RegExp;
  /** said when the target does not match */
  hint: string;
  /** without a target the playbook picks the only candidate or asks (candidates()) */
  required: boolean;
}

export interface PlaybookEntry {
  name: string;
  summary: string;
  target: TargetRule;
  /** the --secret option means something to this playbook */
  takesSecret?: boolean;
}

export const PLAYBOOK_CATALOG: Record<string, PlaybookEntry> = {
  'db-down': {
    name: 'db-down',
    summary: 'Why can’t the app reach its database? (rotation → stale credentials, DB status)',
    target: {
      label: 'DB',
      pattern: /^[A-Za-z][A-Za-z0-9-]{0,62}$/,
      hint: 'a DB identifier starts with a letter and has only letters, digits and hyphens (max 63)',
      required: false,
    },
    takesSecret: true,
  },
};
