// The investigation job: post the thread root, keep its checklist live, then replace it
// with the verdict and put the details in the thread. Runs after the ack, in this process
// or (on AWS) in the worker function; it needs only a Web API client and AWS clients.
import type { webApi } from '@slack/bolt';
import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../config.js';
import type { CheckProgress } from '../engine/investigation.js';
import type { Logger } from '../logger.js';
import { chooseTarget } from '../playbooks/candidates.js';
import { loadPlaybook } from '../playbooks/index.js';
import type { InvestigateJob } from './jobs.js';
import { respondEphemeral } from './respond.js';
import { code, esc } from './mrkdwn.js';
import { CoalescingUpdater } from './progress.js';
import { errorText, pickTargetMessage, progressMessage, threadMessages, verdictMessage, type SlackMessageBody } from './render.js';
import { encodePickContext } from './values.js';
import { remediations } from '../remediations/index.js';
import type { ActionSigner } from '../remediations/signed-value.js';

export interface WorkerDeps {
  client: webApi.WebClient;
  /** signs remediation buttons; absent = show-cli only */
  signer?: ActionSigner;
  awsFor: (region: string) => AwsClients;
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
  const aws = deps.awsFor(job.region);
  const creds = await aws.preflight();
  if (!creds.ok) {
    log.error({ reason: creds.message }, 'no AWS credentials');
    await respondEphemeral(job.responseUrl, {
      text: errorText(`whybot has no AWS credentials for ${job.region} (${creds.message}). Ask whoever runs whybot to give it a role or profile.`),
    });
    return;
  }

  let target = job.target;
  if (!target) {
    const choice = await chooseTarget(playbook, aws).catch((err: unknown) => ({ kind: 'error' as const, err }));
    if (choice.kind === 'error') {
      const e = choice.err as { message?: string; iamAction?: string };
      await respondEphemeral(job.responseUrl, {
        text: errorText(`Could not list what to investigate in ${job.region}: ${e.message ?? 'error'}. Name it: \`/why-${job.playbook} <${playbook.target.label}>\`.`),
      });
      return;
    }
    if (choice.kind === 'none') {
      await respondEphemeral(job.responseUrl, { text: errorText(`Nothing to investigate in ${job.region}: name the ${playbook.target.label}.`) });
      return;
    }
    if (choice.kind === 'many') {
      const blockId = encodePickContext({ p: job.playbook, h: job.hours, r: job.region, ...(job.secret ? { s: job.secret } : {}) });
      await respondEphemeral(job.responseUrl, pickTargetMessage(job.playbook, playbook.target.label, choice.candidates, blockId));
      return;
    }
    target = choice.id;
  }

  const checks: CheckProgress[] = playbook.checks.map((c) => ({ ...c, state: 'pending' }));
  let root: { channel: string; ts: string };
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

  const update = (body: SlackMessageBody) => client.chat.update({ channel: root.channel, ts: root.ts, ...body }).then(() => undefined);
  const progress = new CoalescingUpdater<readonly CheckProgress[]>(
    (state) => update(progressMessage(job.playbook, target, job.region, state)).catch((err: unknown) => {
      log.warn({ err: slackError(err) }, 'progress update failed');
    }),
    config.progressIntervalMs,
  );

  try {
    const result = await playbook.run(
      aws,
      { target, region: job.region, hours: job.hours, ...(job.secret ? { secret: job.secret } : {}) },
      {
        timeoutMs: config.checkTimeoutMs,
        onProgress: (state) => progress.push(state),
        onInternalError: (check, err) => log.error({ err, check }, 'check failed with an internal error'),
      },
    );
    await progress.finish(() => update(verdictMessage(result)));
    const signer = deps.signer;
    const buttonFor = signer
      ? (ref: { id: string; params: Record<string, string | number | boolean> }) =>
          remediations[ref.id] ? signer.sign({ a: ref.id, p: ref.params, c: root.channel, t: root.ts, ttlSeconds: config.buttonTtlSeconds }) : undefined
      : undefined;
    for (const message of threadMessages(result, buttonFor))
      await client.chat.postMessage({ channel: root.channel, thread_ts: root.ts, ...message });
    log.info({ playbook: job.playbook, verdict: result.verdict.severity, findings: result.findings.map((f) => f.id) }, 'investigation done');
  } catch (err) {
    log.error({ err }, 'investigation failed');
    await progress.finish(() =>
      update({
        text: 'whybot hit an internal error',
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `:x: whybot hit an internal error while investigating ${code(target)}: ${esc(slackError(err))}. It is logged; try again or run \`whybot ${esc(job.playbook)} ${esc(target)}\` locally.` },
          },
        ],
      }).catch(() => undefined),
    );
  } finally {
    aws.destroy();
  }
}
