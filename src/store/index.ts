// Store factory: DynamoDB when a table is configured (AWS), otherwise a local SQLite file.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { createDynamoStore } from './dynamodb.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export type { Store } from './types.js';

export interface StoreConfig {
  /** SQLite file; defaults to defaultDbPath(). Ignored when `table` is set. */
  dbPath?: string;
  /** DynamoDB table name; selects the DynamoDB adapter. */
  table?: string;
  region?: string;
}

/** The store whybot's configuration names: DynamoDB with WHYBOT_TABLE, else the SQLite file. */
export function openConfiguredStore(config: { store: { dbPath?: string; table?: string }; region?: string }): Store {
  return openStore({
    dbPath: config.store.dbPath ?? defaultDbPath(),
    ...(config.store.table ? { table: config.store.table } : {}),
    ...(config.region ? { region: config.region } : {}),
  });
}

export function openStore(config: StoreConfig): Store {
  if (config.table) {
    // Endpoint deliberately left to the SDK: AWS_ENDPOINT_URL(_DYNAMODB) and profiles apply.
    const client = new DynamoDBClient(config.region ? { region: config.region } : {});
    return createDynamoStore({ table: config.table, client, destroyClientOnClose: true });
  }
  return openSqliteStore(config.dbPath || defaultDbPath());
}

/**
 * $XDG_DATA_HOME/whybot/whybot.sqlite when XDG_DATA_HOME is set to an absolute path (the XDG
 * spec says to ignore relative ones), else ~/Library/Application Support/whybot/whybot.sqlite
 * on macOS and ~/.local/share/whybot/whybot.sqlite elsewhere.
 */
export function defaultDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'whybot', 'whybot.sqlite');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'whybot', 'whybot.sqlite');
  return join(home, '.local', 'share', 'whybot', 'whybot.sqlite');
}
