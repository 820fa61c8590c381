// The one path every AWS write of whybot takes (buttons and the auto-redeploy policy), made to
// survive the process dying at any point:
//
//   intent journaled → nonce claimed → "writing" journaled → ONE attempt, with a timeout →
//   "written" journaled + audit → thread told → verify → audit → thread told → journal done
//
// A write is never retried blindly: when its outcome is lost (timeout, 5xx, a crash), the
// action's reconcile() asks AWS whether it happened before anything else is said or done.
// Whatever a dead process left in the journal, reconcileWrite() finishes in a live one.
//
// Nothing here knows Slack: how each step is told (the thread, the button's state) is the
// caller's WriteReporter (src/slack/write-report.ts), so alerts/ and slack/ both use this
// module from below.
import type { AwsClients } from '../aws/clients.js';
import { AwsCallError } from '../aws/errors.js';
import type { Config } from '../config.js';
import { remediations } from '../remediations/index.js';
import type { ActionSigner } from '../remediations/signed-value.js';
import type { ExecuteResult, Params, RemediationAction } from '../remediations/types.js';
import { audit } from '../store/audit.js';
import type { AuditRecord, Claim, JournalEntry, Store } from '../store/types.js';
import * as z from 'zod';
import { failpoint } from './failpoints.js';

/** What is journaled before the write: enough for another process to finish it. */
export const WriteIntentSchema = z.object({
  actionId: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  nonce: z.string(),
  claimTtlSeconds: z.number(),
  actor: z.string(),
  thread: z.object({ channel: z.string(), ts: z.string() }),
  /** the WHYBOT_ACCOUNTS alias to run in, with its write role (absent: whybot's own account) */
  account: z.string().optional(),
  retry: z.object({ a: z.string(), p: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), ac: z.string().optional() }).optional(),
  /** the button's message and value, so its state can be shown */
  button: z.object({ channel: z.string(), messageTs: z.string(), value: z.string() }).optional(),
});
export type WriteIntent = z.infer<typeof WriteIntentSchema>;

export interface ExecutionRequest extends Omit<WriteIntent, 'actionId'> {
  action: RemediationAction;
  params: Params;
  /** told to whoever asked when the nonce is already claimed (undefined: claimed, record not found) */
  refuse?: (existing: Claim | undefined) => Promise<unknown>;
  /** the journaled job this write belongs to: from now on the write's own entry carries it */
  jobId?: string;
}

/** The write as the people following it see it. */
export interface WriteInView {
  intent: WriteIntent;
  action: RemediationAction;
  params: Params;
  /** action.label(params) */
  label: string;
}

/** A step of the write that is told (in its thread) and shown (in place of its button). */
export type WriteStep =
  /** claimed; the write is about to start */
  | { kind: 'running' }
  /** the write failed and did not happen (retryValue: a signed value for a Retry button) */
  | { kind: 'failed'; reason: string; iamAction?: string; retryValue?: string }
  /** the write's outcome is unknown, and AWS cannot tell; `check` is what to look at */
  | { kind: 'unknown'; reason: string; check: string }
  /** the write happened (note: how it was found out, if not by the write's own answer) */
  | { kind: 'ran'; done: string; note: string }
  | { kind: 'verified'; ok: boolean; detail: string }
  /** stopped before the write: nothing was changed */
  | { kind: 'interrupted'; reason: string; retryValue?: string };

/** Tells one step of a write, in the order the steps come; the write waits for it. */
export type WriteReporter = (write: WriteInView, step: WriteStep) => Promise<void>;

/**
 * Where a verification that outlasts this process's budget continues (Lambda: a delayed SQS
 * message, src/lambda/verify-queue.ts), so that no process sits waiting for it. The journal
 * entry stays "verifying" meanwhile, owned by `scheduledOwner(attempt)`.
 */
export interface VerifyScheduler {
  /** how long one process polls before handing the rest over (0: one look) */
  budgetMs: number;
  /** resumes the write's verification (journal id `writeId`) after about delayMs, durably */
  schedule(req: { writeId: string; attempt: number; delayMs: number }): Promise<void>;
}

/** The journal owner of a verification scheduled to resume: no process, so the reconciler looks at `verifyResumeAt`. */
export const scheduledOwner = (attempt: number) => `verify-scheduled:${attempt}`;

