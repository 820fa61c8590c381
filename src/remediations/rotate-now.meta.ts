// Retry a failed rotation once its cause is fixed (incident 002): RotateSecret with what the
// secret already has, which starts a rotation now with its own rotation function.
import * as z from 'zod';
import { defineActionMeta } from './define.js';
import { secretName } from './rotation-schedule.meta.js';
import { shellQuote as q } from './shell.js';

export const RotateNowParams = z.object({
  secretId: z.string().regex(/^[A-Za-z0-9/_+=.@!:-]{1,2048}$/),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
});
export type RotateNowParams = z.infer<typeof RotateNowParams>;

export const rotateNowMeta = defineActionMeta({
  id: 'rotate-now',
  params: RotateNowParams,
  // it changes the password: a second responder approves
  dangerous: true,
  label: (p) => `Rotate ${secretName(p.secretId)} now`,
  doing: (p) => `rotating ${secretName(p.secretId)} now`,
  plan: (p) => ({
    resource: `Secret ${secretName(p.secretId)} (${p.region})`,
    apiCall: `secretsmanager:RotateSecret { SecretId: "${p.secretId}" } (no new function or schedule; RotateImmediately defaults to true)`,
    effect:
      'Secrets Manager starts a rotation now with the secret’s own rotation function: a new password is set on the database ' +
      'and becomes AWSCURRENT. Clients that read the secret on every connection follow by themselves; services that read it ' +
      'only at start keep the old password and need a redeploy once the rotation has succeeded. If the cause of the last ' +
      'failure is still there, this rotation fails the same way (the alert channel will say so).',
    verification: 'DescribeSecret shows LastRotatedDate after this click; if the rotation takes longer than the wait, the alert channel reports how it ends.',
    undo: 'No undo: the previous password stays available as AWSPREVIOUS, but the database now has the new one.',
  }),
  iamActions: {
    write: ['secretsmanager:RotateSecret'],
    read: ['secretsmanager:DescribeSecret'],
    // Secrets Manager invokes the rotation function with the caller's permission
    onWrite: ['lambda:InvokeFunction'],
  },
  cli: (p) => {
    const base = `--region ${q(p.region)} --secret-id ${q(p.secretId)}`;
    return [
      `aws secretsmanager rotate-secret ${base}`,
      `aws secretsmanager describe-secret ${base} --query '{LastRotated: LastRotatedDate, Next: NextRotationDate, Versions: VersionIdsToStages}'`,
    ];
  },
});
