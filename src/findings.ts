// The PlaybookResult contract (DESIGN.md "Contracts"): what the CLI prints with --json and
// what the Slack renderer draws. Kept as zod schemas so the JSON output is validated too.
import * as z from 'zod';

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
  detail: z.string(),
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

export const PlaybookResultSchema = z.object({
  playbook: z.string(),
  target: z.string(),
  region: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  verdict: z.object({ severity: SeveritySchema, summary: z.string() }),
  findings: z.array(FindingSchema),
  checks: z.array(CheckResultSchema),
  timeline: z.array(TimelineEntrySchema),
});
export type PlaybookResult = z.infer<typeof PlaybookResultSchema>;
