// KMS key policies as data: who a policy lets do what, the minimal statement that grants a
// principal some actions, and the policy with that statement added — every other statement
// kept byte-for-byte equal, and never without the account-root statement (lock-out risk).
// Pure: shared by the decrypt-denied playbook and the kms-key-policy-grant remediation, whose
// spec the Slack function loads (hence outside playbooks/, which that bundle must not carry).

export type Statement = Record<string, unknown>;

export interface KeyPolicyDoc {
  Version?: string;
  Id?: string;
  Statement: Statement[];
  [key: string]: unknown;
}

export class KeyPolicyError extends Error {
  override readonly name = 'KeyPolicyError';
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const strings = (v: unknown): string[] => asList(v).filter((x): x is string => typeof x === 'string');

export function parseKeyPolicy(text: string): KeyPolicyDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new KeyPolicyError('the key policy is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new KeyPolicyError('the key policy is not a JSON object');
  const d = doc as Record<string, unknown>;
  const statements = asList(d.Statement);
  if (!statements.every((s) => s !== null && typeof s === 'object' && !Array.isArray(s)))
    throw new KeyPolicyError('the key policy has a statement that is not an object');
  return { ...d, Statement: statements as Statement[] };
}

export function principalsOf(s: Statement): string[] {
  const p = s.Principal;
  if (p === '*') return ['*'];
  if (p && typeof p === 'object') return Object.values(p as Record<string, unknown>).flatMap(strings);
  return [];
}

const wildcard = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(value);

export const actionAllowedBy = (s: Statement, action: string): boolean => strings(s.Action).some((a) => wildcard(a, action));

const namesAccount = (s: Statement, accountId: string) =>
  principalsOf(s).some((p) => p === accountId || (/^arn:aws[\w-]*:iam::\d{12}:root$/.test(p) && p.split(':')[4] === accountId));

/** The account-root statement: Allow, principal the account (root ARN or bare id), kms:* (or PutKeyPolicy), no condition. */
export function isAccountRootStatement(s: Statement, accountId: string): boolean {
  return (
    s.Effect === 'Allow' &&
    s.Condition === undefined &&
    namesAccount(s, accountId) &&
    actionAllowedBy(s, 'kms:PutKeyPolicy')
  );
}

export const hasAccountRoot = (doc: KeyPolicyDoc, accountId: string) => doc.Statement.some((s) => isAccountRootStatement(s, accountId));

/** The role ARN (arn:aws:iam::A:role/N) behind an STS assumed-role session ARN; other ARNs unchanged. */
export function roleArnOf(principal: string): string {
  const m = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : principal;
}

const roleName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export type PolicyVerdict =
  /** a statement without conditions names the principal (or its role) for the action */
  | { kind: 'allows-principal'; sid?: string }
  /** a statement names the principal, but under conditions whybot does not evaluate */
  | { kind: 'allows-principal-conditionally'; sid?: string }
  /** the principal is not named; the account-root statement lets IAM policies decide */
  | { kind: 'delegates-to-iam' }
  /** a Deny statement names the principal (or everyone) for the action */
  | { kind: 'denies'; sid?: string }
  /** neither the principal nor the account: the key policy alone refuses */
  | { kind: 'no-grant' };

/** What the key policy says about `principal` doing `action` (same-account principals). */
export function keyPolicyVerdict(doc: KeyPolicyDoc, principal: string, action: string, accountId: string): PolicyVerdict {
  const who = new Set([principal, roleArnOf(principal)]);
  const names = (s: Statement) => principalsOf(s).some((p) => p === '*' || who.has(p) || (p.includes('*') && [...who].some((w) => wildcard(p, w))));
  const sid = (s: Statement) => (typeof s.Sid === 'string' ? { sid: s.Sid } : {});
  const deny = doc.Statement.find((s) => s.Effect === 'Deny' && names(s) && actionAllowedBy(s, action) && s.Condition === undefined);
  if (deny) return { kind: 'denies', ...sid(deny) };
  const direct = doc.Statement.filter((s) => s.Effect === 'Allow' && names(s) && actionAllowedBy(s, action));
  const plain = direct.find((s) => s.Condition === undefined);
  if (plain) return { kind: 'allows-principal', ...sid(plain) };
  if (direct[0]) return { kind: 'allows-principal-conditionally', ...sid(direct[0]) };
  if (doc.Statement.some((s) => s.Effect === 'Allow' && s.Condition === undefined && namesAccount(s, accountId) && actionAllowedBy(s, action)))
    return { kind: 'delegates-to-iam' };
  return { kind: 'no-grant' };
}

export interface GrantRequest {
  keyArn: string;
  /** a role or user ARN (an assumed-role session ARN is turned into its role's) */
  principal: string;
  actions: string[];
  /** e.g. s3.ap-northeast-1.amazonaws.com: the grant holds only for calls through that service */
  viaService?: string;
}

/** The minimal statement: this principal, these actions, this key, optionally through one service. */
export function minimalStatement(g: GrantRequest): Statement {
  const principal = roleArnOf(g.principal);
  const actions = [...new Set(g.actions)].sort();
  return {
    Sid: `whybot-grant-${roleName(principal)}`.slice(0, 128),
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: g.keyArn,
    ...(g.viaService ? { Condition: { StringEquals: { 'kms:ViaService': g.viaService } } } : {}),
  };
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );

/** Equal but for the Sid. */
export const sameGrant = (a: Statement, b: Statement): boolean => {
  const { Sid: _a, ...ra } = a;
  const { Sid: _b, ...rb } = b;
  return canonical(ra) === canonical(rb);
};

/** Refuses (throws) unless every account-root statement of `before` is still in `after`, unchanged. */
export function assertKeepsAccountRoot(before: KeyPolicyDoc, after: KeyPolicyDoc, accountId: string): void {
  const roots = before.Statement.filter((s) => isAccountRootStatement(s, accountId));
  const kept = roots.every((r) => after.Statement.some((s) => canonical(s) === canonical(r)));
  if (!kept || (roots.length > 0 && !hasAccountRoot(after, accountId)))
    throw new KeyPolicyError(
      `refusing to write this key policy: it would drop the account-root statement (arn:aws:iam::${accountId}:root), ` +
        'which keeps the account able to manage the key (lock-out risk). Nothing was changed.',
    );
}

export interface GrantPlan {
  before: KeyPolicyDoc;
  after: KeyPolicyDoc;
  statement: Statement;
  /** the statement is already in the policy: nothing to write */
  unchanged: boolean;
  /** the new policy text, as PutKeyPolicy will send it */
  text: string;
  /** a unified-style diff of the policy: other statements as context lines, the new one as + lines */
  diff: string;
  /** the policy had no account-root statement to begin with (the write is still allowed) */
  rootMissing: boolean;
}

/** Indents a statement's JSON as it sits in the Statement array. */
const statementLines = (s: Statement): string[] => JSON.stringify(s, null, 2).split('\n').map((l) => `    ${l}`);

/**
 * The current policy with the minimal statement appended. Every other statement is kept as
 * it was (same objects, same order), the account-root statement included (checked).
 */
export function planGrant(currentText: string, g: GrantRequest, accountId: string): GrantPlan {
  const before = parseKeyPolicy(currentText);
  const statement = minimalStatement(g);
  const unchanged = before.Statement.some((s) => sameGrant(s, statement));
  const sids = new Set(before.Statement.map((s) => s.Sid));
  let sid = statement.Sid as string;
  for (let n = 2; sids.has(sid); n++) sid = `${statement.Sid as string}-${n}`;
  const added = { ...statement, Sid: sid };
  const after: KeyPolicyDoc = unchanged ? before : { ...before, Statement: [...before.Statement, added] };
  assertKeepsAccountRoot(before, after, accountId);
  const context = before.Statement.map((s) => {
    const label = typeof s.Sid === 'string' ? `"${s.Sid}"` : `statement ${before.Statement.indexOf(s) + 1}`;
    return `     ${label}: unchanged${isAccountRootStatement(s, accountId) ? ' (account root: kept)' : ''}`;
  });
  const diff = unchanged
    ? ['  (the statement is already in the policy: nothing to change)', ...context].join('\n')
    : ['  "Statement": [', ...context, ...statementLines(added).map((l) => `+${l.slice(1)}`), '  ]'].join('\n');
  return {
    before,
    after,
    statement: added,
    unchanged,
    text: JSON.stringify(after, null, 2),
    diff,
    rootMissing: !hasAccountRoot(before, accountId),
  };
}

/** The data-plane actions a grant may name: never kms:* or key administration. */
export const GRANTABLE_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:DescribeKey',
] as const;
