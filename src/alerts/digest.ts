// The predictive digest: secrets that rotate within the next 24 h and the services that
// read them only at task start — "these will break at <time> unless redeployed after it".
import type { AwsClients } from '../aws/clients.js';
import { listSecrets, type SecretInfo } from '../aws/secrets.js';
import { consumersOf, ecsInventory, type Consumer } from '../playbooks/consumers.js';
import { code, slackDate } from '../render/mrkdwn.js';
import type { AlertDeps, AlertOutcome } from './rotation-alert.js';

const HORIZON_MS = 24 * 3_600_000;

export interface DigestEntry {
  secret: SecretInfo;
  consumers: Consumer[];
}

export async function upcomingRotations(aws: AwsClients, now: Date): Promise<DigestEntry[]> {
  const soon = (await listSecrets(aws)).filter(
    (s) => s.rotationEnabled && s.nextRotation && s.nextRotation >= now && s.nextRotation.getTime() - now.getTime() <= HORIZON_MS,
  );
  if (soon.length === 0) return [];
  const inventory = await ecsInventory(aws);
  return soon
    .map((secret) => ({ secret, consumers: consumersOf(inventory, { arn: secret.arn, name: secret.name }) }))
    .filter((d) => d.consumers.length > 0)
    .sort((a, b) => a.secret.nextRotation!.getTime() - b.secret.nextRotation!.getTime());
}

/** Posts today's digest once (claimed per day and Region), if anything is about to break. */
export async function postDigest(region: string, deps: AlertDeps, now = new Date()): Promise<AlertOutcome> {
  const channel = deps.config.alerts.channel;
  if (!channel) return 'no-channel';
  const day = now.toISOString().slice(0, 10);
  const claim = await deps.store.claimOnce({ nonce: `digest:${region}:${day}`, actor: 'whybot', action: 'rotation-digest', ttlSeconds: 3 * 86_400 });
  if (!claim.won) return 'duplicate';
  const aws = deps.awsFor(region);
  try {
    const entries = await upcomingRotations(aws, now);
    await deps.store.finishClaim(`digest:${region}:${day}`, 'done', `${entries.length} secrets`);
    if (entries.length === 0) return 'quiet';
    const lines = [`:calendar: *Rotations in the next 24 h* (${region}) — services that read the secret only at start break unless redeployed after it:`];
    for (const d of entries)
      lines.push(
        `• ${code(d.secret.name)} rotates at ${slackDate(d.secret.nextRotation!.toISOString())}: ${d.consumers.map((c) => `${code(c.service.name)} (${code(c.service.clusterName)})`).join(', ')} will break then unless redeployed after it`,
      );
    const text = `Rotations in the next 24 h: ${entries.map((d) => d.secret.name).join(', ')}`;
    await deps.client.chat.postMessage({ channel, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } }] });
    return 'posted';
  } finally {
    aws.destroy();
  }
}

/** The digest is due once the configured UTC hour of the day has come. */
export function digestDue(now: Date, hourUtc: number | undefined): boolean {
  return hourUtc !== undefined && now.getUTCHours() >= hourUtc;
}
