// The deploy-failed playbook's catalog entry: its name, what its target looks like, its Slack command.
import { definePlaybookMeta } from '../playbook-meta.js';

export default definePlaybookMeta({
  name: 'deploy-failed',
  summary: 'Why did the CloudFormation/CDK deploy fail, and what did it leave behind? (first failure, leftovers)',
  target: {
    label: 'stack',
    pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    hint: 'a stack name starts with a letter and has only letters, digits and hyphens (max 128)',
    required: false,
  },
  slack: {
    description: 'Why did the stack fail, and what did it leave behind that breaks the next deploy?',
    usageHint: '[stack] [--hours N] [--account A] [--region R]',
  },
});
