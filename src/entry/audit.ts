// `whybot audit [--since 7d] [--json]`: the remediation audit log from the configured store.
import { parseArgs } from 'node:util';
import * as z from 'zod';
import type { Config } from '../config.js';
import { defaultDbPath, openStore } from '../store/index.js';
import type { AuditRecord, Store } from '../store/types.js';

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
  // the account (WHYBOT_ACCOUNTS alias) first, when the action ran in another account
  const params = [...(r.account ? [`account=${r.account}`] : []), ...Object.entries(r.params).map(([k, v]) => `${k}=${v}`)].join(' ');
  return `${r.at.slice(0, 19).replace('T', ' ')}Z  ${r.outcome.padEnd(13)} ${r.actor.padEnd(14)} ${r.action.padEnd(18)} ${params}${r.result ? `  — ${r.result}` : ''}${r.awsRequestId ? `  [${r.awsRequestId}]` : ''}`;
}

const PAGE = 1000;

/** Every record since `since`, oldest first, page by page: none is left out, however many. */
export async function* allAudit(store: Pick<Store, 'queryAudit'>, since: Date): AsyncGenerator<AuditRecord> {
  const seen = new Set<string>();
  for (let from = since; ; ) {
    const page = await store.queryAudit({ since: from, limit: PAGE });
    const fresh = page.filter((r) => !seen.has(r.id));
    for (const r of fresh) {
      seen.add(r.id);
      yield r;
    }
    // a page shorter than asked is the last; a page with nothing new (more than PAGE records
    // at one instant) cannot move on by time, so it ends too
    if (page.length < PAGE || fresh.length === 0) return;
    from = new Date(page.at(-1)!.at);
  }
}

export async function printAudit(config: Config, args: { since: Date; json: boolean }): Promise<void> {
  const store = openStore({ dbPath: config.store.dbPath ?? defaultDbPath(), ...(config.store.table ? { table: config.store.table } : {}), ...(config.region ? { region: config.region } : {}) });
  try {
    let count = 0;
    if (args.json) process.stdout.write('[');
    for await (const r of allAudit(store, args.since)) {
      if (args.json) process.stdout.write(`${count > 0 ? ',' : ''}\n${JSON.stringify(r)}`);
      else process.stdout.write(`${line(r)}\n`);
      count++;
    }
    if (args.json) process.stdout.write(`${count > 0 ? '\n' : ''}]\n`);
    else if (count === 0) process.stdout.write(`No audit records since ${args.since.toISOString()}.\n`);
  } finally {
    await store.close();
  }
}
