// Facts read off decrypt-denied's evidence that gather, several rules and the verdict share:
// which denials and SSM parameters the target is about, a key's facts and label, CDK's
// bootstrap roles, and whether everything came out clear.
import { SSM_DEFAULT_KEY, type ParameterInfo } from '../../aws/ssm-parameters.js';
import type { Finding, RemediationRef } from '../../findings.js';
import { ssmParameterOf, type Denial } from './denials.js';
import type { DecryptDeniedEvidence, KeyFacts } from './evidence.js';

export const CDK_TOOLKIT = 'CDKToolkit';
export const DEFAULT_QUALIFIER = 'hnb659fds';
/** FileAssetsBucketKmsKeyId values that mean "not a key you made" (incident 001 §1) */
export const BOOTSTRAP_DEFAULT_KEYS = new Set(['', 'AWS_MANAGED_KEY']);

export const isAwsManagedAlias = (ref: string) => /^alias\/aws\//.test(ref) || /:alias\/aws\//.test(ref);
export const roleNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
export const cdkRoleNames = (qualifier: string) => new RegExp(`^cdk-${qualifier}-`);

export const showCli: RemediationRef = { id: 'show-cli', label: 'Show CLI commands', params: {} };

/** A key's facts by any ref that resolved to it: ARN, key id, alias. */
export function keyFacts(e: Pick<DecryptDeniedEvidence, 'keys'>, ref: string): KeyFacts | undefined {
  return e.keys.get(ref) ?? [...e.keys.values()].find((k) => k.info && (k.info.id === ref || k.info.arn === ref || k.aliases.includes(ref)));
}

/** "alias/app-secrets (9a8b…)", or the key id alone. */
export const keyLabel = (e: Pick<DecryptDeniedEvidence, 'keys'>, ref: string | undefined): string => {
  if (!ref) return 'an unidentified key';
  const k = keyFacts(e, ref);
  const alias = k?.aliases.find((a) => !a.startsWith('alias/aws/')) ?? k?.aliases[0];
  const id = k?.info?.id ?? ref.slice(ref.lastIndexOf('/') + 1);
  return alias ? `${alias} (${id})` : id;
};

/** Is a denial's key one of these refs (ARN or bare key id)? */
export const onKey = (d: Pick<Denial, 'keyArn'>, ids: ReadonlySet<string | undefined>): boolean =>
  !!d.keyArn && (ids.has(d.keyArn) || ids.has(d.keyArn.slice(d.keyArn.lastIndexOf('/') + 1)));

/** The denials this target is about (all of them without a narrower target). */
export function relevantDenials(e: DecryptDeniedEvidence): Denial[] {
  const inWindow = e.denials.filter((d) => d.time >= e.since && d.time <= e.now);
  const t = e.target;
  if (t.kind === 'key') {
    const facts = keyFacts(e, t.ref);
    const ids = new Set([t.ref, facts?.info?.arn, facts?.info?.id].filter((x): x is string => !!x));
    return inWindow.filter((d) => onKey(d, ids));
  }
  if (t.kind === 'principal') return inWindow.filter((d) => d.principalArn === t.arn || roleNameOf(d.principalArn) === t.name);
  if (e.stack) {
    // The stack's own roles (CDK names them <stack>-…), and CDK's bootstrap roles, which every
    // deploy to this environment uses (earlier attempts included).
    const qualifier = e.toolkit?.parameters.Qualifier || DEFAULT_QUALIFIER;
    return inWindow.filter((d) => {
      const role = roleNameOf(d.principalArn);
      return d.source === 'CloudFormation' || role.startsWith(`${e.stack!.name}-`) || cdkRoleNames(qualifier).test(role);
    });
  }
  if (e.stackMissing) return inWindow.filter((d) => roleNameOf(d.principalArn) === t.name);
  return inWindow;
}

/** SSM parameters on customer keys that matter here. */
export function relevantParameters(e: DecryptDeniedEvidence): ParameterInfo[] {
  const onCustomer = (e.parameters ?? []).filter((p) => p.type === 'SecureString' && p.keyId && p.keyId !== SSM_DEFAULT_KEY && !isAwsManagedAlias(p.keyId));
  const t = e.target;
  if (t.kind === 'key') return onCustomer;
  if (e.stack) {
    const named = new Set((e.stackEvents ?? []).map(ssmParameterOf).filter((x): x is string => !!x));
    for (const v of Object.values(e.stack.parameters)) if (v.startsWith('/')) named.add(v);
    return onCustomer.filter((p) => named.has(p.name));
  }
  return onCustomer;
}

/** CDK's bootstrap roles for a qualifier, account and Region (modern bootstrap template). */
export function cdkRoles(qualifier: string, accountId: string, region: string): Array<{ name: string; arn: string; needs: string }> {
  return [
    { kind: 'cfn-exec-role', needs: 'kms:Decrypt (CloudFormation reads templates and assets)' },
    { kind: 'deploy-role', needs: 'kms:Decrypt (cdk deploy reads the uploaded template)' },
    { kind: 'file-publishing-role', needs: 'kms:GenerateDataKey and kms:Decrypt (asset upload)' },
  ].map((r) => {
    const name = `cdk-${qualifier}-${r.kind}-${accountId}-${region}`;
    return { name, arn: `arn:aws:iam::${accountId}:role/${name}`, needs: r.needs };
  });
}

/**
 * Nothing to report: every check ran, CloudTrail was read, and no finding so far is critical
 * or a warning. kms-access-healthy then says it (and no-kms-denials stays quiet).
 */
export const allClear = (e: DecryptDeniedEvidence, findings: readonly Finding[]): boolean =>
  e.trailRead && !e.checks.some((c) => c.status === 'failed') && !findings.some((f) => f.severity === 'critical' || f.severity === 'warning');
