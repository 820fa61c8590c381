// Where to investigate when WHYBOT_ACCOUNTS names several accounts and Regions: the places a
// command asks for (--account, --region, the channel's defaults), and the search for its
// target across them, concurrently and bounded, with each playbook's lookup (or, without a
// target, its candidates()).
import type { AwsClients } from '../aws/clients.js';
import type { AccountConfig, Config } from '../config.js';
import type { Unreachable } from '../findings.js';
import type { Candidate, Playbook } from './types.js';

/** One account × Region; `account` absent = whybot's own account. */
export interface Place {
  account?: string;
  region: string;
}

export type PlacesResult = { ok: true; places: Place[] } | { ok: false; message: string };

/**
 * The places a command looks in. Without WHYBOT_ACCOUNTS: whybot's own account in the Region
 * asked for (or the channel's, or the configured one), as before. With it: the account asked
 * for (or the channel's, or every one) × the Region asked for (or the channel's, or each
 * account's Regions).
 */
export function placesFor(config: Pick<Config, 'accounts' | 'channelDefaults' | 'region'>, ask: { account?: string; region?: string; channel?: string }): PlacesResult {
  const channel = ask.channel ? config.channelDefaults[ask.channel] : undefined;
  const region = ask.region ?? channel?.region;
  if (!config.accounts) {
    if (ask.account) return { ok: false, message: `--account needs accounts to choose from: set WHYBOT_ACCOUNTS.` };
    const r = region ?? config.region;
    if (!r) return { ok: false, message: 'No AWS Region: pass --region R or set AWS_REGION.' };
    return { ok: true, places: [{ region: r }] };
  }
  const alias = ask.account ?? channel?.account;
  const all = Object.values(config.accounts);
  if (alias !== undefined && !Object.hasOwn(config.accounts, alias))
    return { ok: false, message: `No account "${alias}". Accounts: ${all.map((a) => a.alias).join(', ')}.` };
  const accounts = alias === undefined ? all : [config.accounts[alias]!];
  return { ok: true, places: accounts.flatMap((a) => (region ? [region] : a.regions).map((r) => ({ account: a.alias, region: r }))) };
}

export const placeName = (p: Place): string => (p.account ? `${p.account} ${p.region}` : p.region);

/** "payments-prod, payments-dr": the accounts of these places, once each (the search's "No … in"). */
export const accountsOf = (places: Place[]): string => [...new Set(places.map((p) => p.account ?? 'whybot'))].join(', ');

/** A candidate and where it is. */
export type PlacedCandidate = Candidate & Place;

export type Located =
  /** found in one place (or only one place to look): investigate `target` there (undefined: the usual choice in that place) */
  | { kind: 'here'; place: Place; target?: string; unreachable: Unreachable[] }
  /** found in several: the user chooses */
  | { kind: 'many'; candidates: PlacedCandidate[]; unreachable: Unreachable[] }
  /** found nowhere that could be searched */
  | { kind: 'none'; searched: Place[]; unreachable: Unreachable[] }
  /**
   * the playbook cannot search for this (no lookup, or not for this kind of target): a place
   * must be named. With `account`, the account is known (asked for, the channel's, or the
   * target ARN's) and only the Region is missing: one of `regions`.
   */
  | { kind: 'name-the-account'; account?: string; regions?: string[] }
  /** the target is an ARN in an account that is not among the places: `alias` its configured alias, if any */
  | { kind: 'arn-elsewhere'; accountId: string; alias?: string };

/** The account and Region an ARN names (`arn:partition:service:region:account-id:resource`); either may be empty (IAM has no Region). */
export function arnPlace(target: string): { accountId?: string; region?: string } | undefined {
  const m = /^arn:aws[\w-]*:[a-z0-9-]+:([a-z0-9-]*):(\d{12})?:./.exec(target);
  if (!m) return undefined;
  return { ...(m[2] ? { accountId: m[2] } : {}), ...(m[1] ? { region: m[1] } : {}) };
}

/** Why a place must be named, for a usage error; `code` formats an option (Slack: backticks). */
export function nameThePlaceText(
  located: Extract<Located, { kind: 'name-the-account' | 'arn-elsewhere' }>,
  ctx: { playbook: string; label: string; target?: string; accounts: Record<string, AccountConfig>; code?: (s: string) => string },
): string {
  const code = ctx.code ?? ((s: string) => s);
  const aliases = Object.keys(ctx.accounts).join(', ');
  if (located.kind === 'arn-elsewhere')
    return located.alias
      ? `${ctx.target ?? 'The ARN'} is in account ${located.accountId} (${located.alias}), not the one asked for: add ${code(`--account ${located.alias}`)} or leave --account out.`
      : `${ctx.target ?? 'The ARN'} is in account ${located.accountId}, which is not in WHYBOT_ACCOUNTS (${Object.values(ctx.accounts).map((a) => `${a.alias} ${a.accountId}`).join(', ')}): whybot cannot look there.`;
  if (located.account)
    return `${ctx.playbook} cannot search ${located.account}'s Regions for its ${ctx.label}: add ${code('--region R')} (one of ${located.account}'s Regions: ${(located.regions ?? []).join(', ')}).`;
  return `${ctx.playbook} cannot search accounts for its ${ctx.label}: add ${code('--account A')} (one of ${aliases}).`;
}

/** name-the-account for these places: the Region alone when they are all in one account. */
function nameThePlace(places: Place[]): Located {
  const accounts = new Set(places.map((p) => p.account));
  const [account] = accounts;
  return accounts.size === 1 && account !== undefined ? { kind: 'name-the-account', account, regions: places.map((p) => p.region) } : { kind: 'name-the-account' };
}

