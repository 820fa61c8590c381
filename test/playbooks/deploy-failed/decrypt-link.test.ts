// deploy-failed hands a KMS denial to decrypt-denied through the playbook loader, and passes
// that playbook's fixes on: what it hands over, and that its list of those fixes keeps up.
import { describe, expect, it } from 'vitest';
import type { PlaybookResult } from '../../../src/findings.js';
import decryptDeniedMeta from '../../../src/playbooks/decrypt-denied/meta.js';
import { decryptRemediations, decryptTarget, loadDecryptDenied } from '../../../src/playbooks/deploy-failed/decrypt-link.js';
import deployRootCause from '../../../src/playbooks/deploy-failed/rules/deploy-root-cause.js';
import { decryptResult, KEY_ARN, ROLE_SESSION } from './evidence.js';

describe('deploy-failed → decrypt-denied', () => {
  it('hands over the key the failure names, else the role, else the stack', () => {
    expect(decryptTarget(decryptDeniedMeta, { action: 'kms:Decrypt', keyArn: KEY_ARN, principalArn: ROLE_SESSION }, 'MyAppStack')).toBe(KEY_ARN);
    expect(decryptTarget(decryptDeniedMeta, { action: 'kms:Decrypt', principalArn: ROLE_SESSION }, 'MyAppStack')).toBe(ROLE_SESSION);
    expect(decryptTarget(decryptDeniedMeta, { action: 'kms:Decrypt' }, 'MyAppStack')).toBe('MyAppStack');
    expect(decryptTarget({ target: { ...decryptDeniedMeta.target, pattern: /^never$/ } }, { keyArn: KEY_ARN }, 'MyAppStack')).toBeUndefined();
  });

  it('passes on decrypt-denied’s fixes for what it found, once each, without its show-cli', () => {
    const r: PlaybookResult = decryptResult();
    const twice = { ...r, findings: [...r.findings, ...r.findings, { ...r.findings[0]!, severity: 'info' as const, remediations: [{ id: 'cdk-rebootstrap', label: 'x', params: {} }] }] };
    expect(decryptRemediations(twice).map((x) => x.id)).toEqual(['kms-key-policy-grant']);
    expect(decryptRemediations(undefined)).toEqual([]);
  });

  it('loads decrypt-denied through the playbook loader', async () => {
    const playbook = await loadDecryptDenied();
    expect(playbook?.name).toBe('decrypt-denied');
  });

  it('deploy-root-cause declares every fix decrypt-denied’s rules may offer', async () => {
    // decrypt-denied's rules list their remediations once it is a folder (issue 13); until then its list is empty
    const playbook = (await loadDecryptDenied())!;
    const offered = new Set(playbook.rules.flatMap((r) => r.remediations));
    for (const id of offered) expect(deployRootCause.remediations).toContain(id);
  });
});
