import type { AwsClients } from '../aws/clients.js';
import { listDbs } from '../aws/rds.js';
import type { Candidate, Playbook } from './types.js';

export type TargetChoice = { kind: 'one'; id: string } | { kind: 'many'; candidates: Candidate[] } | { kind: 'none' };

/** With no target given: the only candidate, or the list to choose from. */
export async function chooseTarget(playbook: Playbook, aws: AwsClients): Promise<TargetChoice> {
  const all = (await playbook.candidates?.(aws)) ?? [];
  if (all.length === 1) return { kind: 'one', id: all[0]!.id };
  if (all.length === 0) return { kind: 'none' };
  return { kind: 'many', candidates: [...all].sort((a, b) => a.id.localeCompare(b.id)) };
}

/** db-down's candidates: every cluster and every instance that is not a cluster member. */
export async function dbCandidates(aws: AwsClients): Promise<Candidate[]> {
  return (await listDbs(aws)).map((d) => ({ id: d.id, description: `${d.kind}, ${d.status}` }));
}
