// SQLite adapter of Store (local / Socket Mode). One file, shared safely by several processes:
// WAL journal + busy_timeout, and every claim is a single primary-key insert
// (`INSERT ... ON CONFLICT DO NOTHING`, winner = `changes === 1`) inside an IMMEDIATE
// transaction, so exactly one caller wins however many processes race.
//
// Expiry: claims carry expires_at only for cleanup. An expired claim still blocks its nonce
// until a sweep deletes it (on open, then at most hourly on writes); the caller sets
// ttlSeconds to at least the button's own lifetime, so a swept nonce belongs to a button that
// is itself expired and is refused before it reaches claimOnce. Cache rows are checked for
// expiry on every read and swept the same way. Audit rows never expire.
//
// better-sqlite3 is synchronous: methods are async wrappers, so errors arrive as rejections.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  auditLimit,
  cacheJson,
  mergeJournal,
  expiryMs,
  parseAudit,
  prepareAudit,
  requireNonEmpty,
  sinceKey,
  systemClock,
  type Clock,
} from './common.js';
import { reserveSlot, takeNow, type RateSpec, type Take } from '../platform/rate-gate.js';
import { ClaimStateSchema, JournalEntrySchema, type Claim, type ClaimResult, type ClaimState, type JournalEntry, type JournalPatch, type Store } from './types.js';

export interface SqliteStore extends Store {
  readonly path: string;
  /** Deletes expired claims and cache entries; returns how many rows went. */
  sweepExpired(): { claims: number; cache: number };
}

