// The rotation-failed playbook's catalog entry: its name, what its target looks like, its Slack command.
import { definePlaybookMeta } from '../playbook-meta.js';

export default definePlaybookMeta({
  name: 'rotation-failed',
  summary: 'Why did the secret’s rotation fail? (function network path, timeout, secret JSON, DB login, SCRAM/TLS)',
  target: {
    label: 'secret',
    pattern: /^[A-Za-z0-9/_+=.@!:-]{1,2048}$/,
    hint: 'a secret name or ARN: letters, digits and / _ + = . @ ! : -',
    required: false,
  },
  slack: {
    description: 'Why did the secret’s rotation fail? (network path, timeout, secret JSON, DB login)',
    usageHint: '[secret-name-or-arn] [--hours N] [--account A] [--region R]',
  },
});
