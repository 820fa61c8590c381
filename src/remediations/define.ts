// One remediation is one unit, typed by its params schema from end to end:
//
//   <id>.meta.ts  defineActionMeta({ id, params, dangerous, label, doing, plan, iamActions, cli })
//                 what it is; no AWS client, so the Slack function can carry it
//   <id>.ts       defineAction(meta, { execute, verify, reconcile? })
//                 how it runs; loaded on first use (./executors.ts)
//
// The registries (./metas.ts, ./index.ts) hold actions of different params side by side, so
// they see each one erased to `Params`. Erasing happens here and only here: every member of
// the erased view parses what it is given against the action's own schema, then calls the
// typed member. Nothing is cast.
import type { ActionMeta, ActionRun, CliUnit, Params, RemediationAction } from './types.js';

/** An action's metadata; `P` is inferred from `params` and types every other member. */
export function defineActionMeta<const Id extends string, P extends Params>(meta: ActionMeta<P, Id>): ActionMeta<P, Id> {
  return meta;
}

/** An action: its metadata and how it runs, with the same params type. */
export function defineAction<const Id extends string, P extends Params>(meta: ActionMeta<P, Id>, run: ActionRun<P>): RemediationAction<P, Id> {
  return { ...meta, ...run };
}

/** A remediation that is only guidance: commands for a person, never a button (./kms-guidance.ts). */
export function defineGuidance<const Id extends string, P extends Params>(unit: CliUnit<P, Id>): CliUnit<P, Id> {
  return unit;
}

/** Params from a finding, a button or the journal, checked against the action's schema (throws its ZodError). */
const parserOf =
  <P extends Params>(unit: CliUnit<P>) =>
  (raw: Params): P =>
    unit.params.parse(raw);

export function eraseCli<P extends Params, Id extends string>(unit: CliUnit<P, Id>): CliUnit<Params, Id> {
  const parse = parserOf(unit);
  return { id: unit.id, params: unit.params, cli: (p) => unit.cli(parse(p)) };
}

export function eraseMeta<P extends Params, Id extends string>(meta: ActionMeta<P, Id>): ActionMeta<Params, Id> {
  const parse = parserOf(meta);
  const { choice } = meta;
  return {
    ...eraseCli(meta),
    dangerous: meta.dangerous,
    iamActions: meta.iamActions,
    label: (p) => meta.label(parse(p)),
    doing: (p) => meta.doing(parse(p)),
    ...(choice ? { choice: (p: Params) => choice(parse(p)) } : {}),
    plan: (p) => meta.plan(parse(p)),
  };
}

export function eraseAction<P extends Params, Id extends string>(action: RemediationAction<P, Id>): RemediationAction<Params, Id> {
  const parse = parserOf(action);
  const { reconcile } = action;
  return {
    ...eraseMeta(action),
    execute: (aws, p) => action.execute(aws, parse(p)),
    verify: (aws, p, facts, opts) => action.verify(aws, parse(p), facts, opts),
    ...(reconcile ? { reconcile: (aws: Parameters<typeof reconcile>[0], p: Params, facts: Record<string, string>) => reconcile(aws, parse(p), facts) } : {}),
  };
}
