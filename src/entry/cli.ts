#!/usr/bin/env node
// whybot <playbook> [target] [--json] [--fail-on LEVEL] [--hours N] [--account A] [--region R] [--secret S]
// Exit codes (docs/json-contract.md): 0 the playbook ran (whatever it found), 3 it ran and the
// verdict reached --fail-on, 2 bad usage or config, 1 internal error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Only what `--help` and usage errors need is imported statically: the playbook catalog and
// the error class. Everything else (zod, the SDK, pino, a playbook) is imported when the
// command gets that far. The `whybot` bin runs this file as one bundle per command
// (scripts/bundle-cli.mjs), in which these import()s name exactly what that command runs.
import { AwsCallError } from '../aws/errors.js';
import { actionToName } from '../engine/check-reason.js';
import { PLAYBOOK_CATALOG } from '../playbooks/catalog.js';
import { didYouMean } from '../playbooks/help.js';
import type { PlaybookResult, Unreachable } from '../findings.js';
import type { Logger } from '../logger.js';
import type { Config } from '../config.js';
// The redaction layer's CLI edge: everything printed (the answer and the errors) passes it.
// Static: small, dependency-free, and stderr needs it in every bundle.
import { redactDeep, redactText } from '../redact/index.js';
import { colorEnabled, painter, TerminalProgress } from '../render/terminal.js';
import { RESULT_SCHEMA_VERSION } from '../schema-version.js';
import { EXIT, playbookUsage, usage, version } from './cli-usage.js';

type ErrorCode = 'usage' | 'choose-target' | 'aws' | 'internal';

