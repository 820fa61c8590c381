// The build-failed playbook's catalog entry: its name, what its target looks like, its Slack command.
import { definePlaybookMeta } from '../playbook-meta.js';

export default definePlaybookMeta({
  name: 'build-failed',
  summary: 'Why did the CodeBuild build fail? (secrets in DOWNLOAD_SOURCE: CA bundle, VPC endpoint, permissions)',
  target: {
    label: 'codebuild project',
    pattern: /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/,
    hint: 'a CodeBuild project name: letters, digits, - and _ (2 to 255)',
    required: true,
  },
  slack: {
    description: 'Why did the CodeBuild build fail? (x509 in DOWNLOAD_SOURCE, VPC endpoint, secret env)',
    usageHint: '<codebuild-project> [--account A] [--region R]',
  },
});
