// Runs a playbook's named checks: each with a timeout, each failure turned into a check
// status (reason + IAM action) instead of an exception, progress reported as checks move.
import { currentCheck, inCheck } from '../aws/abort.js';
import { AwsCallError } from '../aws/errors.js';
import type { CheckResult } from '../findings.js';

export interface CheckSpec {
  id: string;
  title: string;
  /** the IAM actions its AWS calls need (the README's tables and the worker's policy) */
  iam?: readonly string[];
}

export type CheckState = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

export interface CheckProgress {
  id: string;
  title: string;
  state: CheckState;
  reason?: string;
  iamAction?: string;
}

export type ProgressListener = (checks: readonly CheckProgress[]) => void;

/** A check's result: its value, or nothing because it failed or was skipped (already recorded). */
export type Outcome<T> = { ok: true; value: T } | { ok: false };

export class Skip {
  constructor(readonly reason: string) {}
}

export interface InvestigationOptions {
  timeoutMs: number;
  onProgress?: ProgressListener;
  /** called with errors that are not AWS errors: bugs, to be logged */
  onInternalError?: (checkId: string, err: unknown) => void;
}

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${Math.round(ms / 100) / 10} s`);
  }
}

/** Runs the checks `specs` declares; `Id` is their ids, so an undeclared id does not compile. */
export class Investigation<Id extends string = string> {
  private readonly checks = new Map<string, CheckProgress>();

  constructor(
    specs: readonly { readonly id: Id; readonly title: string; readonly iam?: readonly string[] }[],
    private readonly opts: InvestigationOptions,
  ) {
    for (const s of specs) this.checks.set(s.id, { id: s.id, title: s.title, state: 'pending' });
  }

  async run<T>(id: Id, fn: (signal: AbortSignal) => Promise<T | Skip>): Promise<Outcome<T>> {
    const check = this.checks.get(id);
    if (!check) throw new Error(`undeclared check ${id}`);
    this.update(check, { state: 'running' });
    const controller = new AbortController();
    // A nested playbook's check (deploy-failed runs decrypt-denied inside one of its own)
    // stops when the outer check does.
    const parent = currentCheck();
    const abortWithParent = () => controller.abort();
    if (parent?.signal.aborted) controller.abort();
    else parent?.signal.addEventListener('abort', abortWithParent, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new CheckTimeout(this.opts.timeoutMs));
      }, this.opts.timeoutMs);
    });
    try {
      // Every AWS call made for the check, however deep, honours its signal (aws/abort.ts).
      const work = inCheck(parent ? `${parent.check}/${id}` : id, controller.signal, () => fn(controller.signal));
      const value = await Promise.race([work, timeout]);
      if (value instanceof Skip) {
        this.update(check, { state: 'skipped', reason: value.reason });
        return { ok: false };
      }
      this.update(check, { state: 'ok' });
      return { ok: true, value };
    } catch (err) {
      // A failed check's calls still in flight (siblings of the one that failed) stop too.
      controller.abort();
      this.update(check, failure(err));
      if (!(err instanceof AwsCallError) && !(err instanceof CheckTimeout)) this.opts.onInternalError?.(id, err);
      return { ok: false };
    } finally {
      clearTimeout(timer);
      parent?.signal.removeEventListener('abort', abortWithParent);
    }
  }

  skip(id: Id, reason: string): Outcome<never> {
    const check = this.checks.get(id);
    if (!check) throw new Error(`undeclared check ${id}`);
    this.update(check, { state: 'skipped', reason });
    return { ok: false };
  }

  state(id: Id): CheckState | undefined {
    return this.checks.get(id)?.state;
  }

  /** The final statuses; any check never reached is reported as skipped. */
  results(): CheckResult[] {
    return [...this.checks.values()].map((c) => ({
      id: c.id,
      title: c.title,
      status: c.state === 'ok' ? 'ok' : c.state === 'failed' ? 'failed' : 'skipped',
      ...(c.reason ? { reason: c.reason } : c.state === 'pending' ? { reason: 'not needed for this target' } : {}),
      ...(c.iamAction ? { iamAction: c.iamAction } : {}),
    }));
  }

  private update(check: CheckProgress, patch: Partial<CheckProgress>): void {
    Object.assign(check, patch);
    this.opts.onProgress?.([...this.checks.values()].map((c) => ({ ...c })));
  }
}

function failure(err: unknown): Partial<CheckProgress> {
  if (err instanceof AwsCallError)
    return { state: 'failed', reason: err.message, iamAction: err.iamAction };
  if (err instanceof CheckTimeout) return { state: 'failed', reason: err.message };
  return { state: 'failed', reason: `internal error: ${err instanceof Error ? err.message : String(err)}` };
}