export interface ExecutionDeps {
  store: Store;
  /** how each step is told (Slack: slackWriteReporter in src/slack/write-report.ts) */
  reportWrite: WriteReporter;
  /** clients for reads (verification, reconciliation) */
  awsFor: (region: string, account?: string) => AwsClients;
  /** clients for the write itself: one attempt, a timeout (default: awsFor) */
  writerFor?: (region: string, account?: string) => AwsClients;
  config: Config;
  signer?: ActionSigner;
  /** this process, as the journal's owner */
  owner: string;
  /** aborted at shutdown: a verification then stops and is left to the reconciler */
  signal?: AbortSignal;
  /** absent (a long-lived process): the verification polls here until it is decided */
  verifyLater?: VerifyScheduler;
}

/** 'scheduled': written and reported; its verification continues later (ExecutionDeps.verifyLater) */
export type ExecutionOutcome = 'ran' | 'failed' | 'duplicate' | 'interrupted' | 'scheduled';

export const writeId = (nonce: string) => `write:${nonce}`;

interface Context extends WriteInView {
  deps: ExecutionDeps;
  auditBase: Omit<AuditRecord, 'id' | 'at' | 'outcome'>;
  report: (step: WriteStep) => Promise<void>;
  journal: (patch: Parameters<Store['journalUpdate']>[1]) => Promise<unknown>;
}

function context(deps: ExecutionDeps, intent: WriteIntent, action: RemediationAction): Context {
  const params = action.params.parse(intent.params);
  const label = action.label(params);
  const view: WriteInView = { intent, action, params, label };
  return {
    ...view,
    deps,
    auditBase: {
      actor: intent.actor,
      action: action.id,
      params,
      nonce: intent.nonce,
      channel: intent.thread.channel,
      threadTs: intent.thread.ts,
      ...(intent.account ? { account: intent.account } : {}),
      ...(params.region !== undefined || deps.config.region ? { region: String(params.region ?? deps.config.region) } : {}),
    },
    report: (step) => deps.reportWrite(view, step),
    journal: (patch) => deps.store.journalUpdate(writeId(intent.nonce), patch),
  };
}

/** Timeouts, 5xx and dropped connections leave a write's outcome unknown; a 4xx does not. */
function ambiguous(err: unknown): boolean {
  if (err instanceof AwsCallError) return err.kind === 'timeout' || err.kind === 'server' || err.kind === 'network';
  return true;
}

/** Claim → execute → audit → tell the thread → verify → audit → tell the thread. */
export async function executeOnce(req: ExecutionRequest, deps: ExecutionDeps): Promise<ExecutionOutcome> {
  const { store } = deps;
  const intent: WriteIntent = WriteIntentSchema.parse({
    actionId: req.action.id,
    params: req.params,
    nonce: req.nonce,
    claimTtlSeconds: req.claimTtlSeconds,
    actor: req.actor,
    thread: req.thread,
    ...(req.account ? { account: req.account } : {}),
    ...(req.retry ? { retry: req.retry } : {}),
    ...(req.button ? { button: req.button } : {}),
  });
  const ctx = context(deps, intent, req.action);
  const now = new Date().toISOString();
  // The intent first, once per nonce: a crash from here on leaves something for a live process
  // to finish, and a second confirmation of the same button finds it.
  const first = await store.journalCreate({ id: writeId(intent.nonce), kind: 'write', body: intent, state: 'open', stage: 'intended', facts: {}, owner: deps.owner, createdAt: now, updatedAt: now });
  if (req.jobId) await store.journalUpdate(req.jobId, { facts: { write: writeId(intent.nonce) } });
  failpoint('write:intended');
  const claim = first ? await store.claimOnce({ nonce: intent.nonce, actor: intent.actor, action: req.action.id, ttlSeconds: intent.claimTtlSeconds }) : undefined;
  if (!claim?.won) {
    const existing = claim && !claim.won ? claim.existing : await store.getClaim(intent.nonce);
    await audit(store, { ...ctx.auditBase, outcome: 'duplicate', result: existing ? `already claimed by ${existing.actor}` : 'already being run' });
    if (first) await ctx.journal({ state: 'done', stage: 'duplicate' });
    await req.refuse?.(existing);
    return 'duplicate';
  }
  failpoint('write:claimed');
  await ctx.report({ kind: 'running' });
  const writeStartedAt = new Date().toISOString();
  await ctx.journal({ stage: 'writing', facts: { writeStartedAt } });

  const region = String(ctx.params.region ?? deps.config.region ?? '');
  const writer = (deps.writerFor ?? deps.awsFor)(region, intent.account);
  let result: ExecuteResult;
  try {
    result = await req.action.execute(writer, ctx.params);
  } catch (err) {
    if (!ambiguous(err)) return failed(ctx, err, writeStartedAt);
    // Did it happen? Ask AWS before saying anything, and never retry blindly.
    const found = await lookFor(ctx, { writeStartedAt });
    if (found.happened === 'happened') result = found.result;
    else if (found.happened === 'not-happened') return failed(ctx, err, writeStartedAt);
    else return unknownOutcome(ctx, err instanceof Error ? err.message : String(err));
  } finally {
    writer.destroy();
  }
  failpoint('write:done-unrecorded');
  return afterWrite(ctx, result, writeStartedAt);
}

