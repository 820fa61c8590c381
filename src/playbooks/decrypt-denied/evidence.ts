// What decrypt-denied asks AWS, and nothing it concludes: CloudTrail's KMS denials, the stack
// and its failed events, the CDKToolkit stack's KMS parameter, the SSM SecureString parameters'
// keys, the keys (customer or AWS managed) and their policies, and the denied principals'
// identity policies (simulated).
import type { AwsClients } from '../../aws/clients.js';
import { CLOUDFORMATION_IAM, describeStack, stackEvents, type StackEvent, type StackInfo } from '../../aws/cloudformation.js';
import { CLOUDTRAIL_IAM, lookupEvents } from '../../aws/cloudtrail.js';
import { AwsCallError } from '../../aws/errors.js';
import { IAM_IAM, simulatePrincipal, type SimulationResult } from '../../aws/iam-policy.js';
import { describeKey, getKeyPolicy, KMS_IAM, listAliases, type KeyAlias, type KeyInfo } from '../../aws/kms.js';
import { secureStringParameters, SSM_PARAMETERS_IAM, type ParameterInfo } from '../../aws/ssm-parameters.js';
import { Investigation, type Outcome } from '../../engine/investigation.js';
import type { CheckResult } from '../../findings.js';
import { parseKeyPolicy, type KeyPolicyDoc } from '../../key-policy.js';
import { defineChecks, rulesFor, type CheckIdOf } from '../define.js';
import type { PlaybookInput, RunOptions } from '../types.js';
import { denialFromStackEvent, denialFromTrail, groupDenials, groupKey, type Denial } from './denials.js';
import { BOOTSTRAP_DEFAULT_KEYS, CDK_TOOLKIT, isAwsManagedAlias, keyFacts, relevantDenials, relevantParameters } from './facts.js';
import { parseTarget, type DecryptTarget } from './target.js';

export const CHECKS = defineChecks([
  { id: 'kms-denials', title: 'CloudTrail: KMS calls denied (AccessDenied)', iam: [CLOUDTRAIL_IAM.lookupEvents] },
  { id: 'stack', title: 'The stack’s status and failed events', iam: [CLOUDFORMATION_IAM.describeStacks, CLOUDFORMATION_IAM.describeStackEvents] },
  { id: 'cdk-bootstrap', title: 'CDKToolkit stack: the bootstrap bucket’s KMS key', iam: [CLOUDFORMATION_IAM.describeStacks] },
  { id: 'ssm-parameters', title: 'SSM SecureString parameters and their KMS keys', iam: [SSM_PARAMETERS_IAM.describeParameters] },
  { id: 'keys', title: 'KMS keys: customer or AWS managed, state, aliases', iam: [KMS_IAM.describeKey, KMS_IAM.listAliases] },
  { id: 'key-policies', title: 'Key policies of the customer managed keys', iam: [KMS_IAM.getKeyPolicy] },
  { id: 'identity-policies', title: 'Identity policies of the denied principals (IAM simulation)', iam: [IAM_IAM.simulatePrincipalPolicy] },
] as const);
export type CheckId = CheckIdOf<typeof CHECKS>;

/**
 * LookupEvents pages read for the KMS denials, newest first: each page holds at most 50
 * events (lookupEvents asks for LookupEvents' maximum), and the KMS event source is filtered
 * for AccessDenied on this side, so busy keys fill the pages with calls that succeeded.
 */
export const MAX_TRAIL_PAGES = 10;
const MAX_KEYS = 20;
const MAX_PRINCIPALS = 10;
const MAX_STACK_EVENTS = 300;

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
  /** CloudTrail had more KMS events in the window than the MAX_TRAIL_PAGES pages read */
  trailTruncated?: boolean;
  /** how many KMS events (denied or not) CloudTrail returned */
  trailEventsRead?: number;
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
  /** IAM simulation by denial group (groupKey) */
  simulations: Map<string, SimulationResult[]>;
  checks: CheckResult[];
}

/** Defines one of decrypt-denied's rules (rules/*.ts). */
export const rule = rulesFor<DecryptDeniedEvidence, CheckId>();

export async function gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<DecryptDeniedEvidence> {
  const now = opts.now?.() ?? new Date();
  const since = new Date(now.getTime() - input.hours * 3_600_000);
  const inv = new Investigation(CHECKS, opts);
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
    lookupEvents(aws, { attribute: { key: 'EventSource', value: 'kms.amazonaws.com' }, since, until: now, maxPages: MAX_TRAIL_PAGES }),
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
          e.stackEvents = await stackEvents(aws, found.id || target.name, { max: MAX_STACK_EVENTS, signal });
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
    e.trailEventsRead = trailOut.value.events.length;
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