/** Bad usage or configuration (exit 2); `extra` goes into the JSON error object. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'usage',
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const SEVERITY_RANK = { critical: 3, warning: 2, info: 1, ok: 0 } as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(usage() + '\n');
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    process.stdout.write(`whybot ${version()}\n`);
    return EXIT.ok;
  }
  if (command === 'help') {
    const topic = rest.find((a) => !a.startsWith('-'));
    if (topic && !Object.hasOwn(PLAYBOOK_CATALOG, topic)) throw new UsageError(`No playbook "${topic}".${didYouMean(topic)}\n\n${usage()}`);
    process.stdout.write((topic ? playbookUsage(topic) : usage()) + '\n');
    return EXIT.ok;
  }
  const isPlaybook = Object.hasOwn(PLAYBOOK_CATALOG, command);
  if (isPlaybook && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(playbookUsage(command) + '\n');
    return EXIT.ok;
  }
  if (!isPlaybook && !['watch', 'audit', 'demo'].includes(command))
    throw new UsageError(`Unknown ${command.startsWith('-') ? 'option' : 'playbook'} "${command}".${didYouMean(command)}\n\n${usage()}`);

  const { loadConfig } = await import('../config.js');
  const loaded = loadConfig();
  if (!loaded.ok) throw new UsageError(`Bad environment:\n  ${loaded.problems.join('\n  ')}`);
  const config = loaded.config;

  if (command === 'watch') {
    const { parseWatchArgs, runWatch } = await import('./watch.js');
    const args = parseWatchArgs(rest);
    if (!args.ok) throw new UsageError(`${args.message}\n\n${usage()}`);
    const problem = await runWatch(config, args.once);
    if (problem) throw new UsageError(problem);
    return EXIT.ok;
  }
  if (command === 'audit') {
    const { parseAuditArgs, printAudit } = await import('./audit.js');
    const args = parseAuditArgs(rest);
    if (!args.ok) throw new UsageError(`${args.message}\n\n${usage()}`);
    await printAudit(config, args);
    return EXIT.ok;
  }
  if (command === 'demo') {
    const { runDemo } = await import('../sandbox/app/demo.js');
    const outcome = await runDemo(rest, config);
    if (!outcome.ok) throw new UsageError(outcome.usage);
    process.stdout.write(outcome.output); // redacted as the playbook commands do (renderText, redactDeep)
    return EXIT.ok;
  }
  const entry = PLAYBOOK_CATALOG[command]!;
  // Usage is checked against the catalog before the playbook (and its AWS SDK clients) loads,
  // so a mistyped option costs no more than the config.
  const { parseInvocation } = await import('../playbooks/invocation.js');
  const parsed = parseInvocation(rest, { hours: config.defaultHours }, true, entry.target);
  if (!parsed.ok) throw new UsageError(`${parsed.message}\n\n${playbookUsage(command)}`, 'usage', { playbook: command });
  const inv = parsed.value;

  // Where to look: whybot's own account in one Region, or (WHYBOT_ACCOUNTS) accounts × Regions.
  const [{ accountsOf, placesFor, locate, nameThePlaceText, refusedAction, unreachableText }, { readerAws }] = await Promise.all([import('../playbooks/places.js'), import('../aws/for-config.js')]);
  const places = placesFor(config, { ...(inv.account ? { account: inv.account } : {}), ...(inv.region ? { region: inv.region } : {}) });
  if (!places.ok) throw new UsageError(places.message, 'usage', { playbook: command });
  const playbook = (await (await import('../playbooks/index.js')).loadPlaybook(command))!;
  const awsFor = readerAws(config);
  // Given the bot's store (WHYBOT_DB_PATH or WHYBOT_TABLE), the CLI paces its AWS calls with the
  // bot's processes: LookupEvents' 2/s is per account × Region, whoever calls.
  if (config.store.dbPath || config.store.table) await shareRateLimits(config);
  // progress on stderr only on a terminal: pipes, files and tests see nothing
  const progress = new TerminalProgress(process.stderr, `${command}${inv.target ? ` ${inv.target}` : ''}`, painter(colorEnabled(process.stderr)));
  let place = places.places[0]!;
  let target = inv.target;
  let unreachable: Unreachable[] = [];
  if (config.accounts) {
    const label = playbook.target.label;
    if (places.places.length > 1) progress.note(`looking for ${target ? `${target}` : `a ${label}`} in ${places.places.length} accounts × Regions…`);
    const found = await locate(playbook, places.places, awsFor, { ...(target ? { target } : {}), hours: inv.hours, accounts: config.accounts });
    progress.clear();
    if (found.kind === 'name-the-account' || found.kind === 'arn-elsewhere')
      throw new UsageError(nameThePlaceText(found, { playbook: command, label, ...(target ? { target } : {}), accounts: config.accounts }), 'usage', { playbook: command });
    const notSearched = found.kind !== 'here' && found.unreachable.length ? ` Could not look in ${unreachableText(found.unreachable)}.` : '';
    const extra = found.kind !== 'here' && found.unreachable.length ? { unreachable: found.unreachable } : {};
    if (found.kind === 'none')
      throw new UsageError(`${target ? `No ${label} ${target}` : `Nothing to investigate`} in ${accountsOf(found.searched)}.${notSearched} Pass the ${label}, --account A or --region R.`, 'choose-target', {
        playbook: command,
        targetLabel: label,
        candidates: [],
        ...extra,
      });
    if (found.kind === 'many')
      throw new UsageError(
        `Which ${label}? Found in: ${found.candidates.map((c) => `${c.id} in ${c.account ?? 'whybot'} ${c.region}`).join(', ')}.${notSearched} Pass --account A --region R.`,
        'choose-target',
        { playbook: command, targetLabel: label, candidates: found.candidates, ...extra },
      );
    place = found.place;
    target = found.target;
    unreachable = found.unreachable;
  }
  const region = place.region;
  const aws = awsFor(region, place.account);
  try {
    const creds = await aws.preflight();
    if (!creds.ok && place.account) {
      const iamAction = refusedAction(creds.message) ?? 'sts:AssumeRole';
      throw new UsageError(`Cannot reach account ${place.account} (needs ${iamAction}): ${creds.message}`, 'aws', { playbook: command, region, iamAction });
    }
    if (!creds.ok)
      throw new UsageError(
        `No AWS credentials (${creds.message}).\nLog in first, e.g. \`aws sso login --profile X\` then AWS_PROFILE=X, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`,
        'usage',
        { playbook: command, region },
      );

    const render = inv.json ? undefined : import('../render/text.js');
    const print = async (answer: PlaybookResult): Promise<number> => {
      progress.clear();
      const result: PlaybookResult = { ...answer, ...(place.account ? { account: place.account } : {}), ...(unreachable.length ? { unreachable } : {}) };
      process.stdout.write(
        render ? (await render).renderText(result, { color: colorEnabled(process.stdout) }) : JSON.stringify(redactDeep(result), null, 2) + '\n',
      );
      return inv.failOn && SEVERITY_RANK[result.verdict.severity] >= SEVERITY_RANK[inv.failOn] ? EXIT.failOn : EXIT.ok;
    };

    if (!target) {
      const { chooseTarget } = await import('../playbooks/candidates.js');
      progress.note(`looking for a ${playbook.target.label} to investigate…`);
      const choice = await chooseTarget(playbook, aws, { region, hours: inv.hours });
      progress.clear();
      if (choice.kind === 'healthy') return await print(choice.result);
      if (choice.kind === 'one') target = choice.id;
      else if (choice.kind === 'none')
        throw new UsageError(`Nothing to investigate in ${region}: pass the ${playbook.target.label}, or --region.`, 'choose-target', {
          playbook: command,
          region,
          targetLabel: playbook.target.label,
          candidates: [],
        });
      else
        throw new UsageError(`Which ${playbook.target.label}? ${region} has: ${choice.candidates.map((c) => c.id).join(', ')}`, 'choose-target', {
          playbook: command,
          region,
          targetLabel: playbook.target.label,
          candidates: choice.candidates,
        });
    }

    // The logger (pino) loads only if a check fails with an internal error, which is the only
    // thing the CLI logs.
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
        onProgress: (checks) => progress.update(checks),
        onInternalError: (check, err) => void logger().then((l) => l.error({ err, check }, 'check failed with an internal error')),
      },
    );
    const code = await print(result);
    await log;
    return code;
  } finally {
    progress.clear();
    aws.destroy();
  }
}

/** Closed once main() has answered, whichever way (a store's open handle would keep the CLI alive). */
const openStores: Array<{ close(): Promise<void> }> = [];