async function lookFor(ctx: Context, facts: Record<string, string>): Promise<{ happened: 'happened'; result: ExecuteResult } | { happened: 'not-happened' | 'unknown' }> {
  const aws = ctx.deps.awsFor(String(ctx.params.region ?? ctx.deps.config.region ?? ''), ctx.intent.account);
  try {
    const r = await ctx.action.reconcile?.(aws, ctx.params, facts);
    if (!r) return { happened: 'unknown' };
    if (r.happened === 'happened') return { happened: 'happened', result: { done: r.done ?? 'ran', ...(r.facts ? { facts: r.facts } : {}) } };
    return { happened: r.happened };
  } catch {
    return { happened: 'unknown' };
  } finally {
    aws.destroy();
  }
}

async function failed(ctx: Context, err: unknown, startedAt: string): Promise<ExecutionOutcome> {
  const { store, config, signer } = ctx.deps;
  const e = err instanceof AwsCallError ? err : undefined;
  const reason = e?.message ?? (err instanceof Error ? err.message : String(err));
  await store.finishClaim(ctx.intent.nonce, 'failed', reason);
  await audit(store, { ...ctx.auditBase, outcome: 'failed', startedAt, finishedAt: new Date().toISOString(), result: reason, ...(e?.requestId ? { awsRequestId: e.requestId } : {}) });
  const retryValue = ctx.intent.retry && signer?.sign({ ...ctx.intent.retry, c: ctx.intent.thread.channel, t: ctx.intent.thread.ts, ttlSeconds: config.buttonTtlSeconds });
  await ctx.report({ kind: 'failed', reason, ...(e ? { iamAction: e.iamAction } : {}), ...(retryValue ? { retryValue } : {}) });
  await ctx.journal({ state: 'done', stage: 'failed' });
  return 'failed';
}

/** The write may or may not have happened and AWS cannot tell: say so, and what to check. */
async function unknownOutcome(ctx: Context, why: string): Promise<ExecutionOutcome> {
  const { store } = ctx.deps;
  const reason = `${why}; whybot cannot tell whether it took effect`;
  await store.finishClaim(ctx.intent.nonce, 'failed', reason);
  await audit(store, { ...ctx.auditBase, outcome: 'interrupted', result: reason });
  await ctx.report({ kind: 'unknown', reason, check: ctx.action.plan(ctx.params).verification });
  await ctx.journal({ state: 'done', stage: 'unknown' });
  return 'interrupted';
}

async function afterWrite(ctx: Context, result: ExecuteResult, startedAt: string, note = ''): Promise<ExecutionOutcome> {
  const { store } = ctx.deps;
  const facts = result.facts ?? {};
  await ctx.journal({ stage: 'written', facts: { ...facts, done: result.done } });
  await store.finishClaim(ctx.intent.nonce, 'done', result.done);
  await audit(store, { ...ctx.auditBase, outcome: 'ran', startedAt, finishedAt: new Date().toISOString(), result: `${result.done}${note}`, ...(result.awsRequestId ? { awsRequestId: result.awsRequestId } : {}) });
  await ctx.report({ kind: 'ran', done: result.done, note });
  return verifyAndFinish(ctx, facts);
}

