import type { AwsClients } from '../aws/clients.js';
import type { Candidate, Playbook } from './types.js';

export type TargetChoice = { kind: 'one'; id: string } | { kind: 'many'; candidates: Candidate[] } | { kind: 'none' };

/** With no target given: the only candidate, or the list to choose from. */
export async function chooseTarget(playbook: Playbook, aws: AwsClients): Promise<TargetChoice> {
  const all = (await playbook.candidates?.(aws)) ?? [];
  if (all.length === 1) return { kind: 'one', id: all[0]!.id };
  if (all.length === 0) return { kind: 'none' };
  return { kind: 'many', candidates: [...all].sort((a, b) => a.id.localeCompare(b.id)) };
}
