// Every AWS call honours the abort signal of the check it runs for. A check that times out
// (engine/investigation.ts) aborts its signal; the calls it still has in flight are cut
// (the socket is destroyed, the SDK's retry backoff stops) and any call it makes afterwards,
// a paginator's next page included, fails at once with an AbortError instead of reaching AWS.
//
// The signal travels in an AsyncLocalStorage set by Investigation.run, so no adapter has to
// thread it by hand and a new one cannot forget to. Clients are shared by concurrent checks,
// so the signal is read per call, never stored on the client.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CheckContext {
  /** the check's id; a nested playbook's checks are "outer/inner" (e.g. "decrypt-denied/keys") */
  check: string;
  signal: AbortSignal;
}

const current = new AsyncLocalStorage<CheckContext>();

/** Runs `fn` (and everything it starts) as part of the check `check`, aborted by `signal`. */
export function inCheck<T>(check: string, signal: AbortSignal, fn: () => T): T {
  return current.run({ check, signal }, fn);
}

/** The check the caller runs for, if any. */
export function currentCheck(): CheckContext | undefined {
  return current.getStore();
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted: the check it ran for timed out'), { name: 'AbortError' });
}

type SendOptions = { abortSignal?: AbortSignal } & Record<string, unknown>;
type Send = (command: unknown, optionsOrCb?: unknown, cb?: unknown) => unknown;

const wrapped = new WeakSet<object>();

/** The signal a call must honour: its own and its check's, whichever aborts first. */
function signalFor(own: AbortSignal | undefined, check: AbortSignal): AbortSignal {
  if (!own || own === check) return check;
  return typeof AbortSignal.any === 'function' ? AbortSignal.any([own, check]) : own;
}

/**
 * Makes `client.send` (which the SDK's paginators call too) pass the current check's signal
 * as `abortSignal`. Idempotent: a client is wrapped once, whoever asks first.
 */
export function withAbort<C extends object>(client: C): C {
  if (wrapped.has(client)) return client;
  const target = client as unknown as { send: Send };
  const send = target.send.bind(client) as Send;
  target.send = (command, optionsOrCb, cb) => {
    const ctx = current.getStore();
    if (!ctx || typeof optionsOrCb === 'function') return send(command, optionsOrCb, cb);
    const options = (optionsOrCb ?? {}) as SendOptions;
    const abortSignal = signalFor(options.abortSignal, ctx.signal);
    // Aborted already (a timed-out check still running): not even queued behind the limiters.
    if (abortSignal.aborted) return Promise.reject(abortError());
    return send(command, { ...options, abortSignal }, cb);
  };
  wrapped.add(client);
  return client;
}