export interface SqliteStoreOptions {
  /** Epoch ms; defaults to Date.now. */
  now?: Clock;
  /** How long a write waits for another process's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** Schema migrations, applied in order; PRAGMA user_version = number applied. Append only. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE claims (
    nonce      TEXT PRIMARY KEY,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    detail     TEXT,
    expires_at INTEGER NOT NULL -- epoch ms; cleanup only
  );
  CREATE INDEX claims_expires_at ON claims (expires_at);

  -- at_key = the record's at normalised to toISOString(); the primary key is the index by time.
  CREATE TABLE audit (
    at_key TEXT NOT NULL,
    id     TEXT NOT NULL,
    record TEXT NOT NULL, -- JSON of the AuditRecord
    PRIMARY KEY (at_key, id)
  ) WITHOUT ROWID;

  CREATE TABLE cache (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL, -- JSON
    expires_at INTEGER NOT NULL -- epoch ms
  );
  CREATE INDEX cache_expires_at ON cache (expires_at);
  `,
  `
  -- GCRA state of shared rate limits: tat = the key's theoretical arrival time (epoch ms).
  CREATE TABLE rate (
    key TEXT PRIMARY KEY,
    tat REAL NOT NULL
  ) WITHOUT ROWID;

  -- Append-only lists (e.g. the rotations one alert message gathers); seq = append order.
  CREATE TABLE list_items (
    key        TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    value      TEXT NOT NULL, -- JSON
    expires_at INTEGER NOT NULL, -- epoch ms, from the list's first append
    PRIMARY KEY (key, seq)
  ) WITHOUT ROWID;
  CREATE INDEX list_items_expires_at ON list_items (expires_at);
  `,
  `
  -- Work that must survive the process doing it (types.ts, JournalEntry).
  CREATE TABLE journal (
    id         TEXT PRIMARY KEY,
    entry      TEXT NOT NULL, -- JSON of the JournalEntry
    open       INTEGER NOT NULL CHECK (open IN (0, 1)),
    created_at TEXT NOT NULL,
    expires_at INTEGER -- epoch ms, once done
  ) WITHOUT ROWID;
  CREATE INDEX journal_open ON journal (open, created_at);
  `,
];

/** How long a finished journal entry is kept (for `whybot show`-style look-ups and debugging). */
const JOURNAL_DONE_MS = 7 * 86_400_000;

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

interface ClaimRow {
  nonce: string;
  actor: string;
  action: string;
  claimed_at: string;
  state: string;
  detail: string | null;
}

function toClaim(row: ClaimRow): Claim {
  const claim: Claim = {
    nonce: row.nonce,
    actor: row.actor,
    action: row.action,
    claimedAt: row.claimed_at,
    state: ClaimStateSchema.parse(row.state),
  };
  if (row.detail !== null) claim.detail = row.detail;
  return claim;
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const now = opts.now ?? systemClock;
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });

  const db = new Database(path);
  try {
    // busy_timeout first: the following statements may already wait for another process.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    if (!inMemory) db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit survives the process dying (SIGKILL, OOM), which is what the
    // journal is for; only a power loss can take the last commits. FULL would add an fsync to
    // every job written on the ack path.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  const insertClaim = db.prepare<[string, string, string, string, number]>(
    `INSERT INTO claims (nonce, actor, action, claimed_at, state, detail, expires_at)
     VALUES (?, ?, ?, ?, 'running', NULL, ?)
     ON CONFLICT (nonce) DO NOTHING`,
  );
  const selectClaim = db.prepare<[string], ClaimRow>(
    'SELECT nonce, actor, action, claimed_at, state, detail FROM claims WHERE nonce = ?',
  );
  const updateClaim = db.prepare<[string, string | null, string]>(
    'UPDATE claims SET state = ?, detail = ? WHERE nonce = ?',
  );
  const insertAudit = db.prepare<[string, string, string]>(
    // Same (at, id) again = the same record retried: replace, as a DynamoDB PutItem would.
    'INSERT OR REPLACE INTO audit (at_key, id, record) VALUES (?, ?, ?)',
  );
  const selectAudit = db.prepare<[string, number], { record: string }>(
    'SELECT record FROM audit WHERE at_key >= ? ORDER BY at_key, id LIMIT ?',
  );
  const selectCache = db.prepare<[string, number], { value: string }>(
    'SELECT value FROM cache WHERE key = ? AND expires_at > ?',
  );
  const upsertCache = db.prepare<[string, string, number]>(
    `INSERT INTO cache (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
  );
  const deleteCache = db.prepare<[string]>('DELETE FROM cache WHERE key = ?');
  const selectRate = db.prepare<[string], { tat: number }>('SELECT tat FROM rate WHERE key = ?');
  const upsertRate = db.prepare<[string, number]>(
    'INSERT INTO rate (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat',
  );
  const sweepRate = db.prepare<[number]>('DELETE FROM rate WHERE tat <= ?');
  const listHead = db.prepare<[string, number], { n: number; expires_at: number | null }>(
    'SELECT count(*) AS n, min(expires_at) AS expires_at FROM list_items WHERE key = ? AND expires_at > ?',
  );
  const insertListItem = db.prepare<[string, number, string, number]>(
    'INSERT INTO list_items (key, seq, value, expires_at) VALUES (?, ?, ?, ?)',
  );
  const deleteList = db.prepare<[string]>('DELETE FROM list_items WHERE key = ?');
  const selectList = db.prepare<[string, number], { value: string }>(
    'SELECT value FROM list_items WHERE key = ? AND expires_at > ? ORDER BY seq',
  );
  const sweepLists = db.prepare<[number]>('DELETE FROM list_items WHERE expires_at <= ?');
  const upsertJournal = db.prepare<[string, string, number, string, number | null]>(
    `INSERT INTO journal (id, entry, open, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET entry = excluded.entry, open = excluded.open, expires_at = excluded.expires_at`,
  );
  const insertJournal = db.prepare<[string, string, number, string, number | null]>(
    'INSERT INTO journal (id, entry, open, created_at, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const selectJournal = db.prepare<[string], { entry: string }>('SELECT entry FROM journal WHERE id = ?');
  const selectOpenJournal = db.prepare<[], { entry: string }>('SELECT entry FROM journal WHERE open = 1 ORDER BY created_at, id');
  const sweepJournal = db.prepare<[number]>('DELETE FROM journal WHERE open = 0 AND expires_at <= ?');
  const writeJournal = (e: JournalEntry) =>
    upsertJournal.run(e.id, JSON.stringify(e), e.state === 'open' ? 1 : 0, e.createdAt, e.state === 'open' ? null : now() + JOURNAL_DONE_MS);
  const journalTx = db.transaction((id: string, patch: JournalPatch): JournalEntry => {
    const row = selectJournal.get(id);
    if (!row) throw new Error(`journalUpdate: no journal entry ${id}`);
    const next = mergeJournal(JournalEntrySchema.parse(JSON.parse(row.entry)), patch, now());
    writeJournal(next);
    return next;
  });
  const sweepClaims = db.prepare<[number]>('DELETE FROM claims WHERE expires_at <= ?');
  const sweepCache = db.prepare<[number]>('DELETE FROM cache WHERE expires_at <= ?');

  const claimTx = db.transaction((nonce: string, actor: string, action: string, ttlSeconds: number): ClaimResult => {
    const t = now();
    const claimedAt = new Date(t).toISOString();
    const { changes } = insertClaim.run(nonce, actor, action, claimedAt, expiryMs(t, ttlSeconds));
    if (changes === 1) return { won: true, claim: { nonce, actor, action, claimedAt, state: 'running' } };
    const row = selectClaim.get(nonce);
    // Cannot happen inside the write transaction; guard rather than lie.
    if (!row) throw new Error(`claim for ${nonce} neither inserted nor found`);
    return { won: false, existing: toClaim(row) };
  });

  const rateTx = db.transaction((key: string, spec: RateSpec): number => {
    const r = reserveSlot(selectRate.get(key)?.tat, now(), spec);
    upsertRate.run(key, r.tat);
    return r.goAt;
  });
  // BEGIN IMMEDIATE: the read and the write hold the file's write lock, so two processes
  // cannot both see the same token.
  const takeTx = db.transaction((key: string, spec: RateSpec): Take => {
    const r = takeNow(selectRate.get(key)?.tat, now(), spec);
    if (r.ok) upsertRate.run(key, r.tat);
    return r;
  });

  const appendTx = db.transaction((key: string, json: string, ttlSeconds: number): unknown[] => {
    const t = now();
    const head = listHead.get(key, t);
    if (!head || head.n === 0) deleteList.run(key); // an expired list starts again
    const expiresAt = head && head.n > 0 && head.expires_at !== null ? head.expires_at : expiryMs(t, ttlSeconds);
    insertListItem.run(key, head?.n ?? 0, json, expiresAt);
    return selectList.all(key, t).map((r) => JSON.parse(r.value) as unknown);
  });

  let lastSweep = Number.NEGATIVE_INFINITY;
  function sweepExpired(): { claims: number; cache: number } {
    const t = now();
    lastSweep = t;
    sweepRate.run(t - SWEEP_INTERVAL_MS);
    sweepLists.run(t);
    sweepJournal.run(t);
    return { claims: sweepClaims.run(t).changes, cache: sweepCache.run(t).changes };
  }
  function maybeSweep(): void {
    if (now() - lastSweep >= SWEEP_INTERVAL_MS) sweepExpired();
  }
  sweepExpired();

  return {
    path,
    sweepExpired,

    async claimOnce({ nonce, actor, action, ttlSeconds }) {
      requireNonEmpty('nonce', nonce);
      requireNonEmpty('actor', actor);
      requireNonEmpty('action', action);
      expiryMs(0, ttlSeconds); // validate before taking the lock
      maybeSweep();
      return claimTx.immediate(nonce, actor, action, ttlSeconds);
    },

    async finishClaim(nonce: string, state: Exclude<ClaimState, 'running'>, detail?: string) {
      const s = ClaimStateSchema.exclude(['running']).parse(state);
      const { changes } = updateClaim.run(s, detail ?? null, nonce);
      if (changes === 0) throw new Error(`finishClaim: no claim for nonce ${nonce}`);
    },

    async getClaim(nonce) {
      const row = selectClaim.get(nonce);
      return row ? toClaim(row) : undefined;
    },

    async appendAudit(record) {
      const { record: r, atKey, json } = prepareAudit(record);
      insertAudit.run(atKey, r.id, json);
    },

    async queryAudit({ since, limit }) {
      const n = auditLimit(limit);
      const key = sinceKey(since);
      if (n === 0) return [];
      return selectAudit.all(key, n).map((row) => parseAudit(row.record));
    },

    async cacheGet(key) {
      const row = selectCache.get(key, now());
      return row ? (JSON.parse(row.value) as unknown) : undefined;
    },

    async cacheSet(key, value, ttlSeconds) {
      requireNonEmpty('key', key);
      const expiresAt = expiryMs(now(), ttlSeconds);
      const json = cacheJson(value);
      if (json === undefined) deleteCache.run(key);
      else upsertCache.run(key, json, expiresAt);
      maybeSweep();
    },

    async reserveRate(key, spec) {
      requireNonEmpty('key', key);
      return rateTx.immediate(key, spec);
    },

    async tryTakeRate(key, spec) {
      requireNonEmpty('key', key);
      return takeTx.immediate(key, spec);
    },

    async appendToList(key, item, ttlSeconds) {
      requireNonEmpty('key', key);
      expiryMs(0, ttlSeconds);
      const json = cacheJson(item);
      if (json === undefined) throw new TypeError('appendToList: the item has no JSON form');
      maybeSweep();
      return appendTx.immediate(key, json, ttlSeconds);
    },

    async readList(key) {
      return selectList.all(key, now()).map((r) => JSON.parse(r.value) as unknown);
    },

    async journalPut(entry) {
      writeJournal(JournalEntrySchema.parse(entry));
    },

    async journalCreate(entry) {
      const e = JournalEntrySchema.parse(entry);
      const { changes } = insertJournal.run(e.id, JSON.stringify(e), e.state === 'open' ? 1 : 0, e.createdAt, e.state === 'open' ? null : now() + JOURNAL_DONE_MS);
      return changes === 1;
    },

    async journalUpdate(id, patch) {
      return journalTx.immediate(id, patch);
    },

    async journalGet(id) {
      const row = selectJournal.get(id);
      return row ? JournalEntrySchema.parse(JSON.parse(row.entry)) : undefined;
    },

    async journalOpen() {
      return selectOpenJournal.all().map((r) => JournalEntrySchema.parse(JSON.parse(r.entry)));
    },

    async close() {
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  // IMMEDIATE: two processes opening a fresh file at once must not both apply migration 1.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `${db.name}: schema version ${version} is newer than this whybot understands (${MIGRATIONS.length}); upgrade whybot`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] ?? '');
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
