// Nobody typed anything: a secret rotated. Incident 003's app broke silently and people
// found out from users; whybot posts first, with who is now at risk and the buttons to fix
// it — or, where the policy allows, redeploys on its own and says so.
import type { webApi } from '@slack/bolt';
import type { AwsClients } from '../aws/clients.js';
import { AwsCallError } from '../aws/errors.js';
import type { EcsTask } from '../aws/ecs.js';
import { describeSecret, type SecretInfo } from '../aws/secrets.js';
import type { Config } from '../config.js';
import type { Playbook } from '../playbooks/types.js';
import type { PlaybookResult } from '../findings.js';
import type { Logger } from '../logger.js';
import { consumersOf, consumerTasks, ecsInventory, startedBefore, type Consumer } from '../playbooks/consumers.js';
import { identityOf } from '../playbooks/secret-refs.js';
import { remediations } from '../remediations/index.js';
import type { ActionSigner } from '../remediations/signed-value.js';
import { code, esc, slackDate } from '../render/mrkdwn.js';
import { executeOnce, type VerifyScheduler, type WriteReporter } from '../engine/execute-once.js';
import type { Store } from '../store/types.js';
import { accountAliasOf, type RotationEvent } from './events.js';
import { publishInWindow, windowOf, type RotationEntry } from './alert-window.js';
import { windowMessage } from './render-window.js';
import { matchesPolicy } from './policy.js';

type Block = import('@slack/bolt').types.KnownBlock;

export interface AlertDeps {
  client: webApi.WebClient;
  store: Store;
  /** `account`: the WHYBOT_ACCOUNTS alias the event came from (absent: whybot's own account) */
  awsFor: (region: string, account?: string) => AwsClients;
  config: Config;
  signer?: ActionSigner;
  log: Logger;
  /** this process, as owner of what it journals (the policy's redeploys) */
  owner: string;
  /** how the policy's redeploys are told in the alert's thread (slackWriteReporter) */
  reportWrite: WriteReporter;
  /** how a failed rotation's investigation is posted on its alert (slackResultPoster) */
  postResult: ResultPoster;
  /** on Lambda: a policy redeploy's verification resumes from the verify queue (execute-once.ts) */
  verifyLater?: VerifyScheduler;
  /** where playbooks come from (playbooks/index.ts's loadPlaybook; a test passes one that fails) */
  loadPlaybook?: (name: string) => Promise<Playbook | undefined>;
}

/**
 * Posts a playbook's answer on an alert as the slash command posts it: the verdict on the
 * alert (under `alert.mrkdwn`, the alert's own lines), the findings in its thread.
 */
export type ResultPoster = (root: { channel: string; ts: string }, alert: { text: string; mrkdwn: string }, result: PlaybookResult) => Promise<void>;

export type AlertOutcome = 'posted' | 'duplicate' | 'quiet' | 'no-channel' | 'ignored';

export interface AtRisk {
  consumer: Consumer;
  tasks: EcsTask[];
  stale: EcsTask[];
}

interface Correlation {
  secret?: SecretInfo;
  db?: string;
  atRisk: AtRisk[];
  healthy: AtRisk[];
  /** what could not be checked, with the IAM action it needs */
  unchecked: string[];
}

const KEEP_SECONDS = 30 * 86_400;
const POLICY_ACTOR = 'whybot policy';

function failure(err: unknown): string {
  if (err instanceof AwsCallError) return `${err.message}${err.kind === 'access-denied' ? '' : ` (${err.iamAction})`}`;
  return err instanceof Error ? err.message : String(err);
}

/** The DB a secret belongs to, from RDS's tags on its managed secret. */
function dbOf(secret: SecretInfo | undefined): string | undefined {
  const arn = secret?.tags['aws:rds:primaryDBClusterArn'] ?? secret?.tags['aws:rds:primaryDBInstanceArn'];
  return arn?.slice(arn.lastIndexOf(':') + 1);
}

/** Which consumers of the secret still run tasks started before `time` (reuses db-down's checks). */
export async function correlate(aws: AwsClients, secretId: string, time: Date): Promise<Correlation> {
  const unchecked: string[] = [];
  const secret = await describeSecret(aws, secretId).catch((err: unknown) => {
    unchecked.push(`the secret’s settings: ${failure(err)}`);
    return undefined;
  });
  const identity = secret ? { arn: secret.arn, name: secret.name } : identityOf(secretId);
  let consumers: Consumer[] = [];
  let tasks = new Map<string, EcsTask[]>();
  try {
    consumers = consumersOf(await ecsInventory(aws), identity);
    tasks = await consumerTasks(aws, consumers);
  } catch (err) {
    unchecked.push(`ECS services and tasks: ${failure(err)}`);
  }
  const all = consumers.map((consumer) => {
    const t = tasks.get(consumer.service.arn) ?? [];
    return { consumer, tasks: t, stale: startedBefore(t, time) };
  });
  return {
    ...(secret ? { secret } : {}),
    ...(dbOf(secret) ? { db: dbOf(secret)! } : {}),
    atRisk: all.filter((a) => a.stale.length > 0),
    healthy: all.filter((a) => a.stale.length === 0),
    unchecked,
  };
}

