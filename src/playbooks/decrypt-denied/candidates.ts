// Without a target: the keys KMS denied something on in the last day.
import type { AwsClients } from '../../aws/clients.js';
import { lookupEvents } from '../../aws/cloudtrail.js';
import type { Candidate } from '../types.js';
import { denialFromTrail } from './denials.js';

/** LookupEvents pages read to suggest targets: a quick look, not the investigation's MAX_TRAIL_PAGES */
const CANDIDATE_TRAIL_PAGES = 2;
const CANDIDATE_WINDOW_HOURS = 24;

export async function candidates(aws: AwsClients): Promise<Candidate[]> {
  const now = new Date();
  const { events } = await lookupEvents(aws, {
    attribute: { key: 'EventSource', value: 'kms.amazonaws.com' },
    since: new Date(now.getTime() - CANDIDATE_WINDOW_HOURS * 3_600_000),
    until: now,
    maxPages: CANDIDATE_TRAIL_PAGES,
  });
  const counts = new Map<string, number>();
  for (const ev of events) {
    const d = denialFromTrail(ev, aws.target.region);
    if (d?.keyArn) counts.set(d.keyArn, (counts.get(d.keyArn) ?? 0) + 1);
  }
  return [...counts].map(([id, n]) => ({ id, description: `${n} denied call${n === 1 ? '' : 's'} in the last ${CANDIDATE_WINDOW_HOURS} h` }));
}
