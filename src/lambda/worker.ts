// The `worker` function: runs what the Slack function handed over (an investigation or a
// confirmed remediation) and posts to Slack. Invoked asynchronously; a bad payload is
// logged and dropped, never retried into a loop.
import { WebClient } from '@slack/web-api';
import { Responders } from '../remediations/responders.js';
import { ActionSigner } from '../remediations/signed-value.js';
import { runInvestigation } from '../slack/investigate.js';
import { slackClientOptions } from '../slack/client-options.js';
import { JobSchema } from '../slack/jobs.js';
import { investigationAws, readerAws, writerAws } from '../aws/for-config.js';
import { reconcileWrite } from '../slack/execute-once.js';
import { runRemediation } from '../slack/remediate-worker.js';
import { coldStart, type Runtime } from './runtime.js';

interface Worker {
  rt: Runtime;
  client: WebClient;
}

async function init(): Promise<Worker> {
  const rt = await coldStart('worker');
  return { rt, client: new WebClient(rt.botToken, slackClientOptions(rt.config)) };
}

let ready: Promise<Worker> | undefined;

export async function handler(event: unknown): Promise<{ ok: boolean }> {
  ready ??= init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const { rt, client } = await ready;
  const parsed = JobSchema.safeParse(event);
  if (!parsed.success) {
    rt.log.error({ issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'worker got a payload it does not know; dropped');
    return { ok: false };
  }
  const job = parsed.data;
  const { config } = rt;
  const awsFor = readerAws(config);
  const signer = rt.actionSecret ? new ActionSigner(rt.actionSecret) : undefined;
  if (job.kind === 'investigate') {
    // investigations in a warm container share identical recent reads; remediations never do
    await runInvestigation(job, { client, awsFor: investigationAws(config), config, ...(signer ? { signer } : {}), log: rt.log.child({ job: job.playbook }) });
    return { ok: true };
  }
  if (!signer) {
    rt.log.warn('remediation job in a read-only deployment; dropped');
    return { ok: false };
  }
  const execution = { config, store: rt.store, signer, client, awsFor, writerFor: writerAws(config), owner: rt.bootId };
  if (job.kind === 'reconcile') {
    const entry = await rt.store.journalGet(job.journalId);
    if (entry?.state === 'open') await reconcileWrite(entry, execution);
    return { ok: true };
  }
  const responders = new Responders(config.responders, async (usergroup) => (await client.usergroups.users.list({ usergroup })).users ?? [], rt.store);
  await runRemediation(job, { ...execution, responders, log: rt.log.child({ job: 'remediate' }) });
  return { ok: true };
}
