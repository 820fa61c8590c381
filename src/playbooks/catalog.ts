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
  'decrypt-denied': {
    name: 'decrypt-denied',
    summary: 'Why is kms:Decrypt denied? (key policy vs identity policy, CDK bootstrap or SSM parameters on a customer managed key)',
    target: {
      label: 'key|role|stack',
      // a key id, key/alias ARN or alias/…, a role/user ARN (or assumed-role session ARN), a role name or a stack name
      pattern: /^(?:arn:aws[\w-]*:(?:kms|iam|sts):[a-z0-9-]*:\d{12}:[A-Za-z0-9/_+=,.@:-]{1,512}|alias\/[A-Za-z0-9/_-]{1,250}|(?:mrk-)?[0-9a-f-]{32,36}|[A-Za-z0-9+=,.@_-]{1,128})$/,
      hint: 'a KMS key (id, ARN or alias/name), a role (name or ARN) or a stack name',
      required: false,
    },
  },
  'cert-pending': {
    name: 'cert-pending',
    summary: 'Why is the ACM certificate stuck in PENDING_VALIDATION? (duplicate hosted zones, validation CNAME in the wrong zone)',
    target: {
      label: 'domain',
      // a DNS name: labels of letters, digits and hyphens (not at either end), at least two labels, a trailing dot allowed
      pattern: /^(?=.{1,253}\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
      hint: 'a domain name like example.com: labels of letters, digits and hyphens, separated by dots',
      required: true,
    },
  },
  'deploy-failed': {
    name: 'deploy-failed',
    summary: 'Why did the CloudFormation/CDK deploy fail, and what did it leave behind? (first failure, leftovers)',
    target: {
      label: 'stack',
      pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
      hint: 'a stack name starts with a letter and has only letters, digits and hyphens (max 128)',
      required: false,
    },
  },
};
