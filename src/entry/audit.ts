// `whybot audit [--since 7d] [--json]`: the remediation audit log from the configured store.
import { parseArgs } from 'node:util';
import * as z from 'zod';
import type { Config } from '../config.js';
import { defaultDbPath, openStore } from '../store/index.js';
import type { AuditRecord } from '../store/types.js';

const SinceSchema = z
  .string()
  .regex(/^\d+[dhm]$/, '--since takes a duration such as 7d, 12h or 30m')
  .transform((v) => {
    const n = Number(v.slice(0, -1));
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[v.slice(-1) as 'd' | 'h' | 'm'];
    return new Date(Date.now() - n * unit);
  });

export type AuditArgs = { ok: true; since: Date; json: boolean } | { ok: false; message: string };

export function parseAuditArgs(args: string[]): AuditArgs {
  try {
    const { values } = parseArgs({ args, strict: true, options: { since: { type: 'string', default: '7d' }, json: { type: 'boolean', default: false } } });
    const since = SinceSchema.safeParse(values.since);
    if (!since.success) return { ok: false, message: since.error.issues[0]!.message };
    return { ok: true, since: since.data, json: values.json ?? false };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message.split('.')[0]! : String(err) };
  }
}

function line(r: AuditRecord): string {
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${r.at.slice(0, 19).replace('T', ' ')}Z  ${r.outcome.padEnd(13)} ${r.actor.padEnd(14)} ${r.action.padEnd(18)} ${params}${r.result ? `  — ${r.result}` : ''}${r.awsRequestId ? `  [${r.awsRequestId}]` : ''}`;
}

export async function printAudit(config: Config, args: { since: Date; json: boolean }): Promise<void> {
  const store = openStore({ dbPath: config.store.dbPath ?? defaultDbPath(), ...(config.store.table ? { table: config.store.table } : {}), ...(config.region ? { region: config.region } : {}) });
  try {
    const records = await store.queryAudit({ since: args.since, limit: 10_000 });
    if (args.json) process.stdout.write(JSON.stringify(records, null, 2) + '\n');
    else if (records.length === 0) process.stdout.write(`No audit records since ${args.since.toISOString()}.\n`);
    else process.stdout.write(records.map(line).join('\n') + '\n');
  } finally {
    await store.close();
  }
}
