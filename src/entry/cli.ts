#!/usr/bin/env node
// whybot <playbook> [target] [--json] [--hours N] [--region R] [--secret S]
// Exit codes (DESIGN.md): 0 the playbook ran (whatever it found), 2 bad usage or config,
// 1 internal error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Only what `--help` and usage errors need is imported statically: the playbook catalog and
// the error class. Everything else (zod, the SDK, pino, a playbook) is imported when the
// command gets that far. The `whybot` bin runs this file as one bundle per command
// (scripts/bundle-cli.mjs), in which these import()s name exactly what that command runs.
import { AwsCallError } from '../aws/errors.js';
import { PLAYBOOK_CATALOG } from '../playbooks/catalog.js';
import type { Logger } from '../logger.js';
// The redaction layer's CLI edge: everything printed (the answer and the errors) passes it.
// Static: small, dependency-free, and stderr needs it in every bundle.
import { redactDeep, redactText } from '../redact/index.js';
import { MAX_HOURS } from '../time.js';

const USAGE = `Usage: whybot <playbook> [target] [--json] [--hours N] [--region R] [--secret S]
       whybot audit [--since 7d] [--json]     remediation audit log (WHYBOT_DB_PATH or WHYBOT_TABLE)
       whybot watch [--once]                  post rotation alerts from CloudTrail to WHYBOT_ALERT_CHANNEL
       whybot demo [scenario] [playbook [target]] [--json]
                                              a playbook against a built-in scenario (default incident-003,
                                              db-down prod-db): no AWS account, no credentials

Playbooks:
${Object.values(PLAYBOOK_CATALOG)
  .map((p) => `  ${p.name.padEnd(16)} ${p.summary}`)
  .join('\n')}

Options:
  --json        print one PlaybookResult as JSON
  --hours N     look back N hours for events (default 24, max ${MAX_HOURS})
  --region R    AWS Region (default: AWS_REGION / your AWS config)
  --secret S    the secret the app reads, when the DB password is not RDS-managed

AWS credentials come from the standard chain (AWS_PROFILE, aws sso login, env vars, roles).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  const { loadConfig } = await import('../config.js');
  const loaded = loadConfig();
  if (!loaded.ok) throw new UsageError(`Bad environment:\n  ${loaded.problems.join('\n  ')}`);
  const config = loaded.config;

  if (command === 'watch') {
    const { parseWatchArgs, runWatch } = await import('./watch.js');
    const args = parseWatchArgs(rest);
    if (!args.ok) throw new UsageError(`${args.message}\n\n${USAGE}`);
    const problem = await runWatch(config, args.once);
    if (problem) throw new UsageError(problem);
    return 0;
  }
  if (command === 'audit') {
    const { parseAuditArgs, printAudit } = await import('./audit.js');
    const args = parseAuditArgs(rest);
    if (!args.ok) throw new UsageError(`${args.message}\n\n${USAGE}`);
    await printAudit(config, args);
    return 0;
  }
  if (command === 'demo') {
    const { runDemo } = await import('../sandbox/app/demo.js');
    const outcome = await runDemo(rest, config);
    if (!outcome.ok) throw new UsageError(outcome.usage);
    process.stdout.write(outcome.output); // redacted as the playbook commands do (renderText, redactDeep)
    return 0;
  }
  if (!Object.hasOwn(PLAYBOOK_CATALOG, command)) throw new UsageError(`Unknown playbook "${command}".\n\n${USAGE}`);
  const entry = PLAYBOOK_CATALOG[command]!;
  // Usage is checked against the catalog before the playbook (and its AWS SDK clients) loads,
  // so a mistyped option costs no more than the config.
  const { parseInvocation } = await import('../playbooks/invocation.js');
  const parsed = parseInvocation(rest, { hours: config.defaultHours }, true, entry.target);
  if (!parsed.ok) throw new UsageError(`${parsed.message}\n\n${USAGE}`);
  const inv = parsed.value;

  const region = inv.region ?? config.region;
  if (!region) throw new UsageError('No AWS Region: pass --region R or set AWS_REGION.');
  const [playbook, { AwsClients }] = await Promise.all([
    import('../playbooks/index.js').then(async ({ loadPlaybook }) => (await loadPlaybook(command))!),
    import('../aws/clients.js'),
  ]);
  const aws = new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts });
  try {
    const creds = await aws.preflight();
    if (!creds.ok)
      throw new UsageError(
        `No AWS credentials (${creds.message}).\nLog in first, e.g. \`aws sso login --profile X\` then AWS_PROFILE=X, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`,
      );

    let target = inv.target;
    if (!target) {
      const { chooseTarget } = await import('../playbooks/candidates.js');
      const choice = await chooseTarget(playbook, aws);
      if (choice.kind === 'one') target = choice.id;
      else if (choice.kind === 'none') throw new UsageError(`Nothing to investigate in ${region}: pass the ${playbook.target.label}, or --region.`);
      else throw new UsageError(`Which ${playbook.target.label}? ${region} has: ${choice.candidates.map((c) => c.id).join(', ')}`);
    }

    // The text renderer loads while the playbook waits for AWS; the logger (pino) only if a
    // check fails with an internal error, which is the only thing the CLI logs.
    const render = inv.json ? undefined : import('../render/text.js');
    let log: Promise<Logger> | undefined;
    const logger = () =>
      (log ??= import('../logger.js').then(({ createLogger }) =>
        createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, { playbook: playbook.name }),
      ));
    const result = await playbook.run(
      aws,
      { target, region, hours: inv.hours, ...(inv.secret ? { secret: inv.secret } : {}) },
      {
        timeoutMs: config.checkTimeoutMs,
        onInternalError: (check, err) => void logger().then((l) => l.error({ err, check }, 'check failed with an internal error')),
      },
    );
    process.stdout.write(render ? (await render).renderText(result) : JSON.stringify(redactDeep(result), null, 2) + '\n');
    await log;
    return 0;
  } finally {
    aws.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(redactText(`whybot: ${err.message}\n`));
      process.exitCode = 2;
    } else if (err instanceof AwsCallError) {
      process.stderr.write(redactText(`whybot: AWS said no: ${err.message}${err.iamAction ? ` (needs ${err.iamAction})` : ''}\n`));
      process.exitCode = err.kind === 'credentials' || err.kind === 'access-denied' ? 2 : 1;
    } else {
      process.stderr.write(redactText(`whybot: internal error: ${err instanceof Error ? err.message : String(err)}\n`));
      process.exitCode = 1;
    }
  },
);
