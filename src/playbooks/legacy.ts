// TEMPORARY while the playbooks move into folders: a playbook still written as one module
// (gather + diagnose + verdict + timeline) run through the same result assembly.
import type { AwsClients } from '../aws/clients.js';
import type { Finding, PlaybookResult, TimelineEntry } from '../findings.js';
import type { Evidence } from './define.js';
import type { Playbook, PlaybookInput, RunOptions } from './types.js';

export type LegacyFinding = Omit<Finding, 'markup'>;

export interface LegacyParts<E extends Evidence> extends Omit<Playbook, 'run' | 'rules'> {
  gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<E>;
  diagnose(e: E): LegacyFinding[];
  verdict(e: E, findings: LegacyFinding[]): PlaybookResult['verdict'];
  timeline(e: E): TimelineEntry[];
  targetOf?(e: E, input: PlaybookInput): string;
}

export function legacyPlaybook<E extends Evidence>(parts: LegacyParts<E>): Playbook {
  const { gather, diagnose, verdict, timeline, targetOf, ...entry } = parts;
  return {
    ...entry,
    rules: [],
    async run(aws, input, opts) {
      const startedAt = new Date();
      const e = await gather(aws, input, opts);
      const findings = diagnose(e);
      return {
        playbook: entry.name,
        target: targetOf?.(e, input) ?? input.target,
        region: input.region,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        verdict: verdict(e, findings),
        findings: findings.map((f) => ({ ...f, markup: [{ p: [f.detail] }] })),
        checks: e.checks,
        timeline: timeline(e),
      };
    },
  };
}
