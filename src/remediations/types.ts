// A remediation action: what exactly will happen (plan, shown before anything runs), the
// AWS write (execute, run once under a claimed nonce), and how we know it worked (verify).
// One action is one unit (src/remediations/define.ts): <id>.meta.ts holds what it is (params
// schema, plan, IAM actions, CLI commands), <id>.ts how it runs, typed by the same params.
import type { z } from 'zod';
import type { ACM_IAM } from '../aws/acm.js';
import type { AwsClients } from '../aws/clients.js';
import type { CODEBUILD_IAM } from '../aws/codebuild.js';
import type { EC2_IAM } from '../aws/ec2.js';
import type { ECS_IAM } from '../aws/ecs.js';
import type { IAM_IAM } from '../aws/iam-policy.js';
import type { KMS_IAM } from '../aws/kms.js';
import type { LAMBDA_FUNCTION_IAM } from '../aws/lambda-function.js';
import type { LAMBDA_TIMEOUT_IAM } from '../aws/lambda-timeout.js';
import type { ROUTE53_IAM } from '../aws/route53.js';
import type { ROTATE_NOW_IAM, SECRETS_IAM } from '../aws/secrets.js';
import type { VPC_IAM } from '../aws/vpc.js';
import type { VPC_WRITE_IAM } from '../aws/vpc-write.js';

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
  /** how long the whole verification may take, from its start (named in "not confirmed within") */
  timeoutMs: number;
  intervalMs: number;
  /**
   * When the whole verification ends, epoch ms (default: now + timeoutMs). A verification
   * resumed by another process (a scheduled re-check, the reconciler) keeps its first deadline.
   */
  deadline?: number;
  /**
   * How long this process may poll (default: until the deadline). When it runs out first, the
   * result is `pending` and whoever asked resumes the verification later.
   */
  budgetMs?: number;
  signal?: AbortSignal;
}

export interface VerifyResult {
  ok: boolean;
  /** what was seen: the success, the failure, or the last state before the timeout */
  detail: string;
  /** not decided: this process's budget ended before the deadline; `detail` is the last state seen */
  pending?: boolean;
}

/** A choice the confirmation offers (e.g. 14/30/90 days); the chosen value replaces params[key]. */
export interface Choice {
  key: string;
  label: string;
  options: Array<{ label: string; value: string }>;
  initial: string;
}

/**
 * An IAM action some AWS adapter declares (`iam('ecs:UpdateService')` in src/aws/*). Only the
 * types are imported, so an action's metadata names what it calls (a typo is a compile
 * error) without pulling any SDK client into a bundle.
 */
type ValueOf<T> = T[keyof T];
export type AdapterIamAction =
  | ValueOf<typeof ACM_IAM>
  | ValueOf<typeof CODEBUILD_IAM>
  | ValueOf<typeof EC2_IAM>
  | ValueOf<typeof ECS_IAM>
  | ValueOf<typeof IAM_IAM>
  | ValueOf<typeof KMS_IAM>
  | ValueOf<typeof LAMBDA_FUNCTION_IAM>
  | ValueOf<typeof LAMBDA_TIMEOUT_IAM>
  | ValueOf<typeof ROUTE53_IAM>
  | ValueOf<typeof SECRETS_IAM>
  | ValueOf<typeof VPC_IAM>
  | ValueOf<typeof VPC_WRITE_IAM>;

/** What AWS checks the caller for on a write's behalf (src/aws/secrets.ts ROTATE_NOW_IAM). */
export type OnWriteIamAction = ValueOf<typeof ROTATE_NOW_IAM>;

/** What an action's execute, verify and reconcile call: src/lambda/permissions.ts grants them. */
export interface IamActions {
  /** the AWS writes: granted only where the action may run, never in a read-only deployment */
  write: readonly AdapterIamAction[];
  /** what it reads before the write (refusals), to verify it and to reconcile a lost outcome */
  read: readonly AdapterIamAction[];
  /**
   * What AWS also authorises against the caller while it performs the write, though whybot
   * never calls it itself (RotateSecret now: Secrets Manager invokes the rotation function
   * with the caller's permission, so lambda:InvokeFunction). Granted with the writes, in the
   * remediation policy only, never in a read-only deployment; not a write, so not in
   * WRITE_ACTIONS (the Slack function's own hand-off Invoke is not a remediation write).
   */
  onWrite?: readonly OnWriteIamAction[];
}

/**
 * Commands a person can run by hand ("Show CLI commands", the terminal's "Fix by hand"). Every
 * action has them; a guidance-only remediation (src/remediations/kms-guidance.ts) has only them.
 * Members are properties, not methods, so a typed unit is not silently assignable to the
 * registry's erased view (./define.ts erases, parsing the params).
 */
export interface CliUnit<P extends Params = Params, Id extends string = string> {
  id: Id;
  params: z.ZodType<P>;
  /** the exact commands, values shell-quoted; throws when the params do not parse */
  cli: (p: P) => string[];
}

/**
 * What an action is, without how it runs: enough to validate, authorise, confirm and do it by
 * hand, with no AWS client (the Slack function carries only this half: src/remediations/<id>.meta.ts).
 */
export interface ActionMeta<P extends Params = Params, Id extends string = string> extends CliUnit<P, Id> {
  /** needs a second responder's approval before it runs */
  dangerous: boolean;
  label: (p: P) => string;
  /** present participle for "running" states: "redeploying api" */
  doing: (p: P) => string;
  choice?: (p: P) => Choice;
  plan: (p: P) => Plan;
  iamActions: IamActions;
}

/** Whether a write whose outcome was lost (a crash, a timeout, a 5xx) reached AWS. */
export type WriteHappened = 'happened' | 'not-happened' | 'unknown';

/** How an action runs (src/remediations/<id>.ts): it imports its AWS adapters and their SDK clients. */
export interface ActionRun<P extends Params = Params> {
  execute: (aws: AwsClients, p: P) => Promise<ExecuteResult>;
  verify: (aws: AwsClients, p: P, facts: Record<string, string>, opts: VerifyOptions) => Promise<VerifyResult>;
  /**
   * Looks at AWS to tell whether the write, started at facts.writeStartedAt, happened; facts
   * become the execute result's facts when it did. Without it, a lost outcome is 'unknown'.
   */
  reconcile?: (aws: AwsClients, p: P, facts: Record<string, string>) => Promise<{ happened: WriteHappened; facts?: Record<string, string>; done?: string }>;
}

/**
 * One action: its metadata and how it runs. `RemediationAction` with no type arguments is the
 * registry's erased view (src/remediations/index.ts), whose methods take any Params and parse
 * them against the action's own schema first.
 */
export interface RemediationAction<P extends Params = Params, Id extends string = string> extends ActionMeta<P, Id>, ActionRun<P> {}

/**
 * Polls until `check` says done, or the time is up: then fails with what was last seen. It
 * always looks at least once, also when resumed at or after its deadline. When this process's
 * budget ends before the deadline, it answers `pending` instead of failing.
 */
export async function pollUntil(
  check: () => Promise<{ done: boolean; ok: boolean; detail: string }>,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  const deadline = opts.deadline ?? Date.now() + opts.timeoutMs;
  const stopAt = opts.budgetMs === undefined ? deadline : Math.min(deadline, Date.now() + opts.budgetMs);
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
    if (Date.now() + opts.intervalMs > stopAt) return { ok: false, pending: true, detail: last };
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}
