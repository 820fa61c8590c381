// Helpers shared by the SQLite and DynamoDB adapters, so that both interpret the Store
// contract (types.ts) identically: validation, time keys, JSON values.
import { redactDeep, redactText } from '../redact/index.js';
import { AuditRecordSchema, JournalEntrySchema, type AuditRecord, type JournalEntry, type JournalPatch } from './types.js';

/** Milliseconds since the epoch. Injectable so tests (and the contract suite) need not sleep. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const DEFAULT_AUDIT_LIMIT = 1000;

/** ttlSeconds must be a positive, finite number of seconds. Returns the expiry in epoch ms. */
export function expiryMs(now: number, ttlSeconds: number): number {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive finite number, got ${String(ttlSeconds)}`);
  }
  return now + Math.ceil(ttlSeconds * 1000);
}

export function requireNonEmpty(name: string, value: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * Validates an audit record and returns it with its sort time. `at` may be any ISO string
 * Date.parse understands (e.g. with an offset); records are ordered and filtered by the
 * normalised UTC form (`toISOString()`), while the record itself round-trips unchanged.
 */
export function prepareAudit(record: AuditRecord): { record: AuditRecord; atKey: string; json: string } {
  const parsed = redactAudit(AuditRecordSchema.parse(record));
  const ms = Date.parse(parsed.at);
  if (Number.isNaN(ms)) throw new RangeError(`audit record ${parsed.id}: at is not an ISO date: ${parsed.at}`);
  const atKey = new Date(ms).toISOString();
  return { record: parsed, atKey, json: JSON.stringify(parsed) };
}

/**
 * The redaction layer's store edge (src/redact): an audit record's free text (`result`, what
 * AWS answered or why it failed) and its parameter values are redacted before either adapter
 * writes them. Ids, actors, actions and times are machine values and stay as they are.
 */
function redactAudit(record: AuditRecord): AuditRecord {
  return {
    ...record,
    params: redactDeep(record.params),
    ...(record.result !== undefined ? { result: redactText(record.result) } : {}),
  };
}

export function parseAudit(json: string): AuditRecord {
  return AuditRecordSchema.parse(JSON.parse(json));
}

export function auditLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_AUDIT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  return limit;
}

export function sinceKey(since: Date): string {
  const ms = since.getTime();
  if (Number.isNaN(ms)) throw new RangeError('since is an invalid Date');
  return since.toISOString();
}

/**
 * Cache values are stored as JSON. Values JSON cannot represent at all (undefined, functions,
 * symbols) serialise to undefined: such a cacheSet deletes the key, since cacheGet could only
 * report "no value" for it anyway. Dates come back as ISO strings, as with any JSON.
 */
export function cacheJson(value: unknown): string | undefined {
  return JSON.stringify(value) as string | undefined;
}

/** A journal entry moved on by a patch: facts merge, the rest replaces; validated. */
export function mergeJournal(entry: JournalEntry, patch: JournalPatch, now: number): JournalEntry {
  return JournalEntrySchema.parse({
    ...entry,
    ...(patch.state ? { state: patch.state } : {}),
    ...(patch.stage ? { stage: patch.stage } : {}),
    ...(patch.owner ? { owner: patch.owner } : {}),
    facts: { ...entry.facts, ...(patch.facts ?? {}) },
    updatedAt: new Date(now).toISOString(),
  });
}
