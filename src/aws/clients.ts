// AWS SDK clients for one account/Region. Never module-level: every investigation gets a
// set for the target it was asked about, all sharing the process-wide limiters.
// The endpoint is left to the SDK so AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> work.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, MiddlewareStack } from '@smithy/types';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { operationName, withinLimits, type CallScope } from './limits.js';
import { withAbort } from './abort.js';
import { isReadOperation, sharedReads } from './shared-reads.js';
import { ownAccount } from './own-account.js';

/** A role in another account (WHYBOT_ACCOUNTS), assumed with STS for every call. */
export interface AssumedRole {
  /** the account's alias in WHYBOT_ACCOUNTS, as answers name it */
  alias: string;
  /** the 12-digit account id: the limiters and shared reads are per account */
  accountId: string;
  roleArn: string;
  externalId?: string;
}

export interface AwsTarget {
  region: string;
  /** absent = whybot's own credentials (the default chain or `profile`) */
  role?: AssumedRole;
  /** named profile from ~/.aws/config; absent = the default credential chain */
  profile?: string;
  /** SDK attempts per call (throttling and 5xx are retried with backoff) */
  maxAttempts?: number;
  /**
   * Share identical recent reads with the rest of the process (aws/shared-reads.ts).
   * For investigations; never for remediations, whose verification polls for change.
   */
  shareReads?: boolean;
  /** gives up on a request after this long (writes: one attempt, never waiting forever) */
  requestTimeoutMs?: number;
}

interface Sendable {
  middlewareStack: MiddlewareStack<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SDK generic
}

/** Each attempt (inside the SDK's retries) within the AWS limits of its API. */
function paced<C extends Sendable>(client: C, scope: CallScope, shareReads: boolean): C {
  client.middlewareStack.add(
    (next, context) => async (args) => withinLimits(scope, context.clientName ?? 'aws', context.commandName ?? '*', () => next(args)),
    { step: 'finalizeRequest', priority: 'low', name: 'whybotRateLimit' },
  );
  // Whole calls (retries included) share with identical ones; writes drop what was shared.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationName(context.commandName ?? '');
      if (!isReadOperation(operation)) {
        // before (reads from now on) and after (reads that started while it was in flight)
        sharedReads.invalidate(scope.account);
        try {
          return await next(args);
        } finally {
          sharedReads.invalidate(scope.account);
        }
      }
      if (!shareReads) return next(args);
      const what = `${scope.region}|${context.clientName ?? 'aws'}|${operation}`;
      const output = await sharedReads.read(scope.account, what, args.input, async () => (await next(args)).output);
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'whybotSharedReads' },
  );
  return client;
}

export interface ClientConfig {
  region: string;
  maxAttempts: number;
  /** the SDK's retry mode (see RETRY_MODE) */
  retryMode: 'standard';
  profile?: string;
  requestHandler?: { requestTimeout?: number; connectionTimeout?: number };
  credentials?: AwsCredentialIdentityProvider;
}

/** An AssumeRole that has not answered in this long fails (and is asked again next time). */
const STS_TIMEOUT_MS = 10_000;
/** Credentials are refreshed this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const assumed = new Map<string, { at: Promise<AwsCredentialIdentity>; expires: number }>();

/**
 * One provider per role (and external id, and base profile) for the whole process: every client
 * of every set shares one AssumeRole until the credentials are about to expire. A refusal is
 * not kept: the next investigation asks again (the trust policy may have been fixed).
 */
export function assumedRoleCredentials(role: AssumedRole, region: string, profile: string | undefined): AwsCredentialIdentityProvider {
  // the endpoint too: credentials from one STS (a local double, a test) are no good at another
  const key = `${role.roleArn}|${role.externalId ?? ''}|${profile ?? ''}|${process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL ?? ''}`;
  const provider = fromTemporaryCredentials({
    params: { RoleArn: role.roleArn, RoleSessionName: 'whybot', DurationSeconds: 3600, ...(role.externalId ? { ExternalId: role.externalId } : {}) },
    clientConfig: {
      // STS in whybot's own Region where it has one: the first place searched may be a Region
      // that is opt-in and not enabled in whybot's account, whose STS would refuse every role
      region: process.env.AWS_REGION ?? region,
      ...(profile ? { profile } : {}),
      // a hung STS would otherwise be cached as pending for every later investigation
      requestHandler: { requestTimeout: STS_TIMEOUT_MS, connectionTimeout: 5_000 },
    },
  });
  return async () => {
    const cached = assumed.get(key);
    if (cached && cached.expires - REFRESH_BEFORE_MS > Date.now()) return cached.at;
    const at = provider();
    const entry = { at, expires: Number.POSITIVE_INFINITY };
    assumed.set(key, entry);
    at.then(
      (creds) => (entry.expires = creds.expiration?.getTime() ?? Date.now() + 15 * 60_000),
      () => assumed.get(key) === entry && assumed.delete(key),
    );
    return at;
  };
}

/**
 * Every client retries with the SDK's standard mode (exponential backoff with jitter; throttles
 * are retried). Adaptive mode was tried: its client-side limiter, after a throttle, held the
 * next attempt for longer than a check's timeout, so a throttled check said "timed out" instead
 * of "throttled". The rate itself is kept by whybot's own limiter (aws/limits.ts, shared across
 * processes through the store).
 */
const RETRY_MODE = 'standard' as const;

export class AwsClients {
  private readonly cache = new Map<string, unknown>();
  readonly scope: string;
  private readonly account: string;

  constructor(readonly target: AwsTarget) {
    // by account id wherever it is known (own-account.ts): AWS counts quotas per account
    this.account = target.role?.accountId ?? ownAccount() ?? target.profile ?? process.env.AWS_PROFILE ?? 'default';
    this.scope = `${this.account}@${target.region}`;
  }

  /**
   * The client for one service (and Region, where a service lives elsewhere: Route 53
   * Domains in us-east-1, CloudFront's certificates in us-east-1), made once and paced.
   * Adapters pass the SDK class, so a process loads only the clients it uses.
   */
  client<C extends Sendable>(key: string, make: (config: ClientConfig) => C, region = this.target.region): C {
    const id = `${key}@${region}`;
    let client = this.cache.get(id) as C | undefined;
    if (!client) {
      // every call honours the abort signal of the check it runs for (adapters wrap too: idempotent)
      client = withAbort(paced(make({ ...this.config, region }), { account: this.account, region }, this.target.shareReads === true));
      this.cache.set(id, client);
    }
    return client;
  }

  private get config(): ClientConfig {
    const { region, profile, maxAttempts, requestTimeoutMs } = this.target;
    return {
      region,
      maxAttempts: maxAttempts ?? 3,
      retryMode: RETRY_MODE,
      ...(profile ? { profile } : {}),
      ...(this.target.role ? { credentials: assumedRoleCredentials(this.target.role, region, profile) } : {}),
      ...(requestTimeoutMs ? { requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: Math.min(requestTimeoutMs, 5_000) } } : {}),
    };
  }

  /** Resolves credentials once, so a missing login is reported as such, not as N failed checks. */
  async preflight(): Promise<{ ok: true } | { ok: false; message: string }> {
    try {
      // any client resolves the same chain; STS would cost a call, this costs none
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      const creds = await this.client('secrets', (config) => new SecretsManagerClient(config)).config.credentials();
      if (!creds.accessKeyId) return { ok: false, message: 'the credential chain returned no access key' };
      return { ok: true };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
    }
  }

  destroy(): void {
    for (const client of this.cache.values()) (client as { destroy?: () => void }).destroy?.();
    this.cache.clear();
  }
}