async function shareRateLimits(config: Config): Promise<void> {
  const [{ openConfiguredStore }, { storeRateGate }, { useRateGate }, { learnOwnAccount }] = await Promise.all([
    import('../store/index.js'),
    import('../store/rate-gate.js'),
    import('../platform/rate-gate.js'),
    import('../aws/own-account.js'),
  ]);
  const store = openConfiguredStore(config);
  openStores.push(store);
  useRateGate(storeRateGate(store));
  // the bot keys its own account's limits by account id, whatever profile this shell uses
  await learnOwnAccount({ ...(config.region ? { region: config.region } : {}), ...(config.profile ? { profile: config.profile } : {}) });
}

/** With --json, an error is one JSON object on stdout too (docs/json-contract.md "Errors"). */
function fail(message: string, code: ErrorCode, extra: Record<string, unknown>, exitCode: number): void {
  if (wantsJson) {
    const error = { code, message, ...extra };
    process.stdout.write(JSON.stringify(redactDeep({ schemaVersion: RESULT_SCHEMA_VERSION, error }), null, 2) + '\n');
  } else process.stderr.write(redactText(`whybot: ${message}\n`));
  process.exitCode = exitCode;
}

const argv = process.argv.slice(2);
const wantsJson = argv.slice(1).includes('--json') && argv[0] !== 'audit' && argv[0] !== 'watch';

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      // the usage text is for people: a JSON error carries the message alone
      fail(wantsJson ? err.message.split('\n\n')[0]! : err.message, err.code, err.extra, EXIT.usage);
    } else if (err instanceof AwsCallError) {
      const needs = actionToName(err.message, err.iamAction);
      fail(`AWS said no: ${err.message}${needs ? ` (needs ${needs})` : ''}`, 'aws', err.iamAction ? { iamAction: err.iamAction } : {}, err.kind === 'credentials' || err.kind === 'access-denied' ? EXIT.usage : EXIT.internal);
    } else {
      fail(`internal error: ${err instanceof Error ? err.message : String(err)}`, 'internal', {}, EXIT.internal);
    }
  },
).finally(() => Promise.all(openStores.map((s) => s.close().catch(() => undefined))));
