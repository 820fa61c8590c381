// The decrypt-denied playbook's catalog entry: its name, what its target looks like, its Slack command.
import { definePlaybookMeta } from '../playbook-meta.js';

export default definePlaybookMeta({
  name: 'decrypt-denied',
  summary: 'Why is kms:Decrypt denied? (key policy vs identity policy, CDK bootstrap or SSM parameters on a customer managed key)',
  target: {
    label: 'key|role|stack',
    // a key id, key/alias ARN or alias/…, a role/user ARN (or assumed-role session ARN), a role name or a stack name
    pattern: /^(?:arn:aws[\w-]*:(?:kms|iam|sts):[a-z0-9-]*:\d{12}:[A-Za-z0-9/_+=,.@:-]{1,512}|alias\/[A-Za-z0-9/_-]{1,250}|(?:mrk-)?[0-9a-f-]{32,36}|[A-Za-z0-9+=,.@_-]{1,128})$/,
    hint: 'a KMS key (id, ARN or alias/name), a role (name or ARN) or a stack name',
    required: false,
  },
  slack: {
    description: 'Who is denied which KMS key, and the minimal key-policy fix (CDK bootstrap, SSM parameters)',
    usageHint: '[key | role | stack] [--hours N] [--account A] [--region R]',
  },
});
