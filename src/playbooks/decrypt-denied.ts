// /why-decrypt-denied — incident 001 §1 and §2: a first CDK deploy that kept failing on
// "kms:Decrypt is not authorized". §1: the CDK bootstrap bucket was pointed at a hand-made
// customer managed key whose policy names none of the CDK roles. §2: SSM SecureString
// parameters on a customer key that the Aurora custom resource's role may not use.
// Checks gather CloudTrail's KMS denials, the keys (customer or AWS managed) and their
// policies, the principals' identity policies (simulated), the CDKToolkit stack's KMS
// parameter and the SSM parameters' keys; rules turn them into findings.
import type { AwsClients } from '../aws/clients.js';
import { describeStack, stackEvents, type StackEvent, type StackInfo } from '../aws/cloudformation.js';
import { lookupEvents, type TrailEvent } from '../aws/cloudtrail.js';
import { AwsCallError } from '../aws/errors.js';
import { simulatePrincipal, type SimulationResult } from '../aws/iam-policy.js';
import { describeKey, getKeyPolicy, listAliases, type KeyAlias, type KeyInfo } from '../aws/kms.js';
import { secureStringParameters, SSM_DEFAULT_KEY, type ParameterInfo } from '../aws/ssm-parameters.js';
import { Investigation, type Outcome } from '../engine/investigation.js';
import { bySeverity, type CheckResult, type Evidence, type PlaybookResult, type RemediationRef, type TimelineEntry } from '../findings.js';
import type { LegacyFinding as Finding } from './legacy.js';
import { byTime, formatUtc } from '../time.js';
import { PLAYBOOK_CATALOG } from './catalog.js';
import { keyPolicyVerdict, parseKeyPolicy, planGrant, roleArnOf, type KeyPolicyDoc, type PolicyVerdict } from '../key-policy.js';
import { legacyPlaybook as definePlaybook } from './legacy.js';
import type { Candidate, Playbook, PlaybookInput, RunOptions } from './types.js';

export const DECRYPT_DENIED_CHECKS = [
  { id: 'kms-denials', title: 'CloudTrail: KMS calls denied (AccessDenied)' },
  { id: 'stack', title: 'The stack’s status and failed events' },
  { id: 'cdk-bootstrap', title: 'CDKToolkit stack: the bootstrap bucket’s KMS key' },
  { id: 'ssm-parameters', title: 'SSM SecureString parameters and their KMS keys' },
  { id: 'keys', title: 'KMS keys: customer or AWS managed, state, aliases' },
  { id: 'key-policies', title: 'Key policies of the customer managed keys' },
  { id: 'identity-policies', title: 'Identity policies of the denied principals (IAM simulation)' },
] as const;

const CDK_TOOLKIT = 'CDKToolkit';
const DEFAULT_QUALIFIER = 'hnb659fds';
/** FileAssetsBucketKmsKeyId values that mean "not a key you made" (incident 001 §1) */
const BOOTSTRAP_DEFAULT_KEYS = new Set(['', 'AWS_MANAGED_KEY']);
const DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException']);
const MAX_KEYS = 20;
const MAX_PRINCIPALS = 10;

// ---------------------------------------------------------------- target

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

// ---------------------------------------------------------------- denials

export type DenialReason = 'key-policy' | 'identity-policy' | 'explicit-deny-key-policy' | 'explicit-deny-identity-policy' | 'unknown';

export interface Denial {
  time: Date;
  /** kms:Decrypt */
  action: string;
  /** the caller as recorded (an assumed-role session ARN, a user ARN) */
  principal: string;
  /** the IAM role or user behind it (what a policy names) */
  principalArn: string;
  keyArn?: string;
  reason: DenialReason;
  /** e.g. s3.ap-northeast-1.amazonaws.com when the call came through S3 */
  viaService?: string;
  /** s3 object, SSM parameter… from the encryption context */
  context?: string;
  source: 'CloudTrail' | 'CloudFormation';
  message?: string;
}

export function denialReason(message: string | undefined): DenialReason {
  if (!message) return 'unknown';
  if (/explicit deny in a resource-based policy/i.test(message)) return 'explicit-deny-key-policy';
  if (/explicit deny in an? identity-based policy/i.test(message)) return 'explicit-deny-identity-policy';
  if (/no resource-based policy allows/i.test(message)) return 'key-policy';
  if (/no identity-based policy allows/i.test(message)) return 'identity-policy';
  return 'unknown';
}

const DENIAL_MESSAGE = /User: (arn:\S+) is not authorized to perform: (kms:\w+) on (?:resource: )?(arn:aws[\w-]*:kms:[^\s,;)]+)?/i;

function viaServiceOf(record: Record<string, unknown> | undefined, region: string): { viaService?: string; context?: string } {
  const params = record?.requestParameters as Record<string, unknown> | null | undefined;
  const ctx = (params?.encryptionContext ?? undefined) as Record<string, unknown> | undefined;
  if (ctx?.['aws:s3:arn']) return { viaService: `s3.${region}.amazonaws.com`, context: String(ctx['aws:s3:arn']) };
  if (ctx?.PARAMETER_ARN) return { viaService: `ssm.${region}.amazonaws.com`, context: String(ctx.PARAMETER_ARN) };
  if (ctx?.SecretARN) return { viaService: `secretsmanager.${region}.amazonaws.com`, context: String(ctx.SecretARN) };
  const identity = record?.userIdentity as Record<string, unknown> | undefined;
  const via = [identity?.invokedBy, record?.sourceIPAddress].find((v): v is string => typeof v === 'string' && /^[a-z0-9-]+\.amazonaws\.com$/.test(v));
  return via ? { viaService: via.replace(/\.amazonaws\.com$/, `.${region}.amazonaws.com`) } : {};
}