/** How many places are searched at once (each is an AssumeRole, then a few list calls). */
export const SEARCH_CONCURRENCY = 8;

async function eachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/** The permission a refusal names ("… not authorized to perform: sts:AssumeRole on …"). */
export function refusedAction(message: string): string | undefined {
  return /perform: ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1];
}

/**
 * Finds the target (or, with none named, the candidates) across `places`. A target ARN names
 * its place (the configured account with its id, its Region): no search. One place: no
 * search, the caller investigates there as it always has. A named target is looked up in
 * each place by the playbook's lookup (the resource itself, whatever its state), never
 * matched against candidates(), which lists only what a command without a target offers. An
 * account whose role cannot be assumed is reported once, with the missing permission; the
 * others still answer.
 */
export async function locate(
  playbook: Playbook,
  places: Place[],
  awsFor: (region: string, account?: string) => AwsClients,
  opts: { target?: string; hours: number; accounts?: Record<string, AccountConfig> },
): Promise<Located> {
  const { target } = opts;
  const arn = target !== undefined && opts.accounts && places.some((p) => p.account) ? arnPlace(target) : undefined;
  // an ARN in an account whybot has no role for, which may still have been used from one it has
  let usedFromElsewhere = false;
  if (arn?.accountId) {
    const alias = Object.values(opts.accounts!).find((a) => a.accountId === arn.accountId)?.alias;
    const mine = places.filter((p) => p.account === alias);
    if (!alias && playbook.lookup?.usedHere) usedFromElsewhere = true;
    else if (!alias || mine.length === 0) return { kind: 'arn-elsewhere', accountId: arn.accountId, ...(alias ? { alias } : {}) };
    // the ARN's Region wins over the account's list: the resource is there and nowhere else
    else if (arn.region) return { kind: 'here', place: { account: alias!, region: arn.region }, target: target!, unreachable: [] };
    else places = mine;
  }
  if (places.length === 1) return { kind: 'here', place: places[0]!, ...(target ? { target } : {}), unreachable: [] };
  const lookup = playbook.lookup;
  if (!usedFromElsewhere && (target !== undefined ? !lookup || lookup.accepts?.(target) === false : !playbook.candidates)) return nameThePlace(places);
  const findHere = usedFromElsewhere ? lookup!.usedHere!.bind(lookup) : lookup?.find.bind(lookup);
  const found: PlacedCandidate[] = [];
  const unreachable: Unreachable[] = [];
  const denied = new Set<string>();
  /** Whether the place's credentials resolve (its account's role assumed); a refusal is named once per account. */
  const reachable = async (place: Place, aws: AwsClients): Promise<boolean> => {
    if (place.account && denied.has(place.account)) return false;
    const creds = await aws.preflight();
    if (creds.ok) return true;
    // a role that cannot be assumed fails alike in every Region: named once, for the account
    if (place.account && denied.has(place.account)) return false;
    if (place.account) denied.add(place.account);
    unreachable.push({ account: place.account ?? 'whybot', iamAction: refusedAction(creds.message) ?? 'sts:AssumeRole', reason: creds.message });
    return false;
  };
  // Every account's role is assumed ahead of the lookups (as many at a time), so a lookup lane
  // reaching an account finds its credentials cached instead of spending a round trip on STS.
  const firstOfEachAccount = [...new Map(places.filter((p) => p.account).map((p) => [p.account, p])).values()];
  const assumeAhead = eachBounded(firstOfEachAccount, SEARCH_CONCURRENCY, async (place) => {
    const aws = awsFor(place.region, place.account);
    try {
      await reachable(place, aws);
    } finally {
      aws.destroy();
    }
  });
  const lookups = eachBounded(places, SEARCH_CONCURRENCY, async (place) => {
    if (place.account && denied.has(place.account)) return;
    const aws = awsFor(place.region, place.account);
    try {
      if (!(await reachable(place, aws))) return;
      if (target !== undefined) {
        const c = await findHere!(aws, target);
        if (c) found.push({ ...c, ...place });
        return;
      }
      const list = await playbook.candidates!(aws, { hours: opts.hours });
      for (const c of Array.isArray(list) ? list : list.candidates) found.push({ ...c, ...place });
    } catch (err) {
      const message = firstLine(err);
      const iamAction = (err as { iamAction?: string }).iamAction ?? refusedAction(message);
      unreachable.push({ account: place.account ?? 'whybot', region: place.region, ...(iamAction ? { iamAction } : {}), reason: message });
    } finally {
      aws.destroy();
    }
  });
  await Promise.all([assumeAhead, lookups]);
  const order = (a: Unreachable, b: Unreachable) => a.account.localeCompare(b.account) || (a.region ?? '').localeCompare(b.region ?? '');
  unreachable.sort(order);
  if (found.length === 1) {
    const [c] = found;
    return { kind: 'here', place: { ...(c!.account ? { account: c!.account } : {}), region: c!.region }, target: c!.id, unreachable };
  }
  if (found.length === 0) return { kind: 'none', searched: places, unreachable };
  found.sort((a, b) => (a.account ?? '').localeCompare(b.account ?? '') || a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
  return { kind: 'many', candidates: found, unreachable };
}

/** "payments-dev (needs sts:AssumeRole)" for each account whybot could not look in. */
export function unreachableText(unreachable: Unreachable[]): string {
  return unreachable.map((u) => `${u.account}${u.region ? ` ${u.region}` : ''} (${u.iamAction ? `needs ${u.iamAction}` : u.reason})`).join(', ');
}
