// One whybot process of the cross-process LookupEvents figure (lookups-procs.ts) and test
// (test/limits.e2e.test.ts): the real limiter over the real SQLite store (WHYBOT_DB_PATH,
// shared with the other processes), LookupEvents through the real SDK client whybot's
// adapters use (AwsClients: rate-limit middleware, one attempt so a throttle is never retried
// away) against the AWS double (AWS_ENDPOINT_URL).
// Env: REGIONS (comma-separated). In: {type:'go', calls}. Out: {type:'ready'} | {type:'done', ok, errors}.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { AwsClients } from '../aws/clients.js';
import { createLogger } from '../logger.js';
import { useRateGate } from '../platform/rate-gate.js';
import { loggedRateGateEvents, storeRateGate } from '../store/rate-gate.js';
import { openSqliteStore } from '../store/sqlite.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dbPath = process.env.WHYBOT_DB_PATH;
if (!dbPath) throw new Error('WHYBOT_DB_PATH is required');
const store = openSqliteStore(dbPath);
// LOCAL_GATE=1: the baseline, each process with its own limiter only (what N workers did before)
if (process.env.LOCAL_GATE !== '1') useRateGate(storeRateGate(store, loggedRateGateEvents(createLogger(process.env.WHYBOT_LOG_LEVEL ?? 'warn', { component: 'rate-gate' }))));

type In = { type: 'go'; calls: number };
const send = (msg: unknown) => process.send?.(msg);

const regions = (process.env.REGIONS ?? process.env.AWS_REGION ?? '').split(',').filter(Boolean);
const sets = regions.map((region) => new AwsClients({ region, maxAttempts: 1 }));
const lookup = (aws: AwsClients) =>
  aws
    .client('cloudtrail', (config) => new CloudTrailClient(config))
    .send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'secretsmanager.amazonaws.com' }], MaxResults: 50 }));

async function run(calls: number) {
  let ok = 0;
  const errors: string[] = [];
  await Promise.all(
    sets.flatMap((aws) =>
      Array.from({ length: calls }, async () => {
        try {
          await lookup(aws);
          ok++;
        } catch (err) {
          errors.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        }
      }),
    ),
  );
  return { ok, errors };
}

process.on('message', (raw: unknown) => {
  const msg = raw as In;
  if (msg.type !== 'go') return;
  run(msg.calls).then(
    (r) => send({ type: 'done', ...r }),
    (err: unknown) => send({ type: 'done', ok: 0, errors: [String(err)] }),
  );
});
process.on('disconnect', () => {
  for (const s of sets) s.destroy();
  void store.close().finally(() => process.exit(0));
});
// A process's first request is slow to reach the wire after its token (HTTP agent, lazy
// handler config, cold code): one call per client first, through the limiter like the rest,
// as a long-running worker would have made before, then ready.
void Promise.all(sets.map((aws) => lookup(aws).catch(() => undefined))).then(() => send({ type: 'ready' }));