/** What the window's message shows of one rotation (no AWS types: it is stored). */
function toEntry(e: RotationEvent, c: Correlation, auto: Set<string>): RotationEntry {
  return {
    dedupeKey: e.dedupeKey,
    secretId: e.secretId,
    name: c.secret?.name ?? e.secretId,
    time: e.time,
    region: e.region,
    ...(c.db ? { db: c.db } : {}),
    atRisk: c.atRisk.map((a) => ({
      cluster: a.consumer.service.clusterName,
      service: a.consumer.service.name,
      stale: a.stale.length,
      tasks: a.tasks.length,
      auto: auto.has(`${a.consumer.service.clusterName}/${a.consumer.service.name}`),
    })),
    healthy: c.healthy.map((h) => ({ service: h.consumer.service.name, tasks: h.tasks.length })),
    unchecked: c.unchecked,
  };
}

/**
 * The alert channel, once this rotation step is claimed for posting; undefined when there
 * is no channel or another delivery (EventBridge is at-least-once, CloudTrail repeats) won.
 */
export async function claimAlert(e: RotationEvent, deps: Pick<AlertDeps, 'store' | 'config'>): Promise<{ channel: string } | AlertOutcome> {
  const channel = deps.config.alerts.channel;
  if (!channel) return 'no-channel';
  const claim = await deps.store.claimOnce({ nonce: `alert:${e.dedupeKey}`, actor: 'whybot', action: 'rotation-alert', ttlSeconds: KEEP_SECONDS });
  return claim.won ? { channel } : 'duplicate';
}

export async function handleRotationSucceeded(e: RotationEvent, deps: AlertDeps): Promise<AlertOutcome> {
  const { store, config, client, log } = deps;
  const claimed = await claimAlert(e, deps);
  if (typeof claimed === 'string') return claimed;
  const { channel } = claimed;

  // an event forwarded from a member account is looked into, and acted on, in that account
  const account = accountAliasOf(e, config);
  const aws = deps.awsFor(e.region, account);
  try {
    const c = await correlate(aws, e.secretId, new Date(e.time));
    if (c.atRisk.length === 0 && c.unchecked.length === 0 && config.alerts.quiet) {
      await store.finishClaim(`alert:${e.dedupeKey}`, 'done', 'quiet');
      return 'quiet';
    }
    const name = c.secret?.name ?? e.secretId;
    const policy = c.atRisk.filter((a) => matchesPolicy(config.alerts.autoRedeploy, a.consumer.service.clusterName, a.consumer.service.name));
    const auto = new Set(policy.map((a) => `${a.consumer.service.clusterName}/${a.consumer.service.name}`));
    const signFor = (ts: string) => (a: string, p: Record<string, string>) => deps.signer?.sign({ a, p, ...(account ? { ac: account } : {}), c: channel, t: ts, ttlSeconds: config.buttonTtlSeconds });
    const ts = await publishInWindow(windowOf(channel, e.time), toEntry(e, c, auto), {
      store,
      post: async (entries) => (await client.chat.postMessage({ channel, ...windowMessage(entries) })).ts ?? '',
      update: async (ts, entries) => void (await client.chat.update({ channel, ts, ...windowMessage(entries, signFor(ts)) })),
    });
    if (ts === undefined) throw new Error(`the alert message for ${name} was not posted by the instance that opened its window`);
    await store.finishClaim(`alert:${e.dedupeKey}`, 'done', ts);

    // Each service on its own: one failing redeploy must not cancel the others.
    for (const a of policy)
      await policyRedeploy(e, a, { channel, ts }, deps, account).catch((err: unknown) => {
        log.error({ err, service: a.consumer.service.name }, 'policy redeploy failed; its journal entry, if any, is reconciled');
      });
    log.info({ secret: name, atRisk: c.atRisk.length, auto: policy.length }, 'rotation alert posted');
    return 'posted';
  } catch (err) {
    // The claim stays: a retry of the same event must not post twice; the failure is logged.
    await store.finishClaim(`alert:${e.dedupeKey}`, 'failed', String(err)).catch(() => undefined);
    throw err;
  } finally {
    aws.destroy();
  }
}

/** WHYBOT_AUTO_REDEPLOY: says so in the alert's thread, then the one write path. */
async function policyRedeploy(e: RotationEvent, a: AtRisk, thread: { channel: string; ts: string }, deps: AlertDeps, account: string | undefined): Promise<void> {
  const params = { cluster: a.consumer.service.clusterName, service: a.consumer.service.name, region: e.region, after: e.time };
  await deps.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: `Policy (WHYBOT_AUTO_REDEPLOY) allows redeploying ${a.consumer.service.name}: redeploying now.` });
  await executeOnce(
    {
      action: remediations['ecs-redeploy']!,
      params,
      // one policy redeploy per service per rotation, however often the event arrives
      nonce: `policy:${e.dedupeKey}:${params.cluster}/${params.service}`,
      claimTtlSeconds: KEEP_SECONDS,
      actor: POLICY_ACTOR,
      thread,
      ...(account ? { account } : {}),
      retry: { a: 'ecs-redeploy', p: params, ...(account ? { ac: account } : {}) },
    },
    deps,
  );
}
