// DynamoDB adapter of Store (AWS). Low-level client, attributes marshalled by hand.
//
// Table (serverless.yml in production; ensureTable() for local runs and tests):
//   single table, partition key `pk` (S), sort key `sk` (S), TTL attribute `expiresAt`
//   (epoch seconds), on-demand billing. Never scanned.
//
// Items:
//   claim     pk = claim#<nonce>     sk = claim
//             nonce, actor, action, claimedAt (ISO), state, detail?, expiresAt (N, s)
//             Written by a conditional PutItem `attribute_not_exists(pk)`: exactly one writer
//             wins. A loser (ConditionalCheckFailedException) reads the existing item with
//             ConsistentRead and returns it. expiresAt is cleanup only: an expired claim keeps
//             blocking its nonce until DynamoDB's TTL deletes it, and ttlSeconds is at least
//             the button's lifetime, so a deleted claim's button is itself expired.
//   audit     pk = audit#<YYYY-MM-DD> (UTC day of `at`)   sk = <at as toISOString()>#<id>
//             record (S, JSON of the AuditRecord). No TTL.
//   audit day pk = auditday             sk = <YYYY-MM-DD>
//             One small item per day that has audit records, written (idempotently) before
//             the record. queryAudit reads this index from since's day onwards, then queries
//             each day partition in ascending order (paginated) until `limit` records are
//             collected — so a `since` far in the past costs one Query per day that actually
//             has records, not one per calendar day.
//   cache     pk = cache#<key>         sk = cache
//             value (S, JSON), expiresAt (N, s, for TTL), expiresAtMs (N, exact expiry checked
//             on every read, since TTL deletion is lazy — up to days late).
//   rate      pk = rate#<key>          sk = rate
//             tat (N, epoch ms: GCRA state, platform/rate-gate.ts), expiresAt (N, s, for TTL).
//             reserveRate: read consistently, then written with the condition that tat is
//             still what was read (or the item is still absent); a lost race reads again.
//             tryTakeRate (a token bucket taken at the moment of the call, AWS quotas): one
//             UpdateItem `SET tat = :now + interval` on the condition
//             `attribute_not_exists(tat) OR tat <= :now` — the bucket is full, the common case
//             when callers wait for the time they were told; if that fails, a consistent read
//             says when the next token is there (or, with a burst above 1, a put conditional on
//             the tat read takes one of the burst). Same item, same key scheme: no table change.
//   list      pk = list#<key>          sk = list
//             items (L of S, JSON each), expiresAtMs (N, from the first append), expiresAt (N, s).
//             Appended by one UpdateItem (list_append, ReturnValues ALL_NEW) on the condition
//             that the list has not expired; an expired list is replaced by a conditional put.
//             An item holds at most 400 KB: enough for hundreds of alert entries.
//   journal   pk = journal#<id>        sk = journal
//             entry (S, JSON of the JournalEntry), version (N), expiresAt (N, s) once done.
//             Updated by a put conditional on the version read, so no update loses another's.
//   open job  pk = journal-open        sk = <createdAt>#<id>
//             one small item per open entry, deleted when it is done: journalOpen() is one
//             Query of this partition, oldest first, never a scan.
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
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
import { intervalOf, reserveSlot, takeNow, type Take } from '../platform/rate-gate.js';
import { ClaimStateSchema, JournalEntrySchema, type AuditRecord, type Claim, type ClaimResult, type ClaimState, type JournalEntry, type Store } from './types.js';

export interface DynamoStoreOptions {
  table: string;
  client: DynamoDBClient;
  /** Epoch ms; defaults to Date.now. */
  now?: Clock;
  /** Destroy the client on close() (set when the store created the client itself). */
  destroyClientOnClose?: boolean;
}

type Item = Record<string, AttributeValue>;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function str(item: Item, name: string): string {
  const v = item[name];
  if (v === undefined || v.S === undefined) throw new Error(`DynamoDB item ${item.pk?.S ?? '?'}: missing string ${name}`);
  return v.S;
}

function num(item: Item, name: string): number {
  const v = item[name];
  const n = v?.N === undefined ? Number.NaN : Number(v.N);
  if (Number.isNaN(n)) throw new Error(`DynamoDB item ${item.pk?.S ?? '?'}: missing number ${name}`);
  return n;
}

