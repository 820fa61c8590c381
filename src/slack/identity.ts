// Who the bot is (auth.test), kept in the store: Bolt otherwise calls auth.test on every cold
// start of the Slack function, a round trip to Slack inside the 3 s the first ack has.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import { slackClient } from './client.js';

const IdentitySchema = z.object({ botId: z.string().min(1), botUserId: z.string().min(1) });
export type BotIdentity = z.infer<typeof IdentitySchema>;

const KEEP_SECONDS = 86_400;

export async function cachedBotIdentity(store: Pick<Store, 'cacheGet' | 'cacheSet'>, botToken: string, config: Config): Promise<BotIdentity | undefined> {
  // keyed by the token's hash: a new token (rotated, reinstalled app) asks again
  const key = `slack-bot-identity:${createHash('sha256').update(botToken).digest('hex').slice(0, 24)}`;
  const cached = IdentitySchema.safeParse(await store.cacheGet(key).catch(() => undefined));
  if (cached.success) return cached.data;
  const me = await slackClient(config, botToken).auth.test();
  const identity = IdentitySchema.safeParse({ botId: me.bot_id, botUserId: me.user_id });
  if (!identity.success) return undefined;
  await store.cacheSet(key, identity.data, KEEP_SECONDS).catch(() => undefined);
  return identity.data;
}
