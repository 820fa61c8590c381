// Every playbook is the same pipeline, the shape of the incident write-ups it automates:
// named checks gather evidence; rules, one file per finding, turn evidence into structured
// results with a finding each; the verdict reads those structured results (never finding
// text); the timeline is merged. This module is that pipeline, once for all playbooks.
import type { AwsClients } from '../aws/clients.js';
import type { CheckSpec } from '../engine/investigation.js';
import {
  bySeverity,
  RESULT_SCHEMA_VERSION,
  type CheckResult,
  type Evidence as EvidenceLine,
  type Finding,
  type PlaybookResult,
  type RemediationRef,
  type Severity,
  type TimelineEntry,
  type Verdict,
} from '../findings.js';
import { plainText, type RichText } from '../markup.js';
import type { PlaybookMeta } from './catalog.js';
import type { CandidateList, NothingFound, Playbook, PlaybookInput, RunOptions, TargetLookup } from './types.js';

/** What every playbook's evidence carries: the checks' outcomes, in order. */
export interface Evidence {
  checks: CheckResult[];
}

/** The checks of a playbook, as `defineChecks([...] as const)`: their ids become a type. */
/** Every check names the IAM actions its calls need (`[]` for none): the worker's policy is their union. */
export const defineChecks = <const C extends readonly (CheckSpec & { iam: readonly string[] })[]>(checks: C): C => checks;
export type CheckIdOf<C extends readonly CheckSpec[]> = C[number]['id'];

/** One finding a rule reports, with the structured facts behind it. */
export interface Hit<D> {
  /** what the verdict and other renderers read (principal, key, zone, counts…) */
  data: D;
  /** when this hit is more or less severe than the rule's usual severity */
  severity?: Severity;
  title: string;
  detail: RichText;
  evidence: EvidenceLine[];
  remediations?: RemediationRef[];
}

export interface RuleContext {
  /** the findings of the rules listed before this one (a "healthy" rule looks at them) */
  findingsSoFar: readonly Finding[];
}

export interface Rule<E, Id extends string = string, D = unknown, C extends string = string> {
  id: Id;
  /** the usual severity (a hit may say otherwise) */
  severity: Severity;
  /** one line: what the rule detects (the README's finding tables) */
  summary: string;
  /** checks the rule reads: when one of them failed the rule is "unchecked", not a miss */
  needs: readonly C[];
  /** remediation ids its findings may offer */
  remediations: readonly string[];
  apply(evidence: E, context: RuleContext): Hit<D> | readonly Hit<D>[] | undefined;
}

/**
 * Rules for one playbook's evidence and check ids: `const rule = rulesFor<MyEvidence,
 * MyCheckId>()`, then `export default rule({ id: 'x', … })` in each rule file.
 */
export const rulesFor =
  <E, C extends string>() =>
  <const Id extends string, D>(rule: Rule<E, Id, D, C>): Rule<E, Id, D, C> =>
    rule;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the data type varies per rule in a list
export type AnyRule<E> = Rule<E, string, any, string>;
type IdOf<R> = R extends Rule<never, infer Id, unknown, string> ? Id : never;
type DataOf<R, Id> = R extends { id: Id; apply(...args: never[]): infer Out } ? HitData<Out> : never;
type HitData<Out> = Out extends readonly Hit<infer D>[] ? D : Out extends Hit<infer D> ? D : never;
export type FindingIdOf<Rules extends readonly unknown[]> = IdOf<Rules[number]>;

export type RuleStatus = 'hit' | 'miss' | 'unchecked';

export interface RuleOutcome<Id extends string = string, D = unknown> {
  id: Id;
  status: RuleStatus;
  /** the failed checks that kept an unchecked rule from running */
  missing: string[];
  hits: Array<{ data: D; finding: Finding }>;
}

/** The rules' structured results, by finding id, for the verdict. */
export class RuleResults<Rules extends readonly AnyRule<never>[]> {
  constructor(
    private readonly byId: Map<string, RuleOutcome>,
    /** every finding, most severe first */
    readonly findings: Finding[],
    /** the checks that could not run */
    readonly failedChecks: CheckResult[],
  ) {}

  outcome<Id extends FindingIdOf<Rules>>(id: Id): RuleOutcome<Id, DataOf<Rules[number], Id>> {
    return this.byId.get(id) as RuleOutcome<Id, DataOf<Rules[number], Id>>;
  }

  /** the structured data of each hit of one rule */
  data<Id extends FindingIdOf<Rules>>(id: Id): Array<DataOf<Rules[number], Id>> {
    return this.outcome(id).hits.map((h) => h.data);
  }

  hit(id: FindingIdOf<Rules>): boolean {
    return this.outcome(id).status === 'hit';
  }

  /** the most severe finding */
  get top(): Finding | undefined {
    return this.findings[0];
  }
}