export function denialFromTrail(e: TrailEvent, region: string): Denial | undefined {
  if (!e.errorCode || !DENIED_CODES.has(e.errorCode)) return undefined;
  const record = e.record;
  const identity = record?.userIdentity as Record<string, unknown> | undefined;
  const parsed = DENIAL_MESSAGE.exec(e.errorMessage ?? '');
  const principal = (typeof identity?.arn === 'string' ? identity.arn : undefined) ?? parsed?.[1] ?? e.actor ?? '?';
  const resources = Array.isArray(record?.resources) ? (record.resources as Array<Record<string, unknown>>) : [];
  const fromResources = resources.find((r) => r.type === 'AWS::KMS::Key' && typeof r.ARN === 'string')?.ARN as string | undefined;
  const params = record?.requestParameters as Record<string, unknown> | null | undefined;
  const keyId = typeof params?.keyId === 'string' ? params.keyId : undefined;
  const keyArn = fromResources ?? parsed?.[3] ?? keyId;
  return {
    time: e.time,
    action: `kms:${e.name}`,
    principal,
    principalArn: roleArnOf(principal),
    ...(keyArn ? { keyArn } : {}),
    reason: denialReason(e.errorMessage),
    ...viaServiceOf(record, region),
    source: 'CloudTrail',
    ...(e.errorMessage ? { message: e.errorMessage } : {}),
  };
}

/** Denials quoted in CloudFormation's failure reasons (a custom resource relays its error). */
export function denialFromStackEvent(ev: StackEvent, region: string): Denial | undefined {
  if (!/_FAILED$/.test(ev.status) || !ev.reason) return undefined;
  const m = DENIAL_MESSAGE.exec(ev.reason);
  if (!m) return undefined;
  const ssmName = ssmParameterOf(ev);
  return {
    time: ev.time,
    action: m[2]!.replace(/^kms:/i, 'kms:'),
    principal: m[1]!,
    principalArn: roleArnOf(m[1]!),
    ...(m[3] ? { keyArn: m[3] } : {}),
    reason: denialReason(ev.reason),
    ...(ssmName ? { viaService: `ssm.${region}.amazonaws.com`, context: ssmName } : {}),
    source: 'CloudFormation',
    message: ev.reason,
  };
}

