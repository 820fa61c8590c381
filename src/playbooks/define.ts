// Every playbook is the same pipeline: gather evidence with named checks, apply the rules,
// pick the verdict, merge the timeline. This assembles the PlaybookResult once for all.
import type { AwsClients } from '../aws/clients.js';
import type { CheckResult, Finding, PlaybookResult, TimelineEntry } from '../findings.js';
import type { Playbook, PlaybookInput, RunOptions } from './types.js';

export interface Evidence {
  checks: CheckResult[];
}

export interface PlaybookParts<E extends Evidence> extends Omit<Playbook, 'run'> {
  gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<E>;
  diagnose(e: E): Finding[];
  verdict(e: E, findings: Finding[]): PlaybookResult['verdict'];
  timeline(e: E): TimelineEntry[];
  /** the target as the result names it (e.g. a normalised domain) */
  targetOf?(e: E, input: PlaybookInput): string;
}

export function definePlaybook<E extends Evidence>(parts: PlaybookParts<E>): Playbook {
  const { gather, diagnose, verdict, timeline, targetOf, ...entry } = parts;
  return {
    ...entry,
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
        findings,
        checks: e.checks,
        timeline: timeline(e),
      };
    },
  };
}
