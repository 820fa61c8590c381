// A remediation action: what exactly will happen (plan, shown before anything runs), the
// AWS write (execute, run once under a claimed nonce), and how we know it worked (verify).
import type { z } from 'zod';
import type { AwsClients } from '../aws/clients.js';

export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

export interface Plan {
  /** what is acted on, e.g. "ECS service api in cluster prod (ap-northeast-1)" */
  resource: string;
  /** the exact API call */
  apiCall: string;
  effect: string;
  verification: string;
  undo: string;
}

export interface ExecuteResult {
  /** for the thread: "redeployed `api`" (mrkdwn-free; the renderer formats) */
  done: string;
  awsRequestId?: string;
  /** what verify needs to know about this execution (e.g. the deployment id) */
  facts?: Record<string, string>;
}

export interface VerifyOptions {
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
}

export interface VerifyResult {
  ok: boolean;
  /** what was seen: the success, the failure, or the last state before the timeout */
  detail: string;
}

/** A choice the confirmation offers (e.g. 14/30/90 days); the chosen value replaces params[key]. */
export interface Choice {
  key: string;
  label: string;
  options: Array<{ label: string; value: string }>;
  initial: string;
}

/** What an action is: enough to validate, authorise and confirm it (no AWS client needed). */
export interface RemediationSpec<P extends Params = Params> {
  id: string;
  params: z.ZodType<P>;
  /** needs a second responder's approval before it runs */
  dangerous: boolean;
  label(p: P): string;
  /** present participle for "running" states: "redeploying api" */
  doing(p: P): string;
  choice?(p: P): Choice;
  plan(p: P): Plan;
}

/** Whether a write whose outcome was lost (a crash, a timeout, a 5xx) reached AWS. */
export type WriteHappened = 'happened' | 'not-happened' | 'unknown';

/** A spec plus how it runs: what the registry (src/remediations/index.ts) hands out. */
export interface RemediationAction<P extends Params = Params> extends RemediationSpec<P> {
  execute(aws: AwsClients, p: P): Promise<ExecuteResult>;
  verify(aws: AwsClients, p: P, facts: Record<string, string>, opts: VerifyOptions): Promise<VerifyResult>;
  /**
   * Looks at AWS to tell whether the write, started at facts.writeStartedAt, happened; facts
   * become the execute result's facts when it did. Without it, a lost outcome is 'unknown'.
   */
  reconcile?(aws: AwsClients, p: P, facts: Record<string, string>): Promise<{ happened: WriteHappened; facts?: Record<string, string>; done?: string }>;
}

/**
 * An action's implementation module (src/remediations/<id>.ts): the action plus the IAM
 * actions it calls, which src/lambda/permissions.ts grants. It imports its AWS adapters and
 * their SDK clients, so the registry loads it only when the action runs.
 */
export interface RemediationExecutor<P extends Params = Params> extends RemediationAction<P> {
  iamActions: readonly string[];
}

/** Polls until `check` says done, or the time is up: then fails with what was last seen. */
export async function pollUntil(
  check: () => Promise<{ done: boolean; ok: boolean; detail: string }>,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'nothing seen yet';
  for (;;) {
    if (opts.signal?.aborted) return { ok: false, detail: `stopped; last seen: ${last}` };
    try {
      const r = await check();
      if (r.done) return { ok: r.ok, detail: r.detail };
      last = r.detail;
    } catch (err) {
      last = `check failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() + opts.intervalMs > deadline)
      return { ok: false, detail: `not confirmed within ${Math.round(opts.timeoutMs / 1000)} s; last seen: ${last}` };
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}