/** Runs rules over evidence in order; each hit becomes a finding. */
export function applyRules<E extends Evidence, const Rules extends readonly AnyRule<E>[]>(rules: Rules, e: E): RuleResults<Rules> {
  const failed = new Set(e.checks.filter((c) => c.status === 'failed').map((c) => c.id));
  const byId = new Map<string, RuleOutcome>();
  const findings: Finding[] = [];
  for (const rule of rules) {
    const missing = rule.needs.filter((c) => failed.has(c));
    if (missing.length > 0) {
      byId.set(rule.id, { id: rule.id, status: 'unchecked', missing, hits: [] });
      continue;
    }
    const out = rule.apply(e, { findingsSoFar: findings });
    const hits = out === undefined ? [] : Array.isArray(out) ? (out as readonly Hit<unknown>[]) : [out as Hit<unknown>];
    const outcome: RuleOutcome = { id: rule.id, status: hits.length > 0 ? 'hit' : 'miss', missing: [], hits: [] };
    for (const h of hits) {
      const finding = toFinding(rule, h);
      outcome.hits.push({ data: h.data, finding });
      findings.push(finding);
    }
    byId.set(rule.id, outcome);
  }
  return new RuleResults<Rules>(
    byId,
    [...findings].sort(bySeverity),
    e.checks.filter((c) => c.status === 'failed'),
  );
}

function toFinding(rule: AnyRule<never>, h: Hit<unknown>): Finding {
  return {
    id: rule.id,
    severity: h.severity ?? rule.severity,
    title: h.title,
    detail: plainText(h.detail),
    markup: h.detail,
    evidence: h.evidence,
    remediations: h.remediations ?? [],
  };
}

/** What a playbook's verdict says, before the shared "checks could not run" sentence. */
export type VerdictDraft = Omit<Verdict, 'unchecked'>;

/** The one sentence every verdict ends with when checks failed. */
export function uncheckedSentence(failed: readonly CheckResult[]): string {
  if (failed.length === 0) return '';
  return `${failed.length} check${failed.length === 1 ? '' : 's'} could not run: ${failed.map((c) => c.id).join(', ')}.`;
}

export interface PlaybookParts<E extends Evidence, Rules extends readonly AnyRule<E>[]> {
  meta: PlaybookMeta;
  checks: readonly CheckSpec[];
  /** the longest chain of AWS calls that depend on each other: the floor for time to verdict */
  criticalPathCalls: number;
  gather(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<E>;
  rules: Rules;
  verdict(e: E, results: RuleResults<Rules>): VerdictDraft;
  timeline(e: E): TimelineEntry[];
  /** the target as the result names it (e.g. a normalised domain) */
  targetOf?(e: E, input: PlaybookInput): string;
  candidates?(aws: AwsClients, opts?: { hours: number }): Promise<CandidateList>;
  lookup?: TargetLookup;
  nothingFound?: NothingFound;
}

/** The verdict with the shared sentence about checks that could not run. */
export function finishVerdict(draft: VerdictDraft, failed: readonly CheckResult[]): Verdict {
  const unchecked = uncheckedSentence(failed);
  return {
    ...draft,
    summary: unchecked ? `${draft.summary} ${unchecked}` : draft.summary,
    ...(failed.length > 0 ? { unchecked: failed.map((c) => c.id) } : {}),
  };
}

/** Rules, then the verdict from their results: what a playbook concludes from its evidence. */
export function judge<E extends Evidence, const Rules extends readonly AnyRule<E>[]>(
  rules: Rules,
  verdict: (e: E, results: RuleResults<Rules>) => VerdictDraft,
  e: E,
): { verdict: Verdict; findings: Finding[] } {
  const results = applyRules(rules, e);
  return { verdict: finishVerdict(verdict(e, results), results.failedChecks), findings: results.findings };
}

export function definePlaybook<E extends Evidence, const Rules extends readonly AnyRule<E>[]>(parts: PlaybookParts<E, Rules>): Playbook {
  const { meta, gather, rules, verdict, timeline, targetOf, checks, criticalPathCalls, candidates, lookup, nothingFound } = parts;
  return {
    ...meta,
    checks,
    criticalPathCalls,
    rules,
    ...(candidates ? { candidates } : {}),
    ...(lookup ? { lookup } : {}),
    ...(nothingFound ? { nothingFound } : {}),
    async run(aws, input, opts) {
      const startedAt = new Date();
      const e = await gather(aws, input, opts);
      const concluded = judge(rules, verdict, e);
      return {
        schemaVersion: RESULT_SCHEMA_VERSION,
        playbook: meta.name,
        target: targetOf?.(e, input) ?? input.target,
        region: input.region,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        verdict: concluded.verdict,
        findings: concluded.findings,
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
