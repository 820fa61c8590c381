// The db-down playbook's catalog entry: its name, what its target looks like, its Slack command.
import { definePlaybookMeta } from '../playbook-meta.js';

export default definePlaybookMeta({
  name: 'db-down',
  summary: 'Why can’t the app reach its database? (rotation → stale credentials, DB status)',
  target: {
    label: 'DB',
    pattern: /^[A-Za-z][A-Za-z0-9-]{0,62}$/,
    hint: 'a DB identifier starts with a letter and has only letters, digits and hyphens (max 63)',
    required: false,
  },
  takesSecret: true,
  slack: {
    description: 'Why can\'t the app reach its database? (rotation → stale credentials, DB status)',
    usageHint: '[db-cluster-or-instance] [--hours N] [--account A] [--region R] [--secret S]',
  },
});
