// The investigation job: post the thread root, keep its checklist live, then replace it
// with the verdict and put the details in the thread. Runs after the ack, in this process
// or (on AWS) in the worker function; it needs only a Web API client and AWS clients.
import type { webApi } from '@slack/bolt';
import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../config.js';
import type { CheckProgress } from '../engine/investigation.js';
import type { Logger } from '../logger.js';
import { chooseTarget } from '../playbooks/candidates.js';
import { accountsOf, locate, nameThePlaceText, placesFor, refusedAction, unreachableText } from '../playbooks/places.js';
import type { Unreachable } from '../findings.js';
import { loadPlaybook } from '../playbooks/index.js';
import { failpoint } from '../engine/failpoints.js';
import type { PlaybookResult } from '../findings.js';
import type { Store } from '../store/types.js';
import type { InvestigateJob } from './jobs.js';
import { respondEphemeral } from './respond.js';
import { code, esc } from '../render/mrkdwn.js';
import { CoalescingUpdater } from './progress.js';
import { errorText, nothingFoundMessage, pickTargetMessage, progressMessage, threadMessages, verdictMessage, type SlackMessageBody } from './render.js';
import { encodePickContext } from './values.js';
import { remediations } from '../remediations/index.js';
import type { ActionSigner } from '../remediations/signed-value.js';

export interface WorkerDeps {
  client: webApi.WebClient;
  /** the journal, for the thread's root (so a re-run after a crash updates it) */
  store?: Pick<Store, 'journalUpdate'>;
  /** aborted at shutdown */
  signal?: AbortSignal;
  /** signs remediation buttons; absent = show-cli only */
  signer?: ActionSigner;
  awsFor: (region: string, account?: string) => AwsClients;
  config: Config;
  log: Logger;
}

const slackError = (err: unknown): string =>
  (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));