const claimKey = (nonce: string): Item => ({ pk: S(`claim#${nonce}`), sk: S('claim') });
const cacheKey = (key: string): Item => ({ pk: S(`cache#${key}`), sk: S('cache') });
const rateKey = (key: string): Item => ({ pk: S(`rate#${key}`), sk: S('rate') });
const listKey = (key: string): Item => ({ pk: S(`list#${key}`), sk: S('list') });
const journalKey = (id: string): Item => ({ pk: S(`journal#${id}`), sk: S('journal') });
const openKey = (e: JournalEntry): Item => ({ pk: S('journal-open'), sk: S(`${e.createdAt}#${e.id}`) });
const JOURNAL_DONE_SECONDS = 7 * 86_400;
const listValues = (item: Item | undefined): unknown[] => (item?.items?.L ?? []).map((v) => JSON.parse(v.S ?? 'null') as unknown);
/** Racing writers of one rate key: each lost race costs a read and a write; give up after this many. */
const RATE_ATTEMPTS = 50;
const AUDIT_DAY_PK = 'auditday';
const utcDay = (iso: string): string => iso.slice(0, 10);

function toClaim(item: Item): Claim {
  const claim: Claim = {
    nonce: str(item, 'nonce'),
    actor: str(item, 'actor'),
    action: str(item, 'action'),
    claimedAt: str(item, 'claimedAt'),
    state: ClaimStateSchema.parse(str(item, 'state')),
  };
  if (item.detail?.S !== undefined) claim.detail = item.detail.S;
  return claim;
}

function isConditionalCheckFailed(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (err instanceof Error && err.name === 'ConditionalCheckFailedException')
  );
}

