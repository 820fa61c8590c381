// Who may run a remediation: Slack user ids and user-group ids from WHYBOT_RESPONDERS (or
// WHYBOT_RESPONDERS_<ACTION> for one action). Group members come from
// usergroups.users.list, cached briefly in the store so every instance agrees.
import type { Store } from '../store/types.js';

export interface ResponderPolicy {
  default: string[];
  perAction: Record<string, string[]>;
}

export type Authorisation = { ok: true } | { ok: false; responders: string[] };

const GROUP_CACHE_SECONDS = 120;

export class Responders {
  constructor(
    private readonly policy: ResponderPolicy,
    private readonly groupMembers: (groupId: string) => Promise<string[]>,
    private readonly store: Store,
  ) {}

  /** The ids (users and groups) that may run this action. */
  for(actionId: string): string[] {
    return this.policy.perAction[actionId] ?? this.policy.default;
  }

  async authorise(userId: string, actionId: string): Promise<Authorisation> {
    const allowed = this.for(actionId);
    if (allowed.includes(userId)) return { ok: true };
    for (const group of allowed.filter((id) => id.startsWith('S'))) {
      const members = await this.members(group);
      if (members.includes(userId)) return { ok: true };
    }
    return { ok: false, responders: allowed };
  }

  private async members(group: string): Promise<string[]> {
    const key = `usergroup:${group}`;
    const cached = await this.store.cacheGet(key);
    if (Array.isArray(cached)) return cached.filter((u): u is string => typeof u === 'string');
    const members = await this.groupMembers(group);
    await this.store.cacheSet(key, members, GROUP_CACHE_SECONDS);
    return members;
  }
}

/** "<@U1>, <!subteam^S1>" — Slack renders these as names without pinging anyone in ephemerals. */
export function mentionList(ids: string[]): string {
  if (ids.length === 0) return 'nobody (set WHYBOT_RESPONDERS)';
  return ids.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)).join(', ');
}
