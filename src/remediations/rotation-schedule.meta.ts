// Lengthen a secret's rotation interval without rotating now: buys time (incident 003, option 4).
import * as z from 'zod';
import { defineActionMeta } from './define.js';
import { shellQuote } from './shell.js';

export const RotationScheduleParams = z.object({
  secretId: z.string().regex(/^[A-Za-z0-9/_+=.@!:-]{1,2048}$/),
  days: z.coerce.number().int().min(1).max(1000),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/),
  /** the interval now, for the plan's undo */
  currentDays: z.coerce.number().int().min(1).max(1000).optional(),
});
export type RotationScheduleParams = z.infer<typeof RotationScheduleParams>;

export const secretName = (id: string) => id.replace(/^arn:.*:secret:/, '').replace(/-[A-Za-z0-9]{6}$/, '');

export const rotationScheduleMeta = defineActionMeta({
  id: 'rotation-schedule',
  params: RotationScheduleParams,
  dangerous: false,
  label: (p) => `Rotate every ${p.days} days${p.currentDays ? ` instead of ${p.currentDays}` : ''}`,
  doing: (p) => `setting ${secretName(p.secretId)} to rotate every ${p.days} days`,
  choice: (p) => ({
    key: 'days',
    label: 'Rotate every',
    options: [14, 30, 90].map((d) => ({ label: `${d} days`, value: String(d) })),
    initial: String(p.days),
  }),
  plan: (p) => ({
    resource: `Secret ${secretName(p.secretId)} (${p.region})`,
    apiCall: `secretsmanager:RotateSecret { SecretId: "${p.secretId}", RotationRules: { AutomaticallyAfterDays: ${p.days} }, RotateImmediately: false }`,
    effect: `The next rotation moves to ${p.days} days after the last one. No rotation happens now, so nothing breaks now.`,
    verification: `DescribeSecret shows RotationRules.AutomaticallyAfterDays = ${p.days}.`,
    undo: `Run this again with ${p.currentDays ?? 'the previous number of'} days.`,
  }),
  iamActions: { write: ['secretsmanager:RotateSecret'], read: ['secretsmanager:DescribeSecret'] },
  cli: (p) => [
    `aws secretsmanager rotate-secret --region ${shellQuote(p.region)} --secret-id ${shellQuote(p.secretId)} ` +
      `--rotation-rules '{"AutomaticallyAfterDays":${p.days}}' --no-rotate-immediately`,
    `aws secretsmanager describe-secret --region ${shellQuote(p.region)} --secret-id ${shellQuote(p.secretId)} --query '{Rules:RotationRules,Next:NextRotationDate}'`,
  ],
});
