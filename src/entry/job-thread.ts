// A worker thread of the bot: runs investigations and remediations (and, in the first thread,
// the CloudTrail watcher) away from the thread that verifies and acks Slack's requests.
// Messages: in {type:'run', id, job} | {type:'stop'}; out {type:'done', id, error?}.
import { parentPort, workerData } from 'node:worker_threads';
import * as z from 'zod';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createJobHandler } from '../slack/job-handler.js';
import { JobSchema } from '../slack/jobs.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface ThreadData {
  config: Config;
  botToken: string;
  /** the process's boot id: the owner of what its jobs journal */
  owner: string;
  /** this thread runs the CloudTrail watcher */
  watch: boolean;
  index: number;
}

const InSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), id: z.number(), job: JobSchema }),
  z.object({ type: z.literal('stop') }),
]);

const port = parentPort;
if (!port) throw new Error('job-thread runs as a worker thread only');
const data = workerData as ThreadData;
const log = createLogger(data.config.logLevel, { thread: data.index });
const handler = createJobHandler(data.config, data.botToken, log, data.owner);
if (data.watch) handler.startWatch();

port.on('message', (raw: unknown) => {
  const msg = InSchema.safeParse(raw);
  if (!msg.success) {
    log.error({ issues: msg.error.issues.length }, 'job thread got a message it does not know');
    return;
  }
  if (msg.data.type === 'stop') {
    void handler.close().finally(() => process.exit(0)); // in a worker thread: ends this thread only
    return;
  }
  const { id, job } = msg.data;
  handler.handle(job).then(
    () => port.postMessage({ type: 'done', id }),
    (err: unknown) => port.postMessage({ type: 'done', id, error: err instanceof Error ? err.message : String(err) }),
  );
});
port.postMessage({ type: 'ready' });
