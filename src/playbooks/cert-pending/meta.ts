// The cert-pending playbook's catalog entry: its name, what its target looks like, its Slack command.
import { definePlaybookMeta } from '../playbook-meta.js';

export default definePlaybookMeta({
  name: 'cert-pending',
  summary: 'Why is the ACM certificate stuck in PENDING_VALIDATION? (duplicate hosted zones, validation CNAME in the wrong zone)',
  target: {
    label: 'domain',
    // a DNS name: labels of letters, digits and hyphens (not at either end), at least two labels, a trailing dot allowed
    pattern: /^(?=.{1,253}\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
    hint: 'a domain name like example.com: labels of letters, digits and hyphens, separated by dots',
    required: true,
  },
  slack: {
    description: 'Why is the ACM certificate stuck in PENDING_VALIDATION? (duplicate hosted zones)',
    usageHint: '<domain> [--account A] [--region R]',
  },
});
