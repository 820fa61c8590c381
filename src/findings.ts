// The PlaybookResult contract (DESIGN.md "Contracts"): what the CLI prints with --json and
// what the Slack renderer draws. Kept as zod schemas so the JSON output is validated too.
import * as z from 'zod';
import { RichTextSchema } from './markup.js';
import { RESULT_SCHEMA_VERSION } from './schema-version.js';

export { RESULT_SCHEMA_VERSION };

export const SeveritySchema = z.enum(['critical', 'warning', 'info', 'ok']);
export type Severity = z.infer<typeof SeveritySchema>;

const severityRank: Record<Severity, number> = { critical: 3, warning: 2, info: 1, ok: 0 };
export const bySeverity = (a: { severity: Severity }, b: { severity: Severity }): number =>
  severityRank[b.severity] - severityRank[a.severity];

export const EvidenceSchema = z.object({
  source: z.string(),
  time: z.string().optional(),
  text: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const RemediationRefSchema = z.object({
  id: z.string(),
  label: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type RemediationRef = z.infer<typeof RemediationRefSchema>;

export const FindingSchema = z.object({
  id: z.string(),
  severity: SeveritySchema,
  title: z.string(),
  /** the explanation as plain text (no markup) */
  detail: z.string(),
  /** the same explanation with its code spans, emphasis, links and lists, for rich renderers */
  markup: RichTextSchema,
  evidence: z.array(EvidenceSchema),
  remediations: z.array(RemediationRefSchema),
});
export type Finding = z.infer<typeof FindingSchema>;

export const CheckStatusSchema = z.enum(['ok', 'failed', 'skipped']);
export const CheckResultSchema = z.object({
  id: z.string(),
  title: z.string().optional(),
  status: CheckStatusSchema,
  reason: z.string().optional(),
  iamAction: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const TimelineEntrySchema = z.object({ time: z.string(), source: z.string(), text: z.string() });
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const VerdictSchema = z.object({
  severity: SeveritySchema,
  summary: z.string(),
  /** the finding id the verdict rests on; absent when nothing explains the symptom */
  cause: z.string().optional(),
  /** what the cause is about: a service, a key, a zone, a resource */
  subject: z.string().optional(),
  /** the numbers the summary states (tasks at risk, certificates pending, …) */
  counts: z.record(z.string(), z.number()).optional(),
  /** ids of the checks that could not run (the summary's last sentence names them) */
  unchecked: z.array(z.string()).optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

/** An account whybot could not look in (WHYBOT_ACCOUNTS), and the permission it lacks. */
export const UnreachableSchema = z.object({
  account: z.string(),
  region: z.string().optional(),
  /** the IAM action that was refused, e.g. sts:AssumeRole */
  iamAction: z.string().optional(),
  reason: z.string(),
});
export type Unreachable = z.infer<typeof UnreachableSchema>;

export const PlaybookResultSchema = z.object({
  /** RESULT_SCHEMA_VERSION when written; a consumer checks it before reading the rest */
  schemaVersion: z.number().int().positive(),
  playbook: z.string(),
  target: z.string(),
  region: z.string().optional(),
  /** the WHYBOT_ACCOUNTS alias the target was found in; absent = whybot's own account */
  account: z.string().optional(),
  /** accounts searched for the target that whybot could not look in */
  unreachable: z.array(UnreachableSchema).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  verdict: VerdictSchema,
  findings: z.array(FindingSchema),
  checks: z.array(CheckResultSchema),
  timeline: z.array(TimelineEntrySchema),
});
export type PlaybookResult = z.infer<typeof PlaybookResultSchema>;

/** A target whybot can investigate, as the CLI lists them when it cannot pick one. */
export const CandidateSchema = z.object({
  id: z.string(),
  description: z.string(),
  /** with WHYBOT_ACCOUNTS: where this one is (the account alias and Region to pass) */
  account: z.string().optional(),
  region: z.string().optional(),
});

/**
 * What `--json` prints instead of a PlaybookResult when the playbook did not run: bad usage or
 * configuration, several targets to choose from, AWS refusing whybot, an internal error.
 */
export const ErrorResultSchema = z.object({
  schemaVersion: z.number().int().positive(),
  error: z.object({
    /** `usage` (exit 2), `choose-target` (exit 2, with `candidates`), `aws` (exit 2 or 1), `internal` (exit 1) */
    code: z.enum(['usage', 'choose-target', 'aws', 'internal']),
    message: z.string(),
    playbook: z.string().optional(),
    region: z.string().optional(),
    /** for `choose-target`: what the target is ("DB", "stack") and the ones to choose from */
    targetLabel: z.string().optional(),
    candidates: z.array(CandidateSchema).optional(),
    /** for `aws`: the IAM action that was denied */
    iamAction: z.string().optional(),
    /** accounts searched that whybot could not look in */
    unreachable: z.array(UnreachableSchema).optional(),
  }),
});
export type ErrorResult = z.infer<typeof ErrorResultSchema>;
