// The "Show CLI commands" remediation and the terminal's "Fix by hand": the exact `aws`
// commands a person would run to fix a finding by hand. Each action (and each guidance-only
// remediation) renders its own, from params validated against its schema.
import type { RemediationRef } from '../findings.js';
import { eraseCli } from './define.js';
import { cdkRebootstrap, ssmRecreateParameter } from './kms-guidance.js';
import { actionMetas } from './metas.js';
import { naclAllowHttps, rotationFunctionRecreate } from './rotation-guidance.js';
import type { CliUnit, Params } from './types.js';

export { shellQuote } from './shell.js';

/** Every action, and the guidance-only remediations (commands for a person, never a button). */
const cliUnits: Record<string, CliUnit<Params>> = Object.fromEntries(
  [...Object.values(actionMetas), eraseCli(cdkRebootstrap), eraseCli(ssmRecreateParameter), eraseCli(rotationFunctionRecreate), eraseCli(naclAllowHttps)].map((u) => [u.id, u]),
);

/** Every remediation id a finding may carry besides show-cli: the actions and the guidance-only ones. */
export const remediationIds: readonly string[] = Object.keys(cliUnits);

/** The commands for one remediation; none for an id without any (show-cli). Throws on params its schema refuses. */
export function cliCommands(ref: Pick<RemediationRef, 'id' | 'params'>): string[] {
  const unit = Object.hasOwn(cliUnits, ref.id) ? cliUnits[ref.id] : undefined;
  return unit ? unit.cli(ref.params) : [];
}

/** Every command for a finding's remediations, in order, with a comment per action. */
export function cliScript(refs: Array<Pick<RemediationRef, 'id' | 'label' | 'params'>>): string {
  return refs
    .map((r) => ({ r, cmds: cliCommands(r) }))
    .filter((x) => x.cmds.length > 0)
    .map((x) => [`# ${x.r.label}`, ...x.cmds].join('\n'))
    .join('\n\n');
}
