// The account whybot's own credentials are in. AWS counts a quota per account (× Region), so
// the shared rate limiter must key whybot's own calls by the account id, not by how this
// process names its credentials (a profile, or none): otherwise the bot's Lambdas ("default")
// and an engineer's CLI beside them (AWS_PROFILE=prod) draw from two buckets for one quota.
// Lambda learns it for free from its function ARN; the long-running bot and the CLI sharing
// the bot's store ask STS once (GetCallerIdentity needs no IAM permission).
const ACCOUNT_ID = /^\d{12}$/;
let own: string | undefined;

/** Records the own account id (ignored unless it is one). */
export function knowOwnAccount(id: string | undefined): void {
  if (id && ACCOUNT_ID.test(id)) own = id;
}

export function ownAccount(): string | undefined {
  return own;
}

/** The account in a Lambda invocation's context: arn:aws:lambda:<region>:<account>:function:<name>. */
export function accountOfFunctionArn(arn: string | undefined): string | undefined {
  const id = arn?.split(':')[4];
  return id && ACCOUNT_ID.test(id) ? id : undefined;
}

/** Asks STS whose credentials these are, once; undefined (the profile keys the limits) if STS cannot say in time. */
export async function learnOwnAccount(opts: { region?: string; profile?: string; timeoutMs?: number }): Promise<string | undefined> {
  if (own) return own;
  const [{ STSClient, GetCallerIdentityCommand }, { fromNodeProviderChain }] = await Promise.all([import('@aws-sdk/client-sts'), import('@aws-sdk/credential-providers')]);
  const sts = new STSClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { credentials: fromNodeProviderChain({ profile: opts.profile }) } : {}),
    maxAttempts: 1,
  });
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(opts.timeoutMs ?? 3_000) });
    knowOwnAccount(out.Account);
  } catch {
    // keyed by profile as before: correct within this process, only not shared by account
  } finally {
    sts.destroy();
  }
  return own;
}
