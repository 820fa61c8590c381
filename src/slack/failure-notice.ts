// Telling whoever asked for a job that it failed for good, where they will look: the
// investigation's own thread when its root was posted (the root stops showing a live
// checklist), else their response_url, else an ephemeral message with the bot token. Shared
// by the `failures` function (a worker invocation that crashed) and the reconciler (an
// orphan that stopped every worker that took it over), so both say it the same way.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { redactText } from '../redact/index.js';
import { esc } from '../render/mrkdwn.js';
import type { Job } from './jobs.js';
import { errorText } from './render.js';
import { respondEphemeral } from './respond.js';

export type TellableJob = Exclude<Job, { kind: 'reconcile' }>;

export interface ThreadRoot {
  channel: string;
  ts: string;
}

export interface FailureNoticeDeps {
  /** absent when the bot token cannot be read: a response_url still works */
  client?: Pick<WebClient, 'chat'>;
  log: Logger;
  /** how long a response_url post may take (default RESPOND_TIMEOUT_MS) */
  respondTimeoutMs?: number;
}

/** The thread root a job posted before it failed (journal facts, src/slack/investigate.ts), or the one it was resuming. */
export function rootOf(job: TellableJob, facts: Record<string, string> | undefined): ThreadRoot | undefined {
  if (job.kind !== 'investigate') return undefined;
  if (facts?.rootChannel && facts.rootTs) return { channel: facts.rootChannel, ts: facts.rootTs };
  return job.resume;
}

const label = (job: TellableJob) => (job.kind === 'investigate' ? `The investigation (${job.playbook}${job.target ? ` ${job.target}` : ''})` : 'The remediation');

/**
 * What the person is told. A remediation that got as far as its write intent (`facts.write`)
 * has a journal entry of its own for the write: that one is still reconciled and reported in
 * the thread, so "nothing more will happen" would be false.
 */
export function failureText(job: TellableJob, reason: string, facts: Record<string, string> | undefined): string {
  const next =
    job.kind === 'remediate' && facts?.write
      ? 'The change itself is tracked: whybot finishes it or reports what happened to it in this thread. It is logged.'
      : 'Nothing more will happen for this request; it is logged, and you can try again.';
  return errorText(`${label(job)} failed: ${reason}. ${next}`);
}

/** Tells the person; throws when no way reached them (the caller retries or gives up loudly). */
export async function tellFailure(job: TellableJob, reason: string, facts: Record<string, string> | undefined, deps: FailureNoticeDeps): Promise<void> {
  const text = failureText(job, reason, facts);
  const { client, log } = deps;
  if (job.kind === 'investigate') {
    const root = rootOf(job, facts);
    if (root && client) {
      try {
        await tellInThread(client, root, `${label(job)} failed: ${reason}.`, text, log);
        return;
      } catch (err) {
        log.warn({ err: String(err) }, 'thread not reachable; telling the user directly');
      }
    }
    if (job.responseUrl) {
      try {
        await respondEphemeral(job.responseUrl, { text }, deps.respondTimeoutMs !== undefined ? { timeoutMs: deps.respondTimeoutMs } : {});
        return;
      } catch (err) {
        // expired (30 min, 5 uses), or Slack did not answer: the bot token is the way left
        if (!client) throw err;
        log.warn({ err: String(err) }, 'response_url refused; telling the user with the bot token');
      }
    }
    if (!client) throw new Error('no response_url and no bot token: cannot tell the user');
    await client.chat.postEphemeral({ channel: job.channel, user: job.user, text });
    return;
  }
  if (!client) throw new Error('no bot token: cannot tell the responder');
  await client.chat.postEphemeral({ channel: job.channel, user: job.actor, text, ...(job.messageTs ? { thread_ts: job.messageTs } : {}) });
}

/** The root says the investigation failed (no checklist left spinning); the thread says why and what next. */
async function tellInThread(client: Pick<WebClient, 'chat'>, root: ThreadRoot, headline: string, text: string, log: Logger): Promise<void> {
  const line = `:x: ${esc(redactText(headline))}`;
  await client.chat
    .update({ channel: root.channel, ts: root.ts, text: line, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${line} Details in the thread.` } }] })
    // deleted or too old to edit: the thread reply still tells them
    .catch((err: unknown) => log.warn({ err: String(err) }, 'thread root not updated'));
  await client.chat.postMessage({ channel: root.channel, thread_ts: root.ts, text });
}
