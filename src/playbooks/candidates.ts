// With no target given: the only candidate, the list to choose from, or, for a playbook where
// finding nothing is the answer (playbook.nothingFound), that answer as an ok result.
import type { AwsClients } from '../aws/clients.js';
import { RESULT_SCHEMA_VERSION } from '../schema-version.js';
import type { PlaybookResult } from '../findings.js';
import type { Candidate, NothingFound, Playbook } from './types.js';

export type TargetChoice =
  | { kind: 'one'; id: string }
  | { kind: 'many'; candidates: Candidate[] }
  | { kind: 'none' }
  /** nothing to investigate, and that is the answer: a healthy result to show as it is */
  | { kind: 'healthy'; result: PlaybookResult };

export interface ChooseOptions {
  region: string;
  hours: number;
  now?: () => Date;
}

export async function chooseTarget(playbook: Playbook, aws: AwsClients, opts?: ChooseOptions): Promise<TargetChoice> {
  const startedAt = opts?.now?.() ?? new Date();
  const found = (await playbook.candidates?.(aws, opts ? { hours: opts.hours } : undefined)) ?? [];
  const [all, partial] = Array.isArray(found) ? [found, false] : [found.candidates, found.partial];
  if (all.length === 1) return { kind: 'one', id: all[0]!.id };
  if (all.length === 0) {
    if (playbook.nothingFound && opts)
      return { kind: 'healthy', result: nothingFoundResult(playbook, playbook.nothingFound, opts, partial, startedAt, opts.now?.() ?? new Date()) };
    return { kind: 'none' };
  }
  return { kind: 'many', candidates: [...all].sort((a, b) => a.id.localeCompare(b.id)) };
}

/** The ok answer when the lookup for candidates found nothing: that lookup ran, the playbook's checks had nothing to look at. */
export function nothingFoundResult(
  playbook: Playbook,
  nf: NothingFound,
  opts: ChooseOptions,
  partial: boolean,
  startedAt: Date,
  finishedAt: Date,
): PlaybookResult {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    playbook: playbook.name,
    target: nf.target,
    region: opts.region,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    verdict: { severity: partial ? 'info' : 'ok', summary: nf.summary(opts.hours, partial) },
    findings: [],
    checks: [
      { id: nf.check.id, title: nf.check.title, status: 'ok' },
      ...playbook.checks.map((c) => ({ id: c.id, title: c.title, status: 'skipped' as const, reason: 'nothing to investigate' })),
    ],
    timeline: [],
  };
}
