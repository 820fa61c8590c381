// A rotation failed or was abandoned: say so in the alert channel with what a responder
// looks at first (incident 002): the rotation function and its last error lines, redacted.
import { describeSecret } from '../aws/secrets.js';
import { redactText } from '../redact/index.js';
import { code, esc, slackDate } from '../render/mrkdwn.js';
import type { RotationEvent } from './events.js';
import { claimAlert, type AlertDeps, type AlertOutcome } from './rotation-alert.js';

export interface LogLine {
  time: Date;
  message: string;
}

/** Reads the rotation function's recent error lines (already redacted), or says why not. */
export type RotationLogReader = (functionArn: string, region: string, around: Date) => Promise<{ lines: LogLine[] } | { unavailable: string }>;

export async function handleRotationFailed(e: RotationEvent, deps: AlertDeps & { readLogs?: RotationLogReader }): Promise<AlertOutcome> {
  const { store, client } = deps;
  const claimed = await claimAlert(e, deps);
  if (typeof claimed === 'string') return claimed;
  const { channel } = claimed;
  const aws = deps.awsFor(e.region);
  try {
    const secret = await describeSecret(aws, e.secretId).catch(() => undefined);
    const fn = secret?.rotationLambdaArn;
    const lines = [
      `:rotating_light: *Rotation of secret ${code(secret?.name ?? e.secretId)} ${e.name === 'RotationAbandoned' ? 'was abandoned' : 'failed'}* at ${slackDate(e.time)}`,
      fn ? `Rotation function: ${code(fn.slice(fn.lastIndexOf(':') + 1))}` : secret?.owningService ? `Rotated by ${esc(secret.owningService)} (managed rotation)` : 'Rotation function: unknown',
      // CloudTrail's errorMessage is whatever the rotation function raised: it can quote a password
      ...(e.errorMessage ? [`CloudTrail: ${esc(redactText(e.errorMessage))}`] : []),
    ];
    if (fn && deps.readLogs) {
      const logs = await deps.readLogs(fn, e.region, new Date(e.time)).catch((err: unknown) => ({ unavailable: String(err) }));
      if ('lines' in logs && logs.lines.length > 0)
        lines.push(`Last lines of its log:\n\`\`\`${esc(logs.lines.map((l) => `${l.time.toISOString().slice(11, 19)} ${l.message}`).join('\n')).slice(0, 2000)}\`\`\``);
      else if ('unavailable' in logs) lines.push(`Its log could not be read: ${esc(redactText(logs.unavailable))}`);
    }
    lines.push('The secret and the database may now disagree. Incident 002’s guide: check the function’s network path to Secrets Manager and the DB, its timeout, and the secret’s JSON keys.');
    await client.chat.postMessage({ channel, text: `Rotation of ${secret?.name ?? e.secretId} failed`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } }] });
    await store.finishClaim(`alert:${e.dedupeKey}`, 'done');
    return 'posted';
  } finally {
    aws.destroy();
  }
}
