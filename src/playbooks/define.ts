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

/**
 * A nested playbook's checks that could not run, carried up into the outer result so their
 * reasons and IAM actions do not vanish behind the outer check's `ok`: each becomes a
 * failed check `<outer>/<inner>` right after the outer one (which says how many), and the
 * outer verdict counts them among what could not run.
 */
export function withNestedChecks(checks: readonly CheckResult[], outerId: string, nested: PlaybookResult | undefined): CheckResult[] {
  const failed = (nested?.checks ?? []).filter((c) => c.status === 'failed');
  if (failed.length === 0) return [...checks];
  const carried: CheckResult[] = failed.map((c) => ({
    ...c,
    id: `${outerId}/${c.id}`,
    title: `${nested!.playbook}: ${c.title ?? c.id}`,
  }));
  const n = failed.length;
  const note = `ran, but ${n} of its checks could not run (${carried.map((c) => c.id).join(', ')})`;
  const out: CheckResult[] = [];
  for (const c of checks) {
    if (c.id !== outerId) {
      out.push(c);
      continue;
    }
    out.push(c.status === 'ok' && !c.reason ? { ...c, reason: note } : c, ...carried);
  }
  return out.some((c) => c.id === outerId) ? out : [...out, ...carried];
}