export async function runInvestigation(job: InvestigateJob, deps: WorkerDeps): Promise<void> {
  const { client, config, log } = deps;
  const playbook = await loadPlaybook(job.playbook);
  if (!playbook) {
    await respondEphemeral(job.responseUrl, { text: errorText(`Unknown playbook ${job.playbook}.`) });
    return;
  }
  // With WHYBOT_ACCOUNTS: the account and Region asked for, else every one, searched for the target.
  let place: { account?: string; region: string } = { ...(job.account ? { account: job.account } : {}), region: job.region };
  let unreachable: Unreachable[] = [];
  let found: string | undefined;
  if (config.accounts) {
    const places = placesFor(config, { ...(job.account ? { account: job.account } : {}), ...(job.regionAsked ? { region: job.region } : {}), channel: job.channel });
    if (!places.ok) {
      await respondEphemeral(job.responseUrl, { text: errorText(places.message) });
      return;
    }
    const label = playbook.target.label;
    const located = await locate(playbook, places.places, deps.awsFor, { ...(job.target ? { target: job.target } : {}), hours: job.hours, accounts: config.accounts });
    if (located.kind === 'name-the-account' || located.kind === 'arn-elsewhere') {
      const text = nameThePlaceText(located, { playbook: job.playbook, label, ...(job.target ? { target: job.target } : {}), accounts: config.accounts, code: (s) => `\`${s}\`` });
      await respondEphemeral(job.responseUrl, { text: errorText(text) });
      return;
    }
    const notSearched = located.kind !== 'here' && located.unreachable.length ? ` Could not look in ${unreachableText(located.unreachable)}.` : '';
    if (located.kind === 'none') {
      await respondEphemeral(job.responseUrl, { text: errorText(`${job.target ? `No ${label} ${code(job.target)}` : 'Nothing to investigate'} in ${accountsOf(located.searched)}.${notSearched} Name it, or add \`--account A\` / \`--region R\`.`) });
      return;
    }
    if (located.kind === 'many') {
      const blockId = encodePickContext({ p: job.playbook, h: job.hours, r: job.region, m: 1, ...(job.secret ? { s: job.secret } : {}) });
      await respondEphemeral(job.responseUrl, pickTargetMessage(job.playbook, label, located.candidates, blockId, notSearched.trim() || undefined));
      return;
    }
    place = located.place;
    unreachable = located.unreachable;
    found = located.target;
  }
  const aws = deps.awsFor(place.region, place.account);
  const creds = await aws.preflight();
  if (!creds.ok) {
    log.error({ reason: creds.message, account: place.account }, 'no AWS credentials');
    await respondEphemeral(job.responseUrl, {
      text: errorText(
        place.account
          ? `whybot cannot reach account ${place.account} (needs ${refusedAction(creds.message) ?? 'sts:AssumeRole'}): ${creds.message}`
          : `whybot has no AWS credentials for ${job.region} (${creds.message}). Ask whoever runs whybot to give it a role or profile.`,
      ),
    });
    return;
  }
  job = { ...job, region: place.region, ...(found ? { target: found } : {}) };

  let target = job.target;
  if (!target) {
    const choice = await chooseTarget(playbook, aws, { region: job.region, hours: job.hours }).catch((err: unknown) => ({ kind: 'error' as const, err }));
    if (choice.kind === 'error') {
      const e = choice.err as { message?: string; iamAction?: string };
      await respondEphemeral(job.responseUrl, {
        text: errorText(`Could not list what to investigate in ${job.region}: ${e.message ?? 'error'}. Name it: \`/why-${job.playbook} <${playbook.target.label}>\`.`),
      });
      return;
    }
    if (choice.kind === 'healthy') {
      // nothing to investigate, and that is the answer (no KMS denials, no failed stack)
      await respondEphemeral(job.responseUrl, nothingFoundMessage(choice.result));
      log.info({ playbook: job.playbook, verdict: choice.result.verdict.severity }, 'nothing to investigate');
      return;
    }
    if (choice.kind === 'none') {
      await respondEphemeral(job.responseUrl, { text: errorText(`Nothing to investigate in ${job.region}: name the ${playbook.target.label}.`) });
      return;
    }
    if (choice.kind === 'many') {
      // in another account, each option carries it, so the choice runs there too
      const account = place.account;
      const blockId = encodePickContext({ p: job.playbook, h: job.hours, r: job.region, ...(account ? { m: 1 as const } : {}), ...(job.secret ? { s: job.secret } : {}) });
      const options = account ? choice.candidates.map((c) => ({ ...c, account, region: job.region })) : choice.candidates;
      await respondEphemeral(job.responseUrl, pickTargetMessage(job.playbook, playbook.target.label, options, blockId));
      return;
    }
    target = choice.id;
  }

  const checks: CheckProgress[] = playbook.checks.map((c) => ({ ...c, state: 'pending' }));
  let root: { channel: string; ts: string };
  if (job.resume) {
    // Re-run after a crash: the thread already exists; its root shows the new run.
    root = job.resume;
    await client.chat.update({ channel: root.channel, ts: root.ts, ...progressMessage(job.playbook, target, job.region, checks) }).catch(() => undefined);
  } else {
    try {
      const posted = await client.chat.postMessage({ channel: job.channel, ...progressMessage(job.playbook, target, job.region, checks) });
      root = { channel: posted.channel ?? job.channel, ts: posted.ts ?? '' };
    } catch (err) {
      const why = slackError(err);
      log.warn({ err: why, channel: job.channel }, 'cannot post the thread root');
      await respondEphemeral(job.responseUrl, {
        text: errorText(
          why === 'not_in_channel' || why === 'channel_not_found'
            ? 'I can’t post in this channel. Invite me first (`/invite @whybot`), then run the command again.'
            : `I could not post in this channel (${why}).`,
        ),
      });
      return;
    }
    if (job.journalId) await deps.store?.journalUpdate(job.journalId, { facts: { rootChannel: root.channel, rootTs: root.ts } });
    failpoint('investigation:root-posted');
  }

  const update = (body: SlackMessageBody) => client.chat.update({ channel: root.channel, ts: root.ts, ...body }).then(() => undefined);
  const progress = new CoalescingUpdater<readonly CheckProgress[]>(
    (state) => update(progressMessage(job.playbook, target, job.region, state)).catch((err: unknown) => {
      log.warn({ err: slackError(err) }, 'progress update failed');
    }),
    config.progressIntervalMs,
  );

  let result: PlaybookResult;
  try {
    result = await playbook.run(
      aws,
      { target, region: job.region, hours: job.hours, ...(job.secret ? { secret: job.secret } : {}) },
      {
        timeoutMs: config.checkTimeoutMs,
        onProgress: (state) => progress.push(state),
        onInternalError: (check, err) => log.error({ err, check }, 'check failed with an internal error'),
      },
    );
    if (place.account || unreachable.length) result = { ...result, ...(place.account ? { account: place.account } : {}), ...(unreachable.length ? { unreachable } : {}) };
  } catch (err) {
    log.error({ err }, 'investigation failed');
    await progress.finish(() =>
      deliver(log, deps.signal, () =>
        update({
          text: 'whybot hit an internal error',
          blocks: [
            {
              type: 'section',
              text: { type: 'mrkdwn', text: `:x: whybot hit an internal error while investigating ${code(target)}: ${esc(slackError(err))}. It is logged; try again or run \`whybot ${esc(job.playbook)} ${esc(target)}\` locally.` },
            },
          ],
        }),
      ),
    );
    return;
  } finally {
    aws.destroy();
  }

  // Delivery: the verdict, then the thread. Slack failing here never turns a finished
  // investigation into an "internal error": each message is retried until Slack answers.
  await progress.finish(() =>
    deliver(log, deps.signal, async () => {
      try {
        await update(verdictMessage(result));
      } catch (err) {
        // the root cannot be edited (deleted, too old): the verdict goes into the thread instead
        if (slackError(err) !== 'message_not_found' && slackError(err) !== 'cant_update_message') throw err;
        await client.chat.postMessage({ channel: root.channel, thread_ts: root.ts, ...verdictMessage(result) });
      }
    }),
  );
  const signer = deps.signer;
  const buttonFor = signer
    ? (ref: { id: string; params: Record<string, string | number | boolean> }) =>
        remediations[ref.id] ? signer.sign({ a: ref.id, p: ref.params, ...(result.account ? { ac: result.account } : {}), c: root.channel, t: root.ts, ttlSeconds: config.buttonTtlSeconds }) : undefined
    : undefined;
  for (const message of threadMessages(result, buttonFor))
    await deliver(log, deps.signal, () => client.chat.postMessage({ channel: root.channel, thread_ts: root.ts, ...message }).then(() => undefined));
  log.info({ playbook: job.playbook, verdict: result.verdict.severity, findings: result.findings.map((f) => f.id) }, 'investigation done');
}

/** How long a finished answer waits for Slack to come back before it is left to the journal. */
const DELIVERY_PATIENCE_MS = 10 * 60_000;

/**
 * Sends one message, retrying past the WebClient's own retries while Slack is failing (an
 * outage of minutes, not seconds). Gives up, throwing, at shutdown or after the patience runs
 * out: the job's journal entry then stays open and the next run delivers a fresh answer.
 */
async function deliver(log: Logger, signal: AbortSignal | undefined, send: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + DELIVERY_PATIENCE_MS;
  for (let wait = 2_000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      return await send();
    } catch (err) {
      const why = slackError(err);
      if (PERMANENT.has(why) || signal?.aborted || Date.now() + wait > deadline) throw err;
      log.warn({ err: why, retryInMs: wait }, 'Slack did not take the answer; trying again');
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Slack errors that no retry fixes. */
const PERMANENT = new Set(['not_in_channel', 'channel_not_found', 'invalid_blocks', 'msg_too_long', 'is_archived', 'not_authed', 'invalid_auth', 'account_inactive', 'token_revoked']);
