// A job that failed outside its own error handling still ends in a message to whoever asked.
import type { webApi } from '@slack/bolt';
import type { Job } from './jobs.js';
import { errorText } from './render.js';
import { respondEphemeral } from './respond.js';

export async function tellJobFailed(client: webApi.WebClient, job: Job, err: unknown): Promise<void> {
  const text = errorText(`whybot failed while working on this (${err instanceof Error ? err.message : String(err)}). It is logged; try again.`);
  if (job.kind === 'investigate') await respondEphemeral(job.responseUrl, { text });
  else if (job.kind === 'remediate') await client.chat.postEphemeral({ channel: job.channel, user: job.actor, text });
}
