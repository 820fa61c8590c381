// What decrypt-denied is asked about: a KMS key, a principal, or a bare name (a stack, else a role).
import { roleArnOf } from '../../key-policy.js';

export type DecryptTarget =
  | { kind: 'key'; ref: string }
  | { kind: 'principal'; arn: string; name: string }
  /** a bare name: a stack if CloudFormation knows it, else a role name */
  | { kind: 'name'; name: string };

const KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function parseTarget(target: string): DecryptTarget {
  if (KEY_ID.test(target) || target.startsWith('alias/') || /^arn:aws[\w-]*:kms:/.test(target)) return { kind: 'key', ref: target };
  if (/^arn:aws[\w-]*:(iam|sts)::\d{12}:/.test(target)) {
    const arn = roleArnOf(target);
    return { kind: 'principal', arn, name: arn.slice(arn.lastIndexOf('/') + 1) };
  }
  return { kind: 'name', name: target };
}
