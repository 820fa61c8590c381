import type { AwsClients } from '../aws/clients.js';
import { listDbs, type DbSummary } from '../aws/rds.js';

export type TargetChoice =
  | { kind: 'one'; id: string }
  | { kind: 'many'; candidates: DbSummary[] }
  | { kind: 'none' };

/** With no identifier given: the only DB, or the list to choose from. */
export async function chooseDbTarget(aws: AwsClients): Promise<TargetChoice> {
  const dbs = await listDbs(aws);
  if (dbs.length === 1) return { kind: 'one', id: dbs[0]!.id };
  if (dbs.length === 0) return { kind: 'none' };
  return { kind: 'many', candidates: dbs.sort((a, b) => a.id.localeCompare(b.id)) };
}
