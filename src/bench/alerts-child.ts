// One "Lambda container" of the alerts burst (alerts.ts): the real alerts handler
// (src/lambda/alerts.ts, DynamoDB store, SSM secrets, all on the doubles), started as a child
// process with the Lambda environment. Like Lambda, it handles one event at a time.
// In: {type:'warm'} | {type:'events', events}. Out: {type:'warm'} | {type:'done', at, ok, outcome}.
import { handler } from '../lambda/alerts.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type In = { type: 'warm' } | { type: 'events'; events: unknown[] };

const send = (msg: unknown) => process.send?.(msg);

process.on('message', (raw: unknown) => {
  const msg = raw as In;
  if (msg.type === 'warm') {
    // not a rotation event: the cold start (SSM, store, clients) happens, nothing is posted
    handler({ source: 'aws.kms' }).then(
      () => send({ type: 'warm' }),
      (err: unknown) => send({ type: 'warm', error: String(err) }),
    );
    return;
  }
  void (async () => {
    for (const event of msg.events) {
      try {
        const r = await handler(event);
        send({ type: 'done', at: Date.now(), ok: true, outcome: r.alert ?? r.reason ?? (r.recorded ? 'recorded' : 'skipped') });
      } catch (err) {
        send({ type: 'done', at: Date.now(), ok: false, outcome: `error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200) });
      }
    }
  })();
});
process.on('disconnect', () => process.exit(0));
