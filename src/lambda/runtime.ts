// Cold start of a Lambda function: its settings from the environment, its secrets from SSM
// SecureString parameters (read once per container, never logged), the store on DynamoDB.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { getParameters } from '../aws/ssm.js';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { newBootId } from '../engine/liveness.js';
import { useRateGate } from '../platform/rate-gate.js';
import { createDynamoStore } from '../store/dynamodb.js';
import { loggedRateGateEvents, storeRateGate } from '../store/rate-gate.js';
import type { Store } from '../store/types.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const LambdaEnvSchema = z.object({
  AWS_REGION: z.string(),
  WHYBOT_SSM_PREFIX: z.string().regex(/^\/[\w./-]+$/, 'an SSM path such as /whybot/prod'),
  WHYBOT_TABLE: z.string().min(3),
  WHYBOT_WORKER_FUNCTION: z.string().optional(),
  WHYBOT_READ_ONLY: z.enum(['true', 'false']).default('false'),
  /** the worker's verify queue (serverless.yml VerifyQueue): long verifications resume from it */
  WHYBOT_VERIFY_QUEUE_URL: z.string().url().optional(),
  /** how long one worker invocation polls a verification before scheduling the next look */
  WHYBOT_VERIFY_BUDGET_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
});

export interface Runtime {
  config: Config;
  botToken: string;
  signingSecret: string;
  /** absent in a read-only deployment: no remediation buttons then */
  actionSecret?: string;
  workerFunction?: string;
  /** where a verification that outlasts verifyBudgetMs continues (absent: it is polled to the end) */
  verifyQueue?: { url: string; budgetMs: number };
  store: Store;
  log: Logger;
  /** this container, as owner of what it journals */
  bootId: string;
}

export const SECRET_NAMES = ['slack-bot-token', 'slack-signing-secret', 'action-secret'] as const;

export async function coldStart(fn: 'slack' | 'worker' | 'alerts'): Promise<Runtime> {
  const env = LambdaEnvSchema.safeParse(process.env);
  if (!env.success) throw new Error(`bad Lambda environment: ${z.prettifyError(env.error)}`);
  const { WHYBOT_SSM_PREFIX: prefix, AWS_REGION: region } = env.data;
  const readOnly = env.data.WHYBOT_READ_ONLY === 'true';
  const names = SECRET_NAMES.filter((n) => !(readOnly && n === 'action-secret')).map((n) => `${prefix}/${n}`);
  const ssm = new SSMClient({ region });
  const { values, missing } = await getParameters(ssm, names).finally(() => ssm.destroy());
  if (missing.length) throw new Error(`missing SSM parameters: ${missing.join(', ')} (see README, "Deploy to AWS")`);
  const secret = (n: (typeof SECRET_NAMES)[number]) => values[`${prefix}/${n}`];
  const loaded = loadConfig({
    ...process.env,
    SLACK_BOT_TOKEN: secret('slack-bot-token'),
    SLACK_SIGNING_SECRET: secret('slack-signing-secret'),
    WHYBOT_ACTION_SECRET: readOnly ? '' : secret('action-secret'),
  });
  if (!loaded.ok) throw new Error(`bad configuration: ${loaded.problems.join('; ')}`);
  const config = loaded.config;
  const log = createLogger(config.logLevel, { fn });
  // DynamoDB directly (not openStore): the SQLite adapter's native module has no place in a bundle.
  const store = createDynamoStore({ table: env.data.WHYBOT_TABLE, client: new DynamoDBClient({ region }), destroyClientOnClose: true });
  // Every container paces AWS quotas and Slack channels on the same schedules, in the table.
  useRateGate(storeRateGate(store, loggedRateGateEvents(log)));
  return {
    config,
    botToken: config.slack.botToken!,
    signingSecret: config.slack.signingSecret!,
    ...(config.actionSecret ? { actionSecret: config.actionSecret } : {}),
    ...(env.data.WHYBOT_WORKER_FUNCTION ? { workerFunction: env.data.WHYBOT_WORKER_FUNCTION } : {}),
    ...(env.data.WHYBOT_VERIFY_QUEUE_URL ? { verifyQueue: { url: env.data.WHYBOT_VERIFY_QUEUE_URL, budgetMs: env.data.WHYBOT_VERIFY_BUDGET_MS } } : {}),
    store,
    log,
    bootId: newBootId(),
  };
}