export function createDynamoStore(opts: DynamoStoreOptions): Store {
  const { table, client } = opts;
  requireNonEmpty('table', table);
  const now = opts.now ?? systemClock;

  async function getItem(key: Item): Promise<Item | undefined> {
    const out = await client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  /** All items of one partition with sk >= skFrom, ascending, at most `limit`. */
  async function queryPartition(pk: string, skFrom: string, limit: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const out = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#pk = :pk AND #sk >= :from',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': S(pk), ':from': S(skFrom) },
          ScanIndexForward: true,
          ConsistentRead: true,
          // DynamoDB's Limit is a 32-bit integer: "no limit" is no Limit at all
          ...(limit - items.length < 2 ** 31 ? { Limit: limit - items.length } : {}),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < limit);
    return items;
  }

  /**
   * Writes the entry (if `expectedVersion` is a number, only over that version; if it is
   * 'absent', only where there is none), then its open-index item.
   */
  async function writeJournal(e: JournalEntry, expectedVersion?: number | 'absent'): Promise<void> {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...journalKey(e.id),
          entry: S(JSON.stringify(e)),
          version: N(typeof expectedVersion === 'number' ? expectedVersion + 1 : 0),
          ...(e.state === 'done' ? { expiresAt: N(Math.ceil(now() / 1000) + JOURNAL_DONE_SECONDS) } : {}),
        },
        ...(expectedVersion === undefined
          ? {}
          : expectedVersion === 'absent'
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': N(expectedVersion) } }),
      }),
    );
    if (e.state === 'open') await client.send(new PutItemCommand({ TableName: table, Item: openKey(e) }));
    else await client.send(new DeleteItemCommand({ TableName: table, Key: openKey(e) }));
  }

  return {
    async claimOnce({ nonce, actor, action, ttlSeconds }): Promise<ClaimResult> {
      requireNonEmpty('nonce', nonce);
      requireNonEmpty('actor', actor);
      requireNonEmpty('action', action);
      expiryMs(0, ttlSeconds);
      // A second attempt only happens if the winner's item vanished (TTL) between our failed
      // put and our read; then the nonce is free again and we race once more.
      for (let attempt = 0; attempt < 3; attempt++) {
        const t = now();
        const claim: Claim = { nonce, actor, action, claimedAt: new Date(t).toISOString(), state: 'running' };
        try {
          await client.send(
            new PutItemCommand({
              TableName: table,
              Item: {
                ...claimKey(nonce),
                nonce: S(nonce),
                actor: S(actor),
                action: S(action),
                claimedAt: S(claim.claimedAt),
                state: S('running'),
                expiresAt: N(Math.ceil(expiryMs(t, ttlSeconds) / 1000)),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return { won: true, claim };
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
        }
        const existing = await getItem(claimKey(nonce));
        if (existing) return { won: false, existing: toClaim(existing) };
      }
      throw new Error(`claimOnce(${nonce}): claim lost, but the winning claim could not be read`);
    },

    async finishClaim(nonce: string, state: Exclude<ClaimState, 'running'>, detail?: string) {
      const s = ClaimStateSchema.exclude(['running']).parse(state);
      const values: Item = { ':state': S(s) };
      let update = 'SET #state = :state';
      if (detail !== undefined) {
        values[':detail'] = S(detail);
        update += ', #detail = :detail';
      } else {
        update += ' REMOVE #detail';
      }
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: claimKey(nonce),
            UpdateExpression: update,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#state': 'state', '#detail': 'detail' },
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        if (isConditionalCheckFailed(err)) throw new Error(`finishClaim: no claim for nonce ${nonce}`);
        throw err;
      }
    },

    async getClaim(nonce) {
      const item = await getItem(claimKey(nonce));
      return item ? toClaim(item) : undefined;
    },

    async appendAudit(record) {
      const { record: r, atKey, json } = prepareAudit(record);
      const day = utcDay(atKey);
      await client.send(
        new PutItemCommand({ TableName: table, Item: { pk: S(AUDIT_DAY_PK), sk: S(day) } }),
      );
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: S(`audit#${day}`), sk: S(`${atKey}#${r.id}`), record: S(json) },
        }),
      );
    },

    async queryAudit({ since, limit }) {
      const n = auditLimit(limit);
      const from = sinceKey(since);
      const out: AuditRecord[] = [];
      if (n === 0) return out;
      // Day index pages are fetched lazily so a small limit reads few of them.
      let dayStart: Item | undefined;
      do {
        const days = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: '#pk = :pk AND #sk >= :day',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': S(AUDIT_DAY_PK), ':day': S(utcDay(from)) },
            ScanIndexForward: true,
            ConsistentRead: true,
            ExclusiveStartKey: dayStart,
          }),
        );
        for (const dayItem of days.Items ?? []) {
          // sk = <at>#<id> and `from` has the same fixed-width ISO form, so sk >= from <=> at >= since.
          const items = await queryPartition(`audit#${str(dayItem, 'sk')}`, from, n - out.length);
          for (const item of items) out.push(parseAudit(str(item, 'record')));
          if (out.length >= n) return out;
        }
        dayStart = days.LastEvaluatedKey;
      } while (dayStart !== undefined);
      return out;
    },

    async cacheGet(key) {
      const item = await getItem(cacheKey(key));
      if (!item) return undefined;
      if (num(item, 'expiresAtMs') <= now()) return undefined;
      return JSON.parse(str(item, 'value')) as unknown;
    },

    async cacheSet(key, value, ttlSeconds) {
      requireNonEmpty('key', key);
      const expiresAtMs = expiryMs(now(), ttlSeconds);
      const json = cacheJson(value);
      if (json === undefined) {
        await client.send(new DeleteItemCommand({ TableName: table, Key: cacheKey(key) }));
        return;
      }
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ...cacheKey(key),
            value: S(json),
            expiresAt: N(Math.ceil(expiresAtMs / 1000)),
            expiresAtMs: N(expiresAtMs),
          },
        }),
      );
    },

    async reserveRate(key, spec) {
      requireNonEmpty('key', key);
      for (let attempt = 0; attempt < RATE_ATTEMPTS; attempt++) {
        const item = await getItem(rateKey(key));
        const stored = item ? num(item, 'tat') : undefined;
        const r = reserveSlot(stored, now(), spec);
        try {
          await client.send(
            new PutItemCommand({
              TableName: table,
              Item: { ...rateKey(key), tat: N(r.tat), expiresAt: N(Math.ceil(r.tat / 1000) + 3600) },
              ...(stored === undefined
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : { ConditionExpression: '#tat = :tat', ExpressionAttributeNames: { '#tat': 'tat' }, ExpressionAttributeValues: { ':tat': N(stored) } }),
            }),
          );
          return r.goAt;
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
        }
      }
      throw new Error(`reserveRate(${key}): ${RATE_ATTEMPTS} lost races in a row`);
    },

    async tryTakeRate(key, spec): Promise<Take> {
      requireNonEmpty('key', key);
      const t = now();
      const next = t + intervalOf(spec);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: rateKey(key),
            UpdateExpression: 'SET #tat = :next, expiresAt = :exp',
            ConditionExpression: 'attribute_not_exists(#tat) OR #tat <= :now',
            ExpressionAttributeNames: { '#tat': 'tat' },
            ExpressionAttributeValues: { ':next': N(next), ':now': N(t), ':exp': N(Math.ceil(next / 1000) + 3600) },
          }),
        );
        return { ok: true, tat: next };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
      // the bucket is not full: someone took a token less than one interval ago
      for (let attempt = 0; attempt < RATE_ATTEMPTS; attempt++) {
        const item = await getItem(rateKey(key));
        // gone in between (TTL): the first path takes it when the caller asks again
        if (!item) return { ok: false, retryAt: now() };
        const stored = num(item, 'tat');
        const r = takeNow(stored, now(), spec);
        if (!r.ok) return r;
        try {
          await client.send(
            new PutItemCommand({
              TableName: table,
              Item: { ...rateKey(key), tat: N(r.tat), expiresAt: N(Math.ceil(r.tat / 1000) + 3600) },
              ConditionExpression: '#tat = :tat',
              ExpressionAttributeNames: { '#tat': 'tat' },
              ExpressionAttributeValues: { ':tat': N(stored) },
            }),
          );
          return r;
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
        }
      }
      throw new Error(`tryTakeRate(${key}): ${RATE_ATTEMPTS} lost races in a row`);
    },

    async appendToList(key, item, ttlSeconds) {
      requireNonEmpty('key', key);
      const json = cacheJson(item);
      if (json === undefined) throw new TypeError('appendToList: the item has no JSON form');
      for (let attempt = 0; attempt < 3; attempt++) {
        const t = now();
        const expiresAtMs = expiryMs(t, ttlSeconds);
        try {
          const out = await client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: listKey(key),
              UpdateExpression: 'SET #items = list_append(if_not_exists(#items, :empty), :new), #exp = if_not_exists(#exp, :exp), #ttl = if_not_exists(#ttl, :ttl)',
              ConditionExpression: 'attribute_not_exists(#exp) OR #exp > :now',
              ExpressionAttributeNames: { '#items': 'items', '#exp': 'expiresAtMs', '#ttl': 'expiresAt' },
              ExpressionAttributeValues: {
                ':empty': { L: [] },
                ':new': { L: [S(json)] },
                ':exp': N(expiresAtMs),
                ':ttl': N(Math.ceil(expiresAtMs / 1000)),
                ':now': N(t),
              },
              ReturnValues: 'ALL_NEW',
            }),
          );
          return listValues(out.Attributes);
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
        }
        // The list expired: start it again, unless another process just did.
        try {
          await client.send(
            new PutItemCommand({
              TableName: table,
              Item: { ...listKey(key), items: { L: [] }, expiresAtMs: N(expiresAtMs), expiresAt: N(Math.ceil(expiresAtMs / 1000)) },
              ConditionExpression: '#exp <= :now',
              ExpressionAttributeNames: { '#exp': 'expiresAtMs' },
              ExpressionAttributeValues: { ':now': N(t) },
            }),
          );
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
        }
      }
      throw new Error(`appendToList(${key}): the list kept expiring under us`);
    },

    async readList(key) {
      const item = await getItem(listKey(key));
      if (!item || num(item, 'expiresAtMs') <= now()) return [];
      return listValues(item);
    },

    async journalPut(entry) {
      const e = JournalEntrySchema.parse(entry);
      await writeJournal(e);
    },

    async journalCreate(entry) {
      try {
        await writeJournal(JournalEntrySchema.parse(entry), 'absent');
        return true;
      } catch (err) {
        if (isConditionalCheckFailed(err)) return false;
        throw err;
      }
    },

    async journalUpdate(id, patch) {
      for (let attempt = 0; attempt < RATE_ATTEMPTS; attempt++) {
        const item = await getItem(journalKey(id));
        if (!item) throw new Error(`journalUpdate: no journal entry ${id}`);
        const current = JournalEntrySchema.parse(JSON.parse(str(item, 'entry')));
        const next = mergeJournal(current, patch, now());
        try {
          await writeJournal(next, num(item, 'version'));
          return next;
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
        }
      }
      throw new Error(`journalUpdate(${id}): ${RATE_ATTEMPTS} lost races in a row`);
    },

    async journalGet(id) {
      const item = await getItem(journalKey(id));
      return item ? JournalEntrySchema.parse(JSON.parse(str(item, 'entry'))) : undefined;
    },

    async journalOpen() {
      const index = await queryPartition('journal-open', '', Number.MAX_SAFE_INTEGER);
      const entries = await Promise.all(index.map((i) => getItem(journalKey(str(i, 'sk').slice(str(i, 'sk').indexOf('#') + 1)))));
      return entries
        .filter((i): i is Item => i !== undefined)
        .map((i) => JournalEntrySchema.parse(JSON.parse(str(i, 'entry'))))
        .filter((e) => e.state === 'open');
    },

    async close() {
      if (opts.destroyClientOnClose) client.destroy();
    },
  };
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/**
 * Creates the table (pk/sk, on-demand) if missing, waits until ACTIVE and enables TTL on
 * `expiresAt`. For local runs and tests; production gets the table from serverless.yml.
 * Emulators without the TTL API (dynalite) are tolerated: the read-time expiry checks carry
 * the semantics anyway.
 */
export async function ensureTable(client: DynamoDBClient, table: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (err) {
    if (errorName(err) !== 'ResourceInUseException') throw err;
  }

  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (let delay = 20; ; delay = Math.min(delay * 2, 2000)) {
    const out = await client.send(new DescribeTableCommand({ TableName: table }));
    if (out.Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`table ${table} not ACTIVE (${out.Table?.TableStatus ?? 'unknown'})`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }

  try {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
  } catch (err) {
    const name = errorName(err);
    if (name === 'UnknownOperationException') return; // dynalite has no UpdateTimeToLive
    if (name === 'ValidationException' && err instanceof Error && /already enabled/i.test(err.message)) return;
    throw err;
  }
}
