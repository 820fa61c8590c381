// A rotation failed or was abandoned: say so in the alert channel, then run incident 002's
// investigation (the rotation-failed playbook) and post its verdict and findings in the
// alert's thread, exactly as `/why-rotation-failed` posts them: the person paged reads the
// cause, not raw log lines.
import { AwsCallError } from '../aws/errors.js';
import { describeSecret, type SecretInfo } from '../aws/secrets.js';
import type { PlaybookResult } from '../findings.js';
import { loadPlaybook } from '../playbooks/index.js';
import type { Playbook } from '../playbooks/types.js';
import { redactText } from '../redact/index.js';
import { code, esc, slackDate } from '../render/mrkdwn.js';
import { accountAliasOf, type RotationEvent } from './events.js';
import { claimAlert, type AlertDeps, type AlertOutcome } from './rotation-alert.js';

const PLAYBOOK = 'rotation-failed';
const HOUR_MS = 3_600_000;

/** The look-back that covers the failed step: whole hours since it, plus one; at least one. */
export function hoursCovering(eventTime: Date, now: Date): number {
  return Math.max(1, Math.ceil((now.getTime() - eventTime.getTime()) / HOUR_MS) + 1);
}

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: text.slice(0, 3000) } });

/** Why something did not work, for a person: AWS's own words with the IAM action, no stack. */
function reason(err: unknown): string {
  if (err instanceof AwsCallError) return `${err.message}${err.kind === 'access-denied' ? '' : ` (${err.iamAction})`}`;
  return err instanceof Error ? err.message : String(err);
}

/** The alert's root: short, what happened and to what; the cause comes from the playbook. */
function alertLines(e: RotationEvent, secret: SecretInfo | undefined): { text: string; lines: string[] } {
  const name = secret?.name ?? e.secretId;
  const fn = secret?.rotationLambdaArn;
  return {
    text: `Rotation of ${name} ${e.name === 'RotationAbandoned' ? 'was abandoned' : 'failed'}`,
    lines: [
      `:rotating_light: *Rotation of secret ${code(name)} ${e.name === 'RotationAbandoned' ? 'was abandoned' : 'failed'}* at ${slackDate(e.time)}`,
      fn ? `Rotation function: ${code(fn.slice(fn.lastIndexOf(':') + 1))}` : secret?.owningService ? `Rotated by ${esc(secret.owningService)} (managed rotation)` : 'Rotation function: unknown',
      // CloudTrail's errorMessage is whatever the rotation function raised: it can quote a password
      ...(e.errorMessage ? [`CloudTrail: ${esc(redactText(e.errorMessage))}`] : []),
    ],
  };
}

export async function handleRotationFailed(e: RotationEvent, deps: AlertDeps): Promise<AlertOutcome> {
  const { store, client, log } = deps;
  const claimed = await claimAlert(e, deps);
  if (typeof claimed === 'string') return claimed;
  const { channel } = claimed;
  const aws = deps.awsFor(e.region, accountAliasOf(e, deps.config));
  try {
    const secret = await describeSecret(aws, e.secretId).catch(() => undefined);
    const alert = alertLines(e, secret);
    // Slack's per-channel pace: every post goes through the WebClient's rate gate (slack/client-options.ts).
    const posted = await client.chat.postMessage({
      channel,
      text: alert.text,
      blocks: [section([...alert.lines, `:mag: Investigating with ${code(PLAYBOOK)}… the cause follows in this thread.`].join('\n'))],
    });
    const root = { channel: posted.channel ?? channel, ts: posted.ts ?? '' };

    const outcome = await investigate(e, secret, deps).catch((err: unknown) => ({ error: reason(err) }));
    if ('error' in outcome) {
      log.warn({ secret: secret?.name ?? e.secretId, err: outcome.error }, 'the rotation alert’s investigation did not finish');
      await client.chat.update({ channel: root.channel, ts: root.ts, text: alert.text, blocks: [section(alert.lines.join('\n'))] }).catch(() => undefined);
      await client.chat.postMessage({
        channel: root.channel,
        thread_ts: root.ts,
        text: 'The investigation could not finish',
        blocks: [
          section(
            `:warning: whybot could not finish investigating this rotation: ${esc(redactText(outcome.error))}.\nRun \`/why-${PLAYBOOK} ${esc(secret?.name ?? e.secretId)}\` to try again.`,
          ),
        ],
      });
      await store.finishClaim(`alert:${e.dedupeKey}`, 'done', root.ts);
      return 'posted';
    }
    await deps.postResult(root, { text: alert.text, mrkdwn: alert.lines.join('\n').slice(0, 3000) }, outcome.result);
    await store.finishClaim(`alert:${e.dedupeKey}`, 'done', root.ts);
    log.info({ secret: secret?.name ?? e.secretId, verdict: outcome.result.verdict.severity, findings: outcome.result.findings.map((f) => f.id) }, 'rotation failure alert posted');
    return 'posted';
  } catch (err) {
    // The claim stays: a retry of the same event must not post twice; the failure is logged.
    await store.finishClaim(`alert:${e.dedupeKey}`, 'failed', String(err)).catch(() => undefined);
    throw err;
  } finally {
    aws.destroy();
  }
}

/**
 * Runs the playbook for the secret over a window that covers the failed step. Each check has
 * its own timeout; the whole run is bounded by all of them in a row, so a hung run still ends
 * with a word in the thread rather than silence.
 */
async function investigate(e: RotationEvent, secret: SecretInfo | undefined, deps: AlertDeps): Promise<{ result: PlaybookResult }> {
  const playbook: Playbook | undefined = await (deps.loadPlaybook ?? loadPlaybook)(PLAYBOOK);
  if (!playbook) throw new Error(`the ${PLAYBOOK} playbook is not in this build`);
  const aws = deps.awsFor(e.region, accountAliasOf(e, deps.config));
  const budgetMs = deps.config.checkTimeoutMs * Math.max(1, playbook.checks.length);
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = playbook.run(
      aws,
      { target: secret?.arn ?? e.secretId, region: e.region, hours: hoursCovering(new Date(e.time), new Date()) },
      {
        timeoutMs: deps.config.checkTimeoutMs,
        onInternalError: (check, err) => deps.log.error({ err, check }, 'check failed with an internal error'),
      },
    );
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`it did not finish within ${Math.round(budgetMs / 1000)} s`)), budgetMs);
    });
    const result = await Promise.race([run, late]);
    const account = accountAliasOf(e, deps.config);
    return { result: account ? { ...result, account } : result };
  } finally {
    clearTimeout(timer);
    aws.destroy();
  }
}
