// Nobody typed anything: a secret rotated. Incident 003's app broke silently and people
// found out from users; whybot posts first, with who is now at risk and the buttons to fix
// it — or, where the policy allows, redeploys on its own and says so.
import type { webApi } from '@slack/bolt';
import type { AwsClients } from '../aws/clients.js';
import { AwsCallError } from '../aws/errors.js';
import type { EcsTask } from '../aws/ecs.js';
import { describeSecret, type SecretInfo } from '../aws/secrets.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { consumersOf, consumerTasks, ecsInventory, startedBefore, type Consumer } from '../playbooks/consumers.js';
import { identityOf } from '../playbooks/secret-refs.js';
import { remediations } from '../remediations/index.js';
import type { ActionSigner } from '../remediations/signed-value.js';
import { code, esc, slackDate } from '../slack/mrkdwn.js';
import { executeOnce } from '../slack/remediate-worker.js';
import type { Store } from '../store/types.js';
import type { RotationEvent } from './events.js';
import type { ChannelPacer } from './pacer.js';
import { matchesPolicy } from './policy.js';

type Block = import('@slack/bolt').types.KnownBlock;

export interface AlertDeps {
  client: webApi.WebClient;
  store: Store;
  awsFor: (region: string) => AwsClients;
  config: Config;
  signer?: ActionSigner;
  pacer: ChannelPacer;
  log: Logger;
}

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

function succeededBlocks(e: RotationEvent, c: Correlation, buttons: webApi.Button[]): Block[] {
  const name = c.secret?.name ?? e.secretId;
  const lines: string[] = [
    `:key: *Secret ${code(name)} rotated* at ${slackDate(e.time)}${c.db ? ` — DB ${code(c.db)}` : ''}`,
  ];
  for (const a of c.atRisk)
    lines.push(
      `:red_circle: ${code(a.consumer.service.name)} (cluster ${code(a.consumer.service.clusterName)}): ${a.stale.length} of ${a.tasks.length} tasks started before the rotation and hold the old value until redeployed`,
    );
  for (const h of c.healthy) lines.push(`:white_check_mark: ${code(h.consumer.service.name)}: all ${h.tasks.length} tasks started after the rotation`);
  if (c.atRisk.length === 0 && c.healthy.length === 0 && c.unchecked.length === 0) lines.push('No ECS service in this Region reads it at start.');
  for (const u of c.unchecked) lines.push(`:grey_question: Could not check ${esc(u)}`);
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } }];
  for (let i = 0; i < buttons.length; i += 25) blocks.push({ type: 'actions', elements: buttons.slice(i, i + 25) });
  return blocks;
}

/** Signed buttons for the alert message (the thread is the alert itself). */
function redeployButtons(e: RotationEvent, c: Correlation, deps: AlertDeps, ts: string, skip: Set<string>): webApi.Button[] {
  const channel = deps.config.alerts.channel!;
  const sign = (a: string, p: Record<string, string>) => deps.signer?.sign({ a, p, c: channel, t: ts, ttlSeconds: deps.config.buttonTtlSeconds });
  const buttons: webApi.Button[] = [];
  const targets = c.atRisk.filter((a) => !skip.has(`${a.consumer.service.clusterName}/${a.consumer.service.name}`));
  for (const a of targets) {
    const value = sign('ecs-redeploy', { cluster: a.consumer.service.clusterName, service: a.consumer.service.name, region: e.region, after: e.time });
    if (value) buttons.push({ type: 'button', action_id: `remediate:ecs-redeploy:${buttons.length}`, text: { type: 'plain_text', text: `Redeploy ${a.consumer.service.name}`.slice(0, 75) }, value });
  }
  if (targets.length > 1) {
    const services = targets.map((a) => `${a.consumer.service.clusterName}/${a.consumer.service.name}`).join(',');
    const value = sign('ecs-redeploy-all', { services, region: e.region, after: e.time });
    if (value) buttons.push({ type: 'button', action_id: 'remediate:ecs-redeploy-all', style: 'primary', text: { type: 'plain_text', text: `Redeploy all ${targets.length}` }, value });
  }
  return buttons;
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
  const { store, config, client, pacer, log } = deps;
  const claimed = await claimAlert(e, deps);
  if (typeof claimed === 'string') return claimed;
  const { channel } = claimed;

  const aws = deps.awsFor(e.region);
  try {
    const c = await correlate(aws, e.secretId, new Date(e.time));
    if (c.atRisk.length === 0 && c.unchecked.length === 0 && config.alerts.quiet) {
      await store.finishClaim(`alert:${e.dedupeKey}`, 'done', 'quiet');
      return 'quiet';
    }
    const name = c.secret?.name ?? e.secretId;
    const text =
      c.atRisk.length > 0
        ? `Secret ${name} rotated: ${c.atRisk.map((a) => `${a.stale.length} task(s) of ${a.consumer.service.name}`).join(', ')} hold the old value`
        : `Secret ${name} rotated; no consumer at risk`;
    const posted = await pacer.post(channel, () => client.chat.postMessage({ channel, text, blocks: succeededBlocks(e, c, []) }));
    const ts = posted.ts ?? '';

    const policy = c.atRisk.filter((a) => matchesPolicy(config.alerts.autoRedeploy, a.consumer.service.clusterName, a.consumer.service.name));
    const auto = new Set(policy.map((a) => `${a.consumer.service.clusterName}/${a.consumer.service.name}`));
    const buttons = redeployButtons(e, c, deps, ts, auto);
    if (buttons.length > 0) await client.chat.update({ channel, ts, text, blocks: succeededBlocks(e, c, buttons) });
    await store.finishClaim(`alert:${e.dedupeKey}`, 'done', ts);

    for (const a of policy) {
      const params = { cluster: a.consumer.service.clusterName, service: a.consumer.service.name, region: e.region, after: e.time };
      await pacer.post(channel, () =>
        client.chat.postMessage({ channel, thread_ts: ts, text: `Policy (WHYBOT_AUTO_REDEPLOY) allows redeploying ${a.consumer.service.name}: redeploying now.` }),
      );
      await executeOnce(
        {
          action: remediations['ecs-redeploy']!,
          params,
          // one policy redeploy per service per rotation, however often the event arrives
          nonce: `policy:${e.dedupeKey}:${params.cluster}/${params.service}`,
          claimTtlSeconds: KEEP_SECONDS,
          actor: POLICY_ACTOR,
          thread: { channel, ts },
          retry: { a: 'ecs-redeploy', p: params },
        },
        deps,
      );
    }
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
