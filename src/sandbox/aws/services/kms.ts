/**
 * AWS KMS (awsJson1_1, target prefix "TrentService"): DescribeKey, GetKeyPolicy,
 * PutKeyPolicy (replaces the world's policy), ListAliases. A key is named, as AWS allows per
 * operation, by key ID or key ARN (all four operations), or by alias name / alias ARN
 * (DescribeKey only). Unknown keys answer `NotFoundException`.
 *
 * PutKeyPolicy validates the document (JSON, Statement array, a Principal and an Effect in
 * each statement → `MalformedPolicyDocumentException`) and applies the lockout safety
 * check the simple way: unless `BypassPolicyLockoutSafetyCheck`, the new policy must still
 * allow kms:PutKeyPolicy (or kms:*) to a named principal (the account root, typically), else
 * `MalformedPolicyDocumentException` as AWS answers. AWS managed keys refuse PutKeyPolicy
 * with `AccessDeniedException`, as their policies are not editable.
 */
import { AwsError } from '../errors.js';
import { Json11Protocol } from '../protocols/json11.js';
import type { World } from '../world.js';
import type { KmsKey } from '../world-kms-cfn-iam.js';
import { paginate } from './paging.js';
import { ParamReader } from './params.js';
import type { OperationContext, Params, ServiceModule } from './types.js';

const protocol = new Json11Protocol({
  messageKey: 'message',
  errors: { internal: () => new AwsError('KMSInternalException', 'An internal error occurred.', 500) },
});

const notFound = (message: string) => new AwsError('NotFoundException', message, 400);
const malformed = (message: string) => new AwsError('MalformedPolicyDocumentException', message, 400);

const keyArnPattern = /^arn:aws[\w-]*:kms:([^:]+):(\d{12}):key\/(.+)$/;
const aliasArnPattern = /^arn:aws[\w-]*:kms:([^:]+):(\d{12}):(alias\/.+)$/;

/** Finds a key by ID or key ARN; with `aliases`, also by alias name or alias ARN. */
export function findKey(world: World, keyId: string, aliases = false): KmsKey | undefined {
  const arn = keyArnPattern.exec(keyId);
  if (arn) return world.kms.keys.find((k) => k.arn === keyId || (arn[2] === world.accountId && arn[1] === world.region && k.id === arn[3]));
  if (aliases) {
    const aliasArn = aliasArnPattern.exec(keyId);
    const name = aliasArn ? aliasArn[3]! : keyId.startsWith('alias/') ? keyId : undefined;
    if (name !== undefined) return world.kms.keys.find((k) => k.aliases.includes(name));
  }
  return world.kms.keys.find((k) => k.id === keyId);
}

function requireKey(world: World, keyId: string, aliases: boolean): KmsKey {
  const key = findKey(world, keyId, aliases);
  if (key) return key;
  if (keyId.startsWith('alias/') || aliasArnPattern.test(keyId)) {
    if (!aliases) throw notFound(`Invalid keyId ${keyId}`);
    const arn = keyId.startsWith('alias/') ? `arn:aws:kms:${world.region}:${world.accountId}:${keyId}` : keyId;
    throw notFound(`Alias ${arn} is not found.`);
  }
  const arn = keyArnPattern.test(keyId) ? keyId : `arn:aws:kms:${world.region}:${world.accountId}:key/${keyId}`;
  throw notFound(`Key '${arn}' does not exist`);
}

function policyName(p: ParamReader): string {
  const name = p.str('PolicyName') ?? 'default';
  if (name !== 'default') throw notFound(`Policy ${name} does not exist`);
  return name;
}

function describeKey(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const key = requireKey(ctx.world, p.str('KeyId', true), true);
  return {
    KeyMetadata: {
      AWSAccountId: ctx.world.accountId,
      KeyId: key.id,
      Arn: key.arn,
      CreationDate: key.creationDate,
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: key.state,
      Origin: 'AWS_KMS',
      KeyManager: key.manager,
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: key.id.startsWith('mrk-'),
    },
  };
}

