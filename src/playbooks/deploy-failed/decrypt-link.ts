// deploy-failed's one link to decrypt-denied: a KMS denial as the first failure is handed to
// that playbook, loaded through the same lazy loader as every playbook (src/playbooks/index.ts),
// and its verdict, remediations, failed checks and timeline become part of deploy-failed's.
// deploy-failed imports nothing from decrypt-denied's module: only its PlaybookResult is read.
import type { PlaybookResult, RemediationRef } from '../../findings.js';
import { loadPlaybook } from '../index.js';
import type { Playbook } from '../types.js';
import type { KmsDenial } from './events.js';

/**
 * The buttons decrypt-denied's findings may offer, which deploy-root-cause passes on (its
 * `remediations`; test/playbooks/deploy-failed/decrypt-link.test.ts keeps it in step with
 * decrypt-denied's rules). Its guidance-only remediations (cdk-rebootstrap,
 * ssm-recreate-parameter: CLI commands, never a button) are passed on too, but are not
 * buttons, so not listed (test/registry.test.ts).
 */
export const DECRYPT_DENIED_REMEDIATIONS = ['kms-key-policy-grant'] as const;

/** The decrypt-denied playbook, loaded only when a KMS denial needs it; undefined when this whybot has none. */
export async function loadDecryptDenied(): Promise<Playbook | undefined> {
  try {
    return await loadPlaybook('decrypt-denied');
  } catch {
    return undefined;
  }
}

/** What to hand to decrypt-denied: the key if it names one it accepts, else the role, else the stack. */
export function decryptTarget(playbook: Pick<Playbook, 'target'>, kms: KmsDenial, stackName: string): string | undefined {
  const role = kms.principalArn?.match(/:(?:assumed-role|role)\/([^/]+)/)?.[1];
  const keyId = kms.keyArn?.split('/').pop();
  return [kms.keyArn, keyId, kms.principalArn, role, stackName].find((t): t is string => t !== undefined && playbook.target.pattern.test(t));
}

/** decrypt-denied's fixes for what it found (not its show-cli: the rule adds one at the end), once each. */
export function decryptRemediations(result: PlaybookResult | undefined): RemediationRef[] {
  const seen = new Set<string>();
  const out: RemediationRef[] = [];
  for (const f of result?.findings ?? []) {
    if (f.severity === 'ok' || f.severity === 'info') continue;
    for (const r of f.remediations) {
      if (r.id === 'show-cli') continue;
      const key = `${r.id}:${JSON.stringify(r.params)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}