async function verifyAndFinish(ctx: Context, facts: Record<string, string>): Promise<ExecutionOutcome> {
  const { store, config, signal, verifyLater } = ctx.deps;
  // The deadline is the first start's: a resumed verification (a scheduled re-check, the
  // reconciler after a crash) continues it rather than starting the time again.
  const started = Date.parse(facts.verifyDeadline ?? '');
  const deadline = Number.isNaN(started) ? Date.now() + config.verifyTimeoutMs : started;
  await ctx.journal({ stage: 'verifying', ...(Number.isNaN(started) ? { facts: { verifyDeadline: new Date(deadline).toISOString() } } : {}) });
  failpoint('write:verifying');
  const aws = ctx.deps.awsFor(String(ctx.params.region ?? config.region ?? ''), ctx.intent.account);
  try {
    const verdict = await ctx.action.verify(aws, ctx.params, facts, {
      timeoutMs: config.verifyTimeoutMs,
      intervalMs: config.verifyIntervalMs,
      deadline,
      ...(verifyLater ? { budgetMs: verifyLater.budgetMs } : {}),
      ...(signal ? { signal } : {}),
    });
    // Stopped by a shutdown: the journal still says "verifying"; whoever reconciles resumes it.
    if (signal?.aborted) return 'interrupted';
    if (verdict.pending && verifyLater) {
      if (await scheduleVerify(ctx, verifyLater, facts, deadline)) return 'scheduled';
      // Could not be scheduled: this process verifies to the end, as one without a scheduler does.
      return await verifyAndFinish({ ...ctx, deps: { ...ctx.deps, verifyLater: undefined } }, { ...facts, verifyDeadline: new Date(deadline).toISOString() });
    }
    await audit(store, { ...ctx.auditBase, outcome: verdict.ok ? 'verified' : 'verify-failed', result: verdict.detail });
    await ctx.report({ kind: 'verified', ok: verdict.ok, detail: verdict.detail });
    await ctx.journal({ state: 'done', stage: verdict.ok ? 'verified' : 'verify-failed' });
    return 'ran';
  } finally {
    aws.destroy();
  }
}

/**
 * Not decided within this process's budget: the next look is scheduled, and the entry handed to
 * it (its owner names the attempt, so a stale or repeated delivery is told apart, and the
 * reconciler leaves it alone until `verifyResumeAt` is long past).
 */
async function scheduleVerify(ctx: Context, later: VerifyScheduler, facts: Record<string, string>, deadline: number): Promise<boolean> {
  const attempt = (Number(facts.verifyAttempt) || 0) + 1;
  const delayMs = Math.max(0, Math.min(ctx.deps.config.verifyIntervalMs, deadline - Date.now()));
  const id = writeId(ctx.intent.nonce);
  // journaled first: a message delivered before this is written would find the old attempt
  await ctx.journal({ owner: scheduledOwner(attempt), facts: { verifyAttempt: String(attempt), verifyResumeAt: new Date(Date.now() + delayMs).toISOString() } });
  try {
    await later.schedule({ writeId: id, attempt, delayMs });
    return true;
  } catch {
    // Not scheduled (the queue refused, a network fault): the entry is this process's again.
    await ctx.journal({ owner: ctx.deps.owner, facts: { verifyResumeAt: '' } });
    return false;
  }
}

/** Finishes a write that a dead process left in the journal, from the stage it reached. */
export async function reconcileWrite(entry: JournalEntry, deps: ExecutionDeps): Promise<ExecutionOutcome> {
  const intent = WriteIntentSchema.parse(entry.body);
  const action = remediations[intent.actionId];
  if (!action) throw new Error(`journal entry ${entry.id}: no action ${intent.actionId} here`);
  const ctx = context(deps, intent, action);
  const facts = entry.facts;
  switch (entry.stage) {
    case 'written':
    case 'verifying':
      return verifyAndFinish(ctx, facts);
    case 'writing': {
      const found = await lookFor(ctx, facts);
      if (found.happened === 'happened') return afterWrite(ctx, found.result, facts.writeStartedAt ?? entry.updatedAt, ' (confirmed after whybot restarted)');
      if (found.happened === 'unknown') return unknownOutcome(ctx, 'whybot stopped during the write');
      return interruptedBeforeWrite(ctx);
    }
    default:
      return interruptedBeforeWrite(ctx);
  }
}

/** Nothing was changed: the nonce is spent, so a Retry button with a fresh one runs it again. */
async function interruptedBeforeWrite(ctx: Context): Promise<ExecutionOutcome> {
  const { store, signer, config } = ctx.deps;
  const reason = 'whybot stopped before the write; nothing was changed';
  const claim = await store.claimOnce({ nonce: ctx.intent.nonce, actor: ctx.intent.actor, action: ctx.action.id, ttlSeconds: ctx.intent.claimTtlSeconds });
  if (claim.won || claim.existing.state === 'running') await store.finishClaim(ctx.intent.nonce, 'failed', reason);
  await audit(store, { ...ctx.auditBase, outcome: 'interrupted', result: reason });
  const retryValue = ctx.intent.retry && signer?.sign({ ...ctx.intent.retry, c: ctx.intent.thread.channel, t: ctx.intent.thread.ts, ttlSeconds: config.buttonTtlSeconds });
  await ctx.report({ kind: 'interrupted', reason, ...(retryValue ? { retryValue } : {}) });
  await ctx.journal({ state: 'done', stage: 'interrupted' });
  return 'interrupted';
}
