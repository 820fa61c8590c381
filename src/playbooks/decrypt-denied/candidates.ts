// Without a target: the keys KMS denied something on in the look-back window. None is an
// answer too ("No KMS denials in the last 24 h", nothingFound below), so the lookup reads as
// many pages as the investigation's own and says when it could not read them all.
import type { AwsClients } from '../../aws/clients.js';
import { lookupEvents } from '../../aws/cloudtrail.js';
import { describeKey } from '../../aws/kms.js';
import type { CandidateList, NothingFound, TargetLookup } from '../types.js';
import { denialFromTrail } from './denials.js';
import { MAX_TRAIL_PAGES } from './evidence.js';

const DEFAULT_WINDOW_HOURS = 24;

export async function candidates(aws: AwsClients, opts?: { hours: number }): Promise<CandidateList> {
  const hours = opts?.hours ?? DEFAULT_WINDOW_HOURS;
  const now = new Date();
  const { events, truncated } = await lookupEvents(aws, {
    attribute: { key: 'EventSource', value: 'kms.amazonaws.com' },
    since: new Date(now.getTime() - hours * 3_600_000),
    until: now,
    maxPages: MAX_TRAIL_PAGES,
  });
  const counts = new Map<string, number>();
  for (const ev of events) {
    const d = denialFromTrail(ev, aws.target.region);
    if (d?.keyArn) counts.set(d.keyArn, (counts.get(d.keyArn) ?? 0) + 1);
  }
  const list = [...counts].map(([id, n]) => ({ id, description: `${n} denied call${n === 1 ? '' : 's'} in the last ${hours} h` }));
  return { candidates: list, partial: truncated };
}

export const nothingFound: NothingFound = {
  target: 'every KMS key',
  check: { id: 'find-denials', title: 'CloudTrail: KMS calls denied, on any key (to pick what to investigate)' },
  summary: (hours, partial) =>
    partial
      ? `No KMS denials in the latest ${MAX_TRAIL_PAGES * 50} KMS events CloudTrail has for the last ${hours} h; it has more than whybot reads without a target. Name a key, role or stack to look at all of them.`
      : `No KMS denials in the last ${hours} h.`,
};

/**
 * A key by id or alias, for the search across accounts (a key ARN names its place itself,
 * unless that account is not configured: then the places where it was denied). A
 * role or stack name is not looked up: finding where a role was denied means reading every
 * place's CloudTrail, so the account (and Region) must be named.
 */
export const keyLookup: TargetLookup = {
  accepts: (target) => /^(?:alias\/.+|(?:mrk-)?[0-9a-f-]{32,36})$/.test(target),
  async find(aws, target) {
    const key = await describeKey(aws, target);
    return key && { id: target, description: `${key.manager === 'AWS' ? 'AWS managed' : 'customer managed'} key ${key.id}, ${key.state}` };
  },
  // a key in another account: where it was denied (the caller's CloudTrail), as without a target
  async usedHere(aws, target) {
    const list = await candidates(aws);
    return (Array.isArray(list) ? list : list.candidates).find((c) => c.id === target);
  },
};
