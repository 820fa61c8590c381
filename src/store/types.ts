// One interface for what must survive a process and be shared between instances:
// claim-once for remediation nonces, the audit log, and a short-lived cache.
// Adapters: SQLite (local, Socket Mode) and DynamoDB (AWS). One contract test suite runs
// against both (test/store.contract.test.ts).
import * as z from 'zod';
import type { RateSpec, Take } from '../platform/rate-gate.js';

export const ClaimStateSchema = z.enum(['running', 'done', 'failed']);
export type ClaimState = z.infer<typeof ClaimStateSchema>;

export interface Claim {
  nonce: string;
  /** Slack user id, or "whybot policy" for automatic actions */
  actor: string;
  action: string;
  claimedAt: string; // ISO
  state: ClaimState;
  /** short text: result or failure reason */
  detail?: string;
}

export type ClaimResult = { won: true; claim: Claim } | { won: false; existing: Claim };

export const AuditOutcomeSchema = z.enum([
  'ran', // the AWS write was made (successfully)
  'failed', // the AWS write was attempted and failed
  'refused', // not authorised, forged, altered or expired value
  'duplicate', // a second click/retry/instance lost the claim
  'approval-requested', // a dangerous action waits for a second responder
  'verified', // the background verification succeeded
  'verify-failed', // the verification failed or timed out
  'interrupted', // the process running it died; what happened was reconciled afterwards
]);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

export const AuditRecordSchema = z.object({
  id: z.string(),
  at: z.string(), // ISO; the sort key
  actor: z.string(),
  action: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  outcome: AuditOutcomeSchema,
  nonce: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  result: z.string().optional(),
  awsRequestId: z.string().optional(),
  channel: z.string().optional(),
  threadTs: z.string().optional(),
  /** the WHYBOT_ACCOUNTS alias the action ran in (absent: whybot's own account) */
  account: z.string().optional(),
  /** the Region it ran in */
  region: z.string().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/**
 * The journal: work that must survive the process doing it. A job is written before Slack is
 * answered; a remediation's intent is written before its AWS write and moved through its
 * stages after; an entry stays open until its outcome is known, and whatever a dead process
 * left open is reconciled by a live one (src/engine/reconcile.ts).
 */
export const JournalStateSchema = z.enum(['open', 'done']);
export const JournalEntrySchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['job', 'write']),
  /** the job or write request, as JSON (validated by whoever reads it back) */
  body: z.unknown(),
  state: JournalStateSchema,
  /** where the work got to, e.g. "queued", "running", "claimed", "writing", "written", "verifying" */
  stage: z.string(),
  /** what was learnt on the way (a thread ts, a deployment id, when the write started) */
  facts: z.record(z.string(), z.string()),
  /** the process (boot id) working on it; its heartbeat tells whether it is alive */
  owner: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

export interface JournalPatch {
  state?: z.infer<typeof JournalStateSchema>;
  stage?: string;
  /** merged into the entry's facts */
  facts?: Record<string, string>;
  owner?: string;
}

export interface Store {
  /**
   * Atomically claims a nonce (conditional write). Exactly one caller wins, however many
   * call concurrently, from however many processes share the store.
   * The claim expires (TTL) after ttlSeconds; it is kept at least as long as the button.
   */
  claimOnce(c: { nonce: string; actor: string; action: string; ttlSeconds: number }): Promise<ClaimResult>;
  /** Records how a won claim ended. */
  finishClaim(nonce: string, state: Exclude<ClaimState, 'running'>, detail?: string): Promise<void>;
  getClaim(nonce: string): Promise<Claim | undefined>;
  /** Audit records never expire. */
  appendAudit(record: AuditRecord): Promise<void>;
  /** Records at or after `since`, oldest first, at most `limit` (default 1000). */
  queryAudit(q: { since: Date; limit?: number }): Promise<AuditRecord[]>;
  cacheGet(key: string): Promise<unknown | undefined>;
  cacheSet(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /**
   * Reserves the next slot of a rate schedule shared by every process using this store
   * (platform/rate-gate.ts): atomically reads the key's state, moves it on by one call and
   * returns the epoch ms at which the caller may make its call.
   */
  reserveRate(key: string, spec: RateSpec): Promise<number>;
  /**
   * Takes a token of a rate limit shared by every process using this store, now, if the
   * bucket holds one (platform/rate-gate.ts, takeNow): one atomic conditional update of the
   * key's state. Refused, it changes nothing and says when the next token is there. Shares
   * the key's state with reserveRate.
   */
  tryTakeRate(key: string, spec: RateSpec): Promise<Take>;
  /**
   * Atomically appends one JSON value to the list at `key` and returns the whole list, in
   * append order, as every process sharing the store sees it. The list expires ttlSeconds
   * after its first append.
   */
  appendToList(key: string, item: unknown, ttlSeconds: number): Promise<unknown[]>;
  /** The list at `key` (empty when there is none or it expired). */
  readList(key: string): Promise<unknown[]>;
  /** Writes a journal entry (replacing one with the same id). */
  journalPut(entry: JournalEntry): Promise<void>;
  /** Writes a journal entry unless one with its id exists (whatever its state): true if written. */
  journalCreate(entry: JournalEntry): Promise<boolean>;
  /** Moves an entry on; facts merge. A missing entry is an error. Done entries expire after a week. */
  journalUpdate(id: string, patch: JournalPatch): Promise<JournalEntry>;
  journalGet(id: string): Promise<JournalEntry | undefined>;
  /** Every open entry, oldest first. */
  journalOpen(): Promise<JournalEntry[]>;
  close(): Promise<void>;
}
