// AWS clients as the configuration asks for them, by purpose, in whybot's own account or in
// one of WHYBOT_ACCOUNTS (by alias: the role is assumed with STS).
import type { AccountConfig, Config } from '../config.js';
import { AwsClients, type AssumedRole } from './clients.js';

type ForRegion = (region: string, account?: string) => AwsClients;

/** The role to assume for an account alias (undefined = whybot's own account); an unknown alias is an error. */
export function roleFor(config: Pick<Config, 'accounts'>, account: string | undefined, purpose: 'read' | 'write' = 'read'): AssumedRole | undefined {
  if (account === undefined) return undefined;
  const a: AccountConfig | undefined = config.accounts?.[account];
  if (!a) throw new Error(`No account "${account}" in WHYBOT_ACCOUNTS.`);
  return {
    alias: a.alias,
    accountId: a.accountId,
    roleArn: purpose === 'write' ? (a.writeRoleArn ?? a.roleArn) : a.roleArn,
    ...(a.externalId ? { externalId: a.externalId } : {}),
  };
}

const roleOf = (config: Config, account: string | undefined, purpose: 'read' | 'write' = 'read') => {
  const role = roleFor(config, account, purpose);
  return role ? { role } : {};
};

/** Investigations: identical recent reads shared with the rest of the process. */
export const investigationAws = (config: Config): ForRegion => (region, account) =>
  new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts, shareReads: true, ...roleOf(config, account) });

/** Alerts, verification, reconciliation: reads of their own (they poll for change). */
export const readerAws = (config: Config): ForRegion => (region, account) =>
  new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts, ...roleOf(config, account) });

/** The write itself: one attempt with a timeout; a lost outcome is reconciled, never retried blindly. */
export const WRITE_TIMEOUT_MS = 15_000;
export const writerAws = (config: Config): ForRegion => (region, account) =>
  new AwsClients({ region, profile: config.profile, maxAttempts: 1, requestTimeoutMs: WRITE_TIMEOUT_MS, ...roleOf(config, account, 'write') });
