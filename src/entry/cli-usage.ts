// What `whybot --help`, `whybot help [playbook]`, `whybot <playbook> --help` and
// `whybot --version` print. Only the catalog (names, summaries, targets): help never loads a
// playbook, zod or the SDK (the bench holds `--help` to 1.5× `node -e 0`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PLAYBOOK_CATALOG } from '../playbooks/catalog.js';
import { playbookHelp, playbookOptions, targetArg } from '../playbooks/help.js';
import { MAX_HOURS } from '../time.js';

/** Exit codes (docs/json-contract.md). */
export const EXIT = { ok: 0, internal: 1, usage: 2, failOn: 3 } as const;

const CLI_OPTIONS = `  --json            print one PlaybookResult as JSON (errors too, as one JSON error object)
  --fail-on LEVEL   exit ${EXIT.failOn} when the verdict is LEVEL or more severe: critical or warning
                    (default: exit 0 whenever the playbook ran, whatever it found)
  --hours N         look back N hours for events (default 24, max ${MAX_HOURS})
  --region R        AWS Region (default: AWS_REGION / your AWS config)
  --account A       with WHYBOT_ACCOUNTS: the account alias to look in (default: every one)`;

const FOOTER = `Exit codes: 0 the playbook ran, ${EXIT.failOn} it ran and the verdict reached --fail-on,
2 bad usage or configuration, 1 internal error.
AWS credentials come from the standard chain (AWS_PROFILE, aws sso login, env vars, roles).
Colours only on a terminal, never with NO_COLOR set; progress on stderr only on a terminal.`;

export function usage(): string {
  const playbooks = playbookHelp()
    .map((p) => `  ${p.name} ${p.target}\n      ${p.summary}`)
    .join('\n');
  return `Usage: whybot <playbook> [target] [--json] [--fail-on LEVEL] [--hours N] [--account A] [--region R] [--secret S]
       whybot <playbook> --help                 the playbook's target and options
       whybot demo [scenario] [playbook [target]] [--json]
                                                a playbook against a built-in scenario: no AWS account,
                                                no credentials (default incident-003, db-down prod-db)
       whybot audit [--since 7d] [--json]       remediation audit log (WHYBOT_DB_PATH or WHYBOT_TABLE)
       whybot watch [--once]                    post rotation alerts from CloudTrail to WHYBOT_ALERT_CHANNEL
       whybot help [playbook] | --help | --version

Playbooks:
${playbooks}

Options:
${CLI_OPTIONS}
  --secret ID       db-down: the secret the app reads, when the DB password is not RDS-managed

${FOOTER}`;
}

/** `whybot <playbook> --help`: what it answers, its target, its options, its Slack commands. */
export function playbookUsage(name: string): string {
  const meta = PLAYBOOK_CATALOG[name]!;
  const target = meta.target.required
    ? `${meta.target.label}: required; ${meta.target.hint}.`
    : `${meta.target.label}: optional; ${meta.target.hint}. Without it whybot picks the only candidate, lists them (exit 2), or says there is nothing to investigate.`;
  return `Usage: whybot ${name} ${targetArg(meta)} [--json] [--fail-on LEVEL] ${playbookOptions(meta)}

${meta.summary}

${target}

Options:
${CLI_OPTIONS}${meta.takesSecret ? '\n  --secret ID       the secret the app reads, when the DB password is not RDS-managed' : ''}

In Slack: /why-${name} ${targetArg(meta)} ${playbookOptions(meta)}, or /why ${name} …
Try it without AWS: whybot demo <scenario> ${name}

${FOOTER}`;
}

declare const __WHYBOT_VERSION__: string | undefined;

/** package.json's version: put in by scripts/bundle-cli.mjs, else read beside tsc's output. */
export function version(): string {
  if (typeof __WHYBOT_VERSION__ === 'string') return __WHYBOT_VERSION__;
  for (let dir = path.dirname(path.resolve(process.argv[1] ?? '.')); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'whybot' && pkg.version) return pkg.version;
    } catch {
      // not here: one folder up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