/** The SSM parameter an AwsCustomResource (or any resource) reads, from its properties. */
export function ssmParameterOf(ev: Pick<StackEvent, 'properties'>): string | undefined {
  if (!ev.properties) return undefined;
  const m = /"Name"\s*:\s*"(\/?[A-Za-z0-9_.\-/]+)"/.exec(ev.properties.replace(/\\"/g, '"'));
  return m?.[1];
}

const KMS_FAILURE = /kms[:\s]*(decrypt|generatedatakey|encrypt)|KMS\.|kms\.amazonaws\.com|AccessDeniedException.*KMS/i;

// ---------------------------------------------------------------- evidence

export interface KeyFacts {
  ref: string;
  info?: KeyInfo;
  aliases: string[];
  policyText?: string;
  policy?: KeyPolicyDoc;
  policyError?: string;
}

export interface DecryptDeniedEvidence {
  input: PlaybookInput;
  target: DecryptTarget;
  now: Date;
  since: Date;
  accountId?: string;
  denials: Denial[];
  trailTruncated?: boolean;
  trailRead: boolean;
  stack?: StackInfo;
  /** a name that is not a stack: taken as a role name */
  stackMissing?: boolean;
  stackEvents?: StackEvent[];
  toolkit?: StackInfo;
  toolkitMissing?: boolean;
  parameters?: ParameterInfo[];
  /** by key ARN (and by every ref that resolved to it) */
  keys: Map<string, KeyFacts>;
  aliases?: KeyAlias[];
  simulations: Map<string, SimulationResult[]>;
  checks: CheckResult[];
}

const isAwsManagedAlias = (ref: string) => /^alias\/aws\//.test(ref) || /:alias\/aws\//.test(ref);

async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<DecryptDeniedEvidence> {
  const now = opts.now?.() ?? new Date();
  const since = new Date(now.getTime() - input.hours * 3_600_000);
  const inv = new Investigation(DECRYPT_DENIED_CHECKS, opts);
  const target = parseTarget(input.target);
  const e: DecryptDeniedEvidence = {
    input,
    target,
    now,
    since,
    denials: [],
    trailRead: false,
    keys: new Map(),
    simulations: new Map(),
    checks: [],
  };

  // One attribute per LookupEvents call: the event source here, AccessDenied filtered client-side
  // (the shared 2-calls-per-second limiter paces the pages).
  const trail = inv.run('kms-denials', () =>
    lookupEvents(aws, { attribute: { key: 'EventSource', value: 'kms.amazonaws.com' }, since, until: now, maxPages: 10 }),
  );

  const stack: Promise<Outcome<unknown>> =
    target.kind === 'name'
      ? inv.run('stack', async (signal) => {
          const found = await describeStack(aws, target.name, signal);
          if (!found) {
            e.stackMissing = true;
            return undefined;
          }
          e.stack = found;
          e.stackEvents = await stackEvents(aws, found.id || target.name, { max: 300, signal });
          return found;
        })
      : Promise.resolve(inv.skip('stack', target.kind === 'key' ? 'the target is a KMS key' : 'the target is a principal'));

  const toolkit = inv.run('cdk-bootstrap', async (signal) => {
    const found = await describeStack(aws, CDK_TOOLKIT, signal);
    if (!found) e.toolkitMissing = true;
    else e.toolkit = found;
    return found;
  });

  const params = inv.run('ssm-parameters', (signal) => secureStringParameters(aws, { signal }));

  const [trailOut, , , paramsOut] = await Promise.all([trail, stack, toolkit, params]);
  if (trailOut.ok) {
    e.trailRead = true;
    e.trailTruncated = trailOut.value.truncated;
    e.denials.push(...trailOut.value.events.flatMap((ev) => denialFromTrail(ev, input.region) ?? []));
  }
  for (const ev of e.stackEvents ?? []) {
    const d = denialFromStackEvent(ev, input.region);
    // CloudTrail has the same denial with more detail; keep the stack's only when CloudTrail has none like it.
    if (d && !e.denials.some((x) => x.source === 'CloudTrail' && x.principalArn === d.principalArn && x.keyArn === d.keyArn)) e.denials.push(d);
  }
  if (paramsOut.ok) e.parameters = paramsOut.value.parameters;
  e.accountId =
    /^arn:aws[\w-]*:\w+:[^:]*:(\d{12}):/.exec(e.stack?.id ?? e.toolkit?.id ?? e.parameters?.[0]?.arn ?? '')?.[1] ??
    e.denials.map((d) => /::(\d{12}):/.exec(d.principalArn)?.[1]).find(Boolean);

  // Which keys to look at: the target's, the denied ones, the bootstrap key, the parameters' customer keys.
  const refs = new Set<string>();
  if (target.kind === 'key') refs.add(target.ref);
  for (const d of relevantDenials(e)) if (d.keyArn) refs.add(d.keyArn);
  const bootstrapKey = e.toolkit?.parameters.FileAssetsBucketKmsKeyId;
  if (bootstrapKey && !BOOTSTRAP_DEFAULT_KEYS.has(bootstrapKey)) refs.add(bootstrapKey);
  for (const p of relevantParameters(e)) if (p.keyId && !isAwsManagedAlias(p.keyId)) refs.add(p.keyId);
  const keyRefs = [...refs].slice(0, MAX_KEYS);

  if (keyRefs.length === 0) inv.skip('keys', 'no KMS key to look at');
  else
    await inv.run('keys', async (signal) => {
      let aliasesDenied: AwsCallError | undefined;
      const [described, aliases] = await Promise.all([
        Promise.all(keyRefs.map(async (ref) => ({ ref, info: await describeKey(aws, ref, signal) }))),
        listAliases(aws).catch((err: unknown) => {
          // names only: the keys are still described, but the missing permission is said (below)
          if (err instanceof AwsCallError && err.kind === 'access-denied') {
            aliasesDenied = err;
            return undefined;
          }
          throw err;
        }),
      ]);
      if (aliases) e.aliases = aliases;
      for (const { ref, info } of described) {
        const facts: KeyFacts = e.keys.get(info?.arn ?? ref) ?? { ref, aliases: [] };
        if (info) {
          facts.info = info;
          facts.aliases = (aliases ?? []).filter((a) => a.targetKeyId === info.id).map((a) => a.name);
          if (ref.startsWith('alias/') && !facts.aliases.includes(ref)) facts.aliases.push(ref);
        }
        e.keys.set(info?.arn ?? ref, facts);
        if (info && ref !== info.arn) e.keys.set(ref, facts);
      }
      // The keys' facts are kept for the rules; the check names the IAM action it lacked.
      if (aliasesDenied) throw aliasesDenied;
      return described.length;
    });

  const customer = [...new Set(e.keys.values())].filter((k) => k.info && k.info.manager === 'CUSTOMER');
  const policies =
    customer.length === 0
      ? Promise.resolve(inv.skip('key-policies', e.keys.size === 0 ? 'no KMS key to look at' : 'no customer managed key involved'))
      : inv.run('key-policies', async (signal) => {
          await Promise.all(
            customer.map(async (k) => {
              k.policyText = await getKeyPolicy(aws, k.info!.arn, signal);
              try {
                k.policy = parseKeyPolicy(k.policyText);
              } catch (err) {
                k.policyError = err instanceof Error ? err.message : String(err);
              }
            }),
          );
          return customer.length;
        });

  const principals = groupDenials(relevantDenials(e)).slice(0, MAX_PRINCIPALS);
  const identity =
    principals.length === 0
      ? Promise.resolve(inv.skip('identity-policies', e.trailRead || e.stackEvents ? 'no denied principal' : 'the denials could not be read'))
      : inv.run('identity-policies', async () => {
          await Promise.all(
            principals
              .filter((g) => /:(role|user)\//.test(g.principalArn))
              .map(async (g) => {
                const key = g.keyArn ? keyFacts(e, g.keyArn)?.info?.arn ?? g.keyArn : undefined;
                const results = await simulatePrincipal(aws, g.principalArn, g.actions, key ? [key] : []);
                e.simulations.set(groupKey(g), results);
              }),
          );
          return e.simulations.size;
        });

  await Promise.all([policies, identity]);
  e.checks = inv.results();
  return e;
}

// ---------------------------------------------------------------- scoping

export function keyFacts(e: Pick<DecryptDeniedEvidence, 'keys'>, ref: string): KeyFacts | undefined {
  return e.keys.get(ref) ?? [...e.keys.values()].find((k) => k.info && (k.info.id === ref || k.info.arn === ref || k.aliases.includes(ref)));
}

const roleNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const cdkRoleNames = (qualifier: string) => new RegExp(`^cdk-${qualifier}-`);

/** The denials this target is about (all of them without a narrower target). */
export function relevantDenials(e: DecryptDeniedEvidence): Denial[] {
  const inWindow = e.denials.filter((d) => d.time >= e.since && d.time <= e.now);
  const t = e.target;
  if (t.kind === 'key') {
    const facts = keyFacts(e, t.ref);
    const ids = new Set([t.ref, facts?.info?.arn, facts?.info?.id].filter((x): x is string => !!x));
    return inWindow.filter((d) => d.keyArn && (ids.has(d.keyArn) || ids.has(d.keyArn.slice(d.keyArn.lastIndexOf('/') + 1))));
  }
  if (t.kind === 'principal') return inWindow.filter((d) => d.principalArn === t.arn || roleNameOf(d.principalArn) === t.name);
  if (e.stack) {
    // The stack's own roles (CDK names them <stack>-…), and CDK's bootstrap roles, which every
    // deploy to this environment uses (earlier attempts included).
    const qualifier = e.toolkit?.parameters.Qualifier || DEFAULT_QUALIFIER;
    return inWindow.filter((d) => {
      const role = roleNameOf(d.principalArn);
      return d.source === 'CloudFormation' || role.startsWith(`${e.stack!.name}-`) || cdkRoleNames(qualifier).test(role);
    });
  }
  if (e.stackMissing) return inWindow.filter((d) => roleNameOf(d.principalArn) === (t as { name: string }).name);
  return inWindow;
}

/** SSM parameters on customer keys that matter here. */
export function relevantParameters(e: DecryptDeniedEvidence): ParameterInfo[] {
  const onCustomer = (e.parameters ?? []).filter((p) => p.type === 'SecureString' && p.keyId && p.keyId !== SSM_DEFAULT_KEY && !isAwsManagedAlias(p.keyId));
  const t = e.target;
  if (t.kind === 'key') return onCustomer;
  if (e.stack) {
    const named = new Set((e.stackEvents ?? []).map(ssmParameterOf).filter((x): x is string => !!x));
    for (const v of Object.values(e.stack.parameters)) if (v.startsWith('/')) named.add(v);
    return onCustomer.filter((p) => named.has(p.name));
  }
  return onCustomer;
}

export interface DenialGroup {
  principal: string;
  principalArn: string;
  keyArn?: string;
  actions: string[];
  reasons: DenialReason[];
  viaServices: string[];
  contexts: string[];
  denials: Denial[];
}

const groupKey = (g: Pick<DenialGroup, 'principalArn' | 'keyArn'>) => `${g.principalArn}|${g.keyArn ?? '?'}`;

export function groupDenials(denials: Denial[]): DenialGroup[] {
  const groups = new Map<string, DenialGroup>();
  for (const d of [...denials].sort((a, b) => a.time.getTime() - b.time.getTime())) {
    const k = groupKey(d);
    const g = groups.get(k) ?? { principal: d.principal, principalArn: d.principalArn, ...(d.keyArn ? { keyArn: d.keyArn } : {}), actions: [], reasons: [], viaServices: [], contexts: [], denials: [] };
    const add = <T>(list: T[], v: T | undefined) => v !== undefined && !list.includes(v) && list.push(v);
    add(g.actions, d.action);
    add(g.reasons, d.reason);
    add(g.viaServices, d.viaService);
    add(g.contexts, d.context);
    g.denials.push(d);
    groups.set(k, g);
  }
  return [...groups.values()].sort((a, b) => b.denials.length - a.denials.length);
}

// ---------------------------------------------------------------- rules (findings)

const keyLabel = (e: DecryptDeniedEvidence, ref: string | undefined): string => {
  if (!ref) return 'an unidentified key';
  const k = keyFacts(e, ref);
  const alias = k?.aliases.find((a) => !a.startsWith('alias/aws/')) ?? k?.aliases[0];
  const id = k?.info?.id ?? ref.slice(ref.lastIndexOf('/') + 1);
  return alias ? `${alias} (${id})` : id;
};

const showCli: RemediationRef = { id: 'show-cli', label: 'Show CLI commands', params: {} };

function grantRef(e: DecryptDeniedEvidence, g: DenialGroup, keyArn: string): RemediationRef {
  const via = g.viaServices.length === 1 ? g.viaServices[0] : undefined;
  return {
    id: 'kms-key-policy-grant',
    label: `Let ${roleNameOf(g.principalArn)} use key ${keyLabel(e, keyArn)}`.slice(0, 75),
    params: {
      keyArn,
      principal: g.principalArn,
      actions: g.actions.join(','),
      ...(via ? { viaService: via } : {}),
      region: e.input.region,
    },
  };
}

function missingGrantText(verdict: PolicyVerdict | undefined, sim: SimulationResult[] | undefined, g: DenialGroup, simState: string): { text: string; fixable: boolean } {
  const role = roleNameOf(g.principalArn);
  const simDenied = sim?.some((r) => r.decision !== 'allowed');
  const simExplicit = sim?.some((r) => r.decision === 'explicitDeny');
  switch (verdict?.kind) {
    case 'no-grant':
      return {
        text: `*The key policy is missing the grant:* it does not name ${role}, and without the account-root statement no IAM policy can allow it either.`,
        fixable: true,
      };
    case 'delegates-to-iam':
      if (simExplicit) return { text: `The key policy leaves access to IAM, and an identity-based policy of ${role} *explicitly denies* it (IAM simulation). Remove that Deny; whybot does not.`, fixable: false };
      if (simDenied)
        return {
          text: `*The identity policy is missing the grant:* the key policy leaves access to IAM (account-root statement) and ${role}’s identity-based policies do not allow ${g.actions.join(', ')} on this key (IAM simulation: implicit deny). Either add it to the role’s policy, or name the role in the key policy (below).`,
          fixable: true,
        };
      if (sim)
        return {
          text: `The key policy leaves access to IAM and IAM simulation says ${role}’s policies allow it: look for a permissions boundary, a session policy, an SCP or an encryption-context condition.`,
          fixable: false,
        };
      return {
        text: `The key policy leaves access to IAM (account-root statement); ${role}’s identity policies were not simulated (${simState}). ${g.reasons.includes('identity-policy') ? 'KMS says no identity-based policy allows it: the identity policy is missing the grant.' : ''}`.trim(),
        fixable: true,
      };
    case 'allows-principal':
      return { text: `The key policy now allows ${role} (statement ${verdict.sid ?? '?'}): the denials may predate that change. Retry the deploy.`, fixable: false };
    case 'allows-principal-conditionally':
      return { text: `The key policy names ${role} only under conditions (statement ${verdict.sid ?? '?'}); the denied calls did not meet them (check kms:ViaService / encryption context).`, fixable: true };
    case 'denies':
      return { text: `The key policy *explicitly denies* ${role} (statement ${verdict.sid ?? '?'}). A Deny wins over any Allow: change that statement by hand; whybot does not remove Deny statements.`, fixable: false };
    default: {
      const r = g.reasons.find((x) => x !== 'unknown');
      const said =
        r === 'key-policy'
          ? '*the key policy is missing the grant* (KMS: no resource-based policy allows it)'
          : r === 'identity-policy'
            ? '*the identity policy is missing the grant* (KMS: no identity-based policy allows it)'
            : r === 'explicit-deny-key-policy'
              ? 'the key policy explicitly denies it'
              : r === 'explicit-deny-identity-policy'
                ? 'an identity-based policy explicitly denies it'
                : 'KMS did not say which policy refused';
      return { text: `The key policy could not be read (${simState}); from the error message: ${said}.`, fixable: !r?.startsWith('explicit') };
    }
  }
}

function denialRules(e: DecryptDeniedEvidence): Finding[] {
  const groups = groupDenials(relevantDenials(e));
  const policyState = e.checks.find((c) => c.id === 'key-policies');
  const simCheck = e.checks.find((c) => c.id === 'identity-policies');
  const simState = simCheck?.status === 'failed' ? `IAM simulation failed: ${simCheck.reason ?? ''}${simCheck.iamAction ? `, needs ${simCheck.iamAction}` : ''}` : (simCheck?.reason ?? 'not simulated');
  return groups.map((g): Finding => {
    const k = g.keyArn ? keyFacts(e, g.keyArn) : undefined;
    const keyArn = k?.info?.arn ?? (g.keyArn?.startsWith('arn:') ? g.keyArn : undefined);
    const awsManaged = k?.info?.manager === 'AWS';
    const verdict = k?.policy && e.accountId ? keyPolicyVerdict(k.policy, g.principalArn, g.actions[0] ?? 'kms:Decrypt', e.accountId) : undefined;
    const sim = e.simulations.get(groupKey(g));
    const whyBase = awsManaged
      ? { text: `Key ${keyLabel(e, g.keyArn)} is AWS managed: its key policy cannot be changed. Give ${roleNameOf(g.principalArn)} the permission in its identity policy, or use a key you manage.`, fixable: false }
      : missingGrantText(verdict, sim, g, policyState?.status === 'failed' ? `GetKeyPolicy failed: ${policyState.reason ?? ''}` : simState);
    const last = g.denials.at(-1)!;
    const n = g.denials.length;
    let diffText = '';
    let why = whyBase;
    if (whyBase.fixable && k?.policyText && keyArn && e.accountId) {
      try {
        const plan = planGrant(k.policyText, { keyArn, principal: g.principalArn, actions: g.actions, ...(g.viaServices.length === 1 ? { viaService: g.viaServices[0]! } : {}) }, e.accountId);
        if (plan.unchanged)
          why = { text: `The key policy already has the minimal statement for ${roleNameOf(g.principalArn)} (${String(plan.statement.Sid)}): these denials predate it. Retry the deploy.`, fixable: false };
        else diffText = `\nThe minimal key-policy change (every other statement unchanged):\n\`\`\`\n${plan.diff}\n\`\`\``;
      } catch (err) {
        diffText = `\nwhybot will not propose a key-policy change: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    const remediations: RemediationRef[] = why.fixable && keyArn && !awsManaged && k?.info?.manager !== undefined ? [grantRef(e, g, keyArn), showCli] : [];
    return {
      id: 'kms-key-policy-denies',
      severity: 'critical',
      title: `${roleNameOf(g.principalArn)} is denied ${g.actions.join(', ')} on KMS key ${keyLabel(e, g.keyArn)} (${n} time${n === 1 ? '' : 's'}, last ${formatUtc(last.time)})`,
      detail:
        `Principal \`${g.principal}\` (${g.principalArn}) called ${g.actions.join(', ')} on \`${keyArn ?? g.keyArn ?? 'an unidentified key'}\`` +
        `${g.viaServices.length ? ` through ${g.viaServices.join(', ')}` : ''} and KMS refused.\n${why.text}${diffText}`,
      evidence: [
        ...g.denials.slice(-10).map((d): Evidence => ({
          source: d.source,
          time: d.time.toISOString(),
          text: `${d.action} denied${d.context ? ` (${d.context})` : ''}${d.message ? `: ${d.message.slice(0, 300)}` : ''}`,
        })),
        ...(verdict ? [{ source: 'KMS key policy', text: `for ${roleNameOf(g.principalArn)}: ${verdict.kind}${'sid' in verdict && verdict.sid ? ` (${verdict.sid})` : ''}` }] : []),
        ...(sim ?? []).map((r) => ({ source: 'IAM simulation', text: `${r.action} on ${r.resource}: ${r.decision}` })),
      ],
      remediations,
    };
  });
}

/** CDK's bootstrap roles for a qualifier, account and Region (modern bootstrap template). */
export function cdkRoles(qualifier: string, accountId: string, region: string): Array<{ name: string; arn: string; needs: string }> {
  return [
    { kind: 'cfn-exec-role', needs: 'kms:Decrypt (CloudFormation reads templates and assets)' },
    { kind: 'deploy-role', needs: 'kms:Decrypt (cdk deploy reads the uploaded template)' },
    { kind: 'file-publishing-role', needs: 'kms:GenerateDataKey and kms:Decrypt (asset upload)' },
  ].map((r) => {
    const name = `cdk-${qualifier}-${r.kind}-${accountId}-${region}`;
    return { name, arn: `arn:aws:iam::${accountId}:role/${name}`, needs: r.needs };
  });
}

const REBOOTSTRAP_GUIDANCE =
  '*Lasting fix* (incident 001 §1): do not point the bootstrap bucket at a hand-made key. Re-bootstrap with the AWS managed S3 key — ' +
  '`cdk bootstrap --bootstrap-kms-key-id AWS_MANAGED_KEY` — or let CDK create and manage its own key (`--bootstrap-customer-key`), whose policy already names the CDK roles. ' +
  'Objects already uploaded keep their old key: re-run the deploy so the assets are uploaded again.';

function bootstrapRules(e: DecryptDeniedEvidence): Finding[] {
  const tk = e.toolkit;
  const keyRef = tk?.parameters.FileAssetsBucketKmsKeyId;
  if (!tk || keyRef === undefined || BOOTSTRAP_DEFAULT_KEYS.has(keyRef)) return [];
  const k = keyFacts(e, keyRef);
  if (k?.info?.manager === 'AWS') return [];
  const t = e.target;
  const keyArn = k?.info?.arn;
  // Only where the target has to do with it: the key itself, a CDK role, a stack, or nothing narrower.
  const qualifier = tk.parameters.Qualifier || DEFAULT_QUALIFIER;
  if (t.kind === 'key' && !(keyFacts(e, t.ref) === k && k)) return [];
  if (t.kind === 'principal' && !cdkRoleNames(qualifier).test(t.name)) return [];
  if (t.kind === 'name' && e.stackMissing && !cdkRoleNames(qualifier).test(t.name)) return [];
  const accountId = e.accountId ?? /:(\d{12}):/.exec(tk.id)?.[1] ?? '';
  const roles = cdkRoles(qualifier, accountId, e.input.region);
  const missing = k?.policy ? roles.filter((r) => keyPolicyVerdict(k.policy!, r.arn, 'kms:Decrypt', accountId).kind !== 'allows-principal') : undefined;
  const delegates = k?.policy ? roles.some((r) => keyPolicyVerdict(k.policy!, r.arn, 'kms:Decrypt', accountId).kind === 'delegates-to-iam') : false;
  const denied = e.denials.filter((d) => d.keyArn && keyArn && (d.keyArn === keyArn || d.keyArn.endsWith(`/${k?.info?.id}`)));
  const failedDeploy = e.stackEvents?.some((ev) => /_FAILED$/.test(ev.status) && KMS_FAILURE.test(ev.reason ?? ''));
  const severity = denied.length > 0 || failedDeploy ? 'critical' : 'warning';
  const policyLine = !k?.policy
    ? `Its key policy could not be read${e.checks.find((c) => c.id === 'key-policies')?.status === 'failed' ? ' (GetKeyPolicy was denied)' : ''}.`
    : missing && missing.length > 0
      ? `Its key policy does not name ${missing.map((r) => r.name).join(', ')}${delegates ? ' (it leaves them to IAM: their identity policies must then allow this key)' : ' and has no account-root statement, so IAM cannot grant it either'}.`
      : 'Its key policy names every CDK role.';
  return [
    {
      id: 'cdk-bootstrap-customer-key',
      severity,
      title: `The CDK bootstrap bucket is encrypted with a hand-made key, ${keyLabel(e, keyArn ?? keyRef)}${denied.length ? `, and ${denied.length} KMS call${denied.length === 1 ? ' was' : 's were'} denied on it` : ''}`,
      detail:
        `Stack \`${CDK_TOOLKIT}\` has \`FileAssetsBucketKmsKeyId = ${keyRef}\`: every template and asset CDK uploads is encrypted with this customer managed key, ` +
        `so CloudFormation’s execution role and the deploy role need kms:Decrypt on it and the file-publishing role kms:GenerateDataKey. ${policyLine}\n${REBOOTSTRAP_GUIDANCE}`,
      evidence: [
        { source: 'CloudFormation', text: `${CDK_TOOLKIT} (${tk.status}) parameter FileAssetsBucketKmsKeyId = ${keyRef}; Qualifier = ${qualifier}` },
        ...(k?.info ? [{ source: 'KMS', text: `key ${k.info.arn}: KeyManager ${k.info.manager}, ${k.info.state}${k.aliases.length ? `, aliases ${k.aliases.join(', ')}` : ''}` }] : []),
        ...(missing ?? []).map((r) => ({ source: 'KMS key policy', text: `${r.name} not named; needs ${r.needs}` })),
        ...denied.slice(-5).map((d) => ({ source: d.source, time: d.time.toISOString(), text: `${roleNameOf(d.principalArn)}: ${d.action} denied` })),
      ],
      remediations: [
        { id: 'cdk-rebootstrap', label: 'Re-bootstrap with the AWS managed key', params: { region: e.input.region, accountId, qualifier } },
        showCli,
      ],
    },
  ];
}

function ssmRules(e: DecryptDeniedEvidence): Finding[] {
  const params = relevantParameters(e);
  if (params.length === 0) return [];
  const t = e.target;
  const byKey = new Map<string, ParameterInfo[]>();
  for (const p of params) {
    const k = keyFacts(e, p.keyId!);
    if (k?.info?.manager === 'AWS') continue;
    const arn = k?.info?.arn ?? p.keyId!;
    if (t.kind === 'key' && keyFacts(e, t.ref) !== k) continue;
    byKey.set(arn, [...(byKey.get(arn) ?? []), p]);
  }
  const findings: Finding[] = [];
  for (const [keyArn, ps] of byKey) {
    const k = keyFacts(e, keyArn);
    const ids = new Set([keyArn, k?.info?.id].filter(Boolean));
    const denials = e.denials.filter(
      (d) => d.keyArn && (ids.has(d.keyArn) || ids.has(d.keyArn.slice(d.keyArn.lastIndexOf('/') + 1))) && (d.viaService?.startsWith('ssm.') || ps.some((p) => d.context?.endsWith(`parameter${p.name}`) || d.context === p.name)),
    );
    const failedEvents = (e.stackEvents ?? []).filter((ev) => /_FAILED$/.test(ev.status) && ps.some((p) => ssmParameterOf(ev) === p.name));
    if (t.kind === 'principal' && !denials.some((d) => d.principalArn === t.arn || roleNameOf(d.principalArn) === t.name)) continue;
    const failing = denials.length > 0 || failedEvents.length > 0;
    const readers = [...new Set(denials.map((d) => roleNameOf(d.principalArn)))];
    const custom = failedEvents.find((ev) => ev.type.startsWith('Custom::'));
    const names = ps.map((p) => p.name);
    findings.push({
      id: 'ssm-param-customer-key',
      severity: failing ? 'critical' : 'info',
      title: failing
        ? `${custom ? `Custom resource ${custom.logicalId}` : readers.join(', ') || 'A reader'} cannot decrypt SSM parameter${names.length === 1 ? '' : 's'} ${names.join(', ')} (customer managed key ${keyLabel(e, keyArn)})`
        : `${names.length} SSM SecureString parameter${names.length === 1 ? ' is' : 's are'} encrypted with customer managed key ${keyLabel(e, keyArn)}`,
      detail:
        `${names.map((n) => `\`${n}\``).join(', ')} ${names.length === 1 ? 'is' : 'are'} encrypted with ${keyLabel(e, keyArn)}, not the AWS managed \`alias/aws/ssm\`: ` +
        'whoever reads them with decryption (a CDK custom resource, a Lambda, an ECS task) needs kms:Decrypt on that key, in the key policy or — if it delegates to IAM — in its own policy. ' +
        (failing ? `${custom ? `\`${custom.logicalId}\` (${custom.type}) failed: ${(custom.reason ?? '').slice(0, 300)}` : `Denied: ${readers.join(', ')}.`}\n` : '\n') +
        '*Lasting fix* (incident 001 §2): re-create the parameter with the AWS managed key (`--key-id alias/aws/ssm`). ' +
        'A parameter’s key cannot be changed without writing its value again: read it (by someone allowed to decrypt), then put it back with the new key — or delete and re-create it. ' +
        (failing ? 'Or, to unblock now, name the reader in the key policy (the grant on the denial finding).' : ''),
      evidence: [
        ...ps.map((p) => ({ source: 'SSM', ...(p.lastModified ? { time: p.lastModified.toISOString() } : {}), text: `${p.name}: SecureString, KeyId ${p.keyId}` })),
        ...(k?.info ? [{ source: 'KMS', text: `key ${k.info.arn}: KeyManager ${k.info.manager}` }] : []),
        ...failedEvents.map((ev) => ({ source: 'CloudFormation', time: ev.time.toISOString(), text: `${ev.logicalId} ${ev.status}: ${(ev.reason ?? '').slice(0, 200)}` })),
        ...denials.slice(-5).map((d) => ({ source: d.source, time: d.time.toISOString(), text: `${roleNameOf(d.principalArn)}: ${d.action} denied` })),
      ],
      remediations: [
        ...ps.map((p) => ({ id: 'ssm-recreate-parameter', label: `Re-create ${p.name} with alias/aws/ssm`.slice(0, 75), params: { name: p.name, region: e.input.region } })),
        showCli,
      ],
    });
  }
  return findings;
}

function contextRules(e: DecryptDeniedEvidence, findings: Finding[]): Finding[] {
  const out: Finding[] = [];
  if (e.target.kind === 'name' && e.stackMissing)
    out.push({
      id: 'target-not-a-stack',
      severity: 'info',
      title: `No stack named ${e.target.name} in ${e.input.region}: took it as a role name`,
      detail: 'Pass a key (id, ARN or alias/…), a role ARN, or a stack name. Only denials by a role of this name were considered.',
      evidence: [],
      remediations: [],
    });
  if (e.stack && e.stackEvents) {
    const failures = e.stackEvents.filter((ev) => /_FAILED$/.test(ev.status) && ev.reason && !/cancelled/i.test(ev.reason));
    const kms = failures.filter((ev) => KMS_FAILURE.test(ev.reason ?? ''));
    const first = failures[0];
    if (first && kms.length === 0)
      out.push({
        id: 'stack-failed-not-kms',
        severity: 'info',
        title: `${e.stack.name} failed, but not on KMS: ${first.logicalId} ${first.status}`,
        detail: `The first failure reason does not mention KMS: ${(first.reason ?? '').slice(0, 300)}. Try /why-deploy-failed ${e.stack.name}.`,
        evidence: [{ source: 'CloudFormation', time: first.time.toISOString(), text: `${first.logicalId}: ${first.reason ?? ''}` }],
        remediations: [],
      });
  }
  if (e.trailRead && relevantDenials(e).length === 0 && !findings.some((f) => f.severity === 'critical'))
    out.push({
      id: 'no-kms-denials',
      severity: 'info',
      title: `CloudTrail shows no denied KMS call${e.target.kind === 'key' ? ' on this key' : e.target.kind === 'principal' ? ' by this principal' : ''} in the last ${e.input.hours} h`,
      detail: 'CloudTrail delivers events about 5 minutes (up to 15) after they happen: a denial in the last minutes may not show yet.',
      evidence: [],
      remediations: [],
    });
  if (e.trailTruncated)
    out.push({
      id: 'kms-events-truncated',
      severity: 'info',
      title: 'CloudTrail had more KMS events than whybot reads in one investigation',
      detail: `Only the newest 500 KMS events were read; older denials in the last ${e.input.hours} h may be missing. Narrow the window with --hours.`,
      evidence: [],
      remediations: [],
    });
  return out;
}

function healthyRule(e: DecryptDeniedEvidence, findings: Finding[]): Finding[] {
  if (findings.some((f) => f.severity === 'critical' || f.severity === 'warning')) return [];
  if (e.checks.some((c) => c.status === 'failed') || !e.trailRead) return [];
  const bootstrap = e.toolkit ? `the CDK bootstrap bucket uses ${e.toolkit.parameters.FileAssetsBucketKmsKeyId || 'a key CDK created'}` : `there is no ${CDK_TOOLKIT} stack`;
  return [
    {
      id: 'kms-access-healthy',
      severity: 'ok',
      title: `No KMS denial in the last ${e.input.hours} h and no customer-key trap found`,
      detail: `Checked: CloudTrail’s KMS events, ${bootstrap}, and ${e.parameters?.length ?? 0} SecureString parameter${e.parameters?.length === 1 ? '' : 's'}.`,
      evidence: [],
      remediations: [],
    },
  ];
}

export function diagnose(e: DecryptDeniedEvidence): Finding[] {
  const findings = [...denialRules(e), ...bootstrapRules(e), ...ssmRules(e)];
  const all = [...findings, ...contextRules(e, findings)];
  const healthy = healthyRule(e, all);
  // The healthy finding says what "no denials" says, and what else was checked.
  return [...(healthy.length ? all.filter((f) => f.id !== 'no-kms-denials') : all), ...healthy].sort(bySeverity);
}

export function verdict(e: DecryptDeniedEvidence, findings: Finding[]): PlaybookResult['verdict'] {
  const failed = e.checks.filter((c) => c.status === 'failed');
  const unchecked = failed.length > 0 ? ` ${failed.length} check${failed.length === 1 ? '' : 's'} could not run: ${failed.map((c) => c.id).join(', ')}.` : '';
  const denies = findings.filter((f) => f.id === 'kms-key-policy-denies');
  const causes = findings.filter((f) => f.severity === 'critical' && f.id !== 'kms-key-policy-denies');
  if (denies.length > 0 || causes.length > 0) {
    const parts = [
      ...(denies.length ? [`${denies.length} principal/key pair${denies.length === 1 ? '' : 's'} denied by KMS (${denies.map((f) => f.title.split(' is denied')[0]).join(', ')})`] : []),
      ...causes.map((f) => (f.id === 'cdk-bootstrap-customer-key' ? 'the CDK bootstrap bucket is on a hand-made customer key' : f.id === 'ssm-param-customer-key' ? 'an SSM SecureString the deploy reads is on a customer key' : f.title)),
    ];
    return { severity: 'critical', summary: `Likely cause: ${parts.join('; ')}.${unchecked}` };
  }
  const top = findings[0];
  if (top && (top.severity === 'ok' || top.severity === 'warning')) return { severity: top.severity, summary: `${top.title}.${top.severity === 'ok' ? '' : unchecked}` };
  if (failed.length > 0) return { severity: 'info', summary: `No cause found in what whybot could see.${unchecked}${top ? ` ${top.title}.` : ''}` };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No cause found in the evidence checked.' };
}

export function timeline(e: DecryptDeniedEvidence): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const d of relevantDenials(e))
    entries.push({ time: d.time.toISOString(), source: d.source, text: `${roleNameOf(d.principalArn)}: ${d.action} on ${keyLabel(e, d.keyArn)} denied` });
  for (const ev of e.stackEvents ?? [])
    if (/_FAILED$|ROLLBACK|User Initiated/.test(`${ev.status} ${ev.reason ?? ''}`) || ev.type === 'AWS::CloudFormation::Stack')
      entries.push({ time: ev.time.toISOString(), source: 'CloudFormation', text: `${ev.logicalId} ${ev.status}${ev.reason ? `: ${ev.reason.slice(0, 160)}` : ''}` });
  return entries.sort(byTime);
}

/** Without a target: the keys KMS denied something on in the last day (one page of events). */
async function candidates(aws: AwsClients): Promise<Candidate[]> {
  const now = new Date();
  const { events } = await lookupEvents(aws, {
    attribute: { key: 'EventSource', value: 'kms.amazonaws.com' },
    since: new Date(now.getTime() - 24 * 3_600_000),
    until: now,
    maxPages: 2,
  });
  const counts = new Map<string, number>();
  for (const ev of events) {
    const d = denialFromTrail(ev, aws.target.region);
    if (d?.keyArn) counts.set(d.keyArn, (counts.get(d.keyArn) ?? 0) + 1);
  }
  return [...counts].map(([id, n]) => ({ id, description: `${n} denied call${n === 1 ? '' : 's'} in the last 24 h` }));
}

export const decryptDenied: Playbook = definePlaybook({
  ...PLAYBOOK_CATALOG['decrypt-denied']!,
  candidates,
  checks: DECRYPT_DENIED_CHECKS,
  // LookupEvents / DescribeStacks→DescribeStackEvents / DescribeParameters, then DescribeKey,
  // then GetKeyPolicy (SimulatePrincipalPolicy beside it).
  criticalPathCalls: 4,
  gather,
  diagnose,
  verdict,
  timeline,
});