function getKeyPolicy(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const key = requireKey(ctx.world, p.str('KeyId', true), false);
  const name = policyName(p);
  return { Policy: key.policy, PolicyName: name };
}

type Statement = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function principalsOf(s: Statement): string[] {
  const p = s.Principal;
  if (p === '*') return ['*'];
  if (p && typeof p === 'object') return Object.values(p as Record<string, unknown>).flatMap(asList).filter((x): x is string => typeof x === 'string');
  return [];
}

const actionMatches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);

/**
 * Whether `statements` still let someone named call PutKeyPolicy. AWS checks the caller; the
 * double does not model callers' identities, so any named principal without a condition
 * (the account root, typically) passes.
 */
function keepsAdmin(statements: Statement[]): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      s.Condition === undefined &&
      principalsOf(s).some((pr) => pr !== '*') &&
      asList(s.Action).some((a) => typeof a === 'string' && actionMatches(a, 'kms:PutKeyPolicy')),
  );
}

function putKeyPolicy(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const key = requireKey(ctx.world, p.str('KeyId', true), false);
  policyName(p);
  const text = p.str('Policy', true);
  const bypass = p.bool('BypassPolicyLockoutSafetyCheck') ?? false;
  if (key.manager === 'AWS')
    throw new AwsError('AccessDeniedException', `The key policy of AWS managed key ${key.arn} cannot be changed.`, 400);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('The policy is not valid JSON.');
  }
  const statements = doc && typeof doc === 'object' ? (doc as Record<string, unknown>).Statement : undefined;
  const list = asList(statements);
  if (list.length === 0 || !list.every((s) => s !== null && typeof s === 'object' && !Array.isArray(s)))
    throw malformed('The policy must contain a Statement array of objects.');
  for (const s of list as Statement[]) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed('Each statement must have an Effect of Allow or Deny.');
    if (principalsOf(s).length === 0) throw malformed('Policy contains a statement with no principal.');
    if (asList(s.Action).length === 0) throw malformed('Policy contains a statement with no action.');
  }
  if (!bypass && !keepsAdmin(list as Statement[]))
    throw malformed('The new key policy will not allow you to update the key policy in the future.');
  key.policy = text;
  return {};
}

function listAliases(ctx: OperationContext) {
  const p = new ParamReader(ctx);
  const keyId = p.str('KeyId');
  const limit = p.int('Limit') ?? 50;
  if (limit < 1 || limit > 100) throw protocol.errors.invalidParameter(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100`);
  const keys = keyId !== undefined ? [requireKey(ctx.world, keyId, false)] : ctx.world.kms.keys;
  const all = keys.flatMap((k) =>
    k.aliases.map((a) => ({
      AliasName: a,
      AliasArn: `arn:aws:kms:${ctx.world.region}:${ctx.world.accountId}:${a}`,
      TargetKeyId: k.id,
      CreationDate: k.creationDate,
      LastUpdatedDate: k.creationDate,
    })),
  );
  all.sort((a, b) => a.AliasName.localeCompare(b.AliasName));
  const { Marker: _m, Limit: _l, ...scope } = ctx.params;
  const page = paginate(all, { token: p.str('Marker'), limit, scope, invalidToken: () => new AwsError('InvalidMarkerException', 'Invalid marker.', 400) });
  return { Aliases: page.items, ...(page.next ? { NextMarker: page.next, Truncated: true } : { Truncated: false }) };
}

function iamResource(_operation: string, params: Params, world: World): string {
  const id = typeof params.KeyId === 'string' ? params.KeyId : undefined;
  if (id === undefined || id === '') return '*';
  return findKey(world, id, true)?.arn ?? (id.startsWith('arn:') ? id : `arn:aws:kms:${world.region}:${world.accountId}:key/${id}`);
}

export const kms: ServiceModule = {
  signingName: 'kms',
  protocol,
  operations: {
    DescribeKey: describeKey,
    GetKeyPolicy: getKeyPolicy,
    PutKeyPolicy: putKeyPolicy,
    ListAliases: listAliases,
  },
  iamResource,
};
