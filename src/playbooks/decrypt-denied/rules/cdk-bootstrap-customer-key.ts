// Incident 001 §1: the CDK bootstrap bucket pointed at a hand-made customer managed key whose
// policy names none of the CDK roles.
import { keyPolicyVerdict } from '../../../key-policy.js';
import { code, para, rich, strong } from '../../../markup.js';
import { KMS_FAILURE } from '../denials.js';
import { rule } from '../evidence.js';
import { BOOTSTRAP_DEFAULT_KEYS, CDK_TOOLKIT, cdkRoleNames, cdkRoles, DEFAULT_QUALIFIER, keyFacts, keyLabel, roleNameOf, showCli } from '../facts.js';

export default rule({
  id: 'cdk-bootstrap-customer-key',
  severity: 'warning',
  summary: 'The CDK bootstrap bucket is encrypted with a hand-made customer managed key (critical once a KMS call on it is denied; incident 001 §1)',
  needs: ['cdk-bootstrap'],
  // buttons only: its cdk-rebootstrap steps are guidance (src/remediations/kms-guidance.ts), shown by show-cli, never a button
  remediations: ['show-cli'],
  apply(e) {
    const tk = e.toolkit;
    const keyRef = tk?.parameters.FileAssetsBucketKmsKeyId;
    if (!tk || keyRef === undefined || BOOTSTRAP_DEFAULT_KEYS.has(keyRef)) return undefined;
    const k = keyFacts(e, keyRef);
    if (k?.info?.manager === 'AWS') return undefined;
    const t = e.target;
    const keyArn = k?.info?.arn;
    // Only where the target has to do with it: the key itself, a CDK role, a stack, or nothing narrower.
    const qualifier = tk.parameters.Qualifier || DEFAULT_QUALIFIER;
    if (t.kind === 'key' && !(keyFacts(e, t.ref) === k && k)) return undefined;
    if (t.kind === 'principal' && !cdkRoleNames(qualifier).test(t.name)) return undefined;
    if (t.kind === 'name' && e.stackMissing && !cdkRoleNames(qualifier).test(t.name)) return undefined;
    const accountId = e.accountId ?? /:(\d{12}):/.exec(tk.id)?.[1] ?? '';
    const roles = cdkRoles(qualifier, accountId, e.input.region);
    const verdictFor = (arn: string) => keyPolicyVerdict(k!.policy!, arn, 'kms:Decrypt', accountId).kind;
    const missing = k?.policy ? roles.filter((r) => verdictFor(r.arn) !== 'allows-principal') : undefined;
    const delegates = k?.policy ? roles.some((r) => verdictFor(r.arn) === 'delegates-to-iam') : false;
    const denied = e.denials.filter((d) => d.keyArn && keyArn && (d.keyArn === keyArn || d.keyArn.endsWith(`/${k?.info?.id}`)));
    const failedDeploy = !!e.stackEvents?.some((ev) => /_FAILED$/.test(ev.status) && KMS_FAILURE.test(ev.reason ?? ''));
    const policyLine = !k?.policy
      ? `Its key policy could not be read${e.checks.find((c) => c.id === 'key-policies')?.status === 'failed' ? ' (GetKeyPolicy was denied)' : ''}.`
      : missing && missing.length > 0
        ? `Its key policy does not name ${missing.map((r) => r.name).join(', ')}${delegates ? ' (it leaves them to IAM: their identity policies must then allow this key)' : ' and has no account-root statement, so IAM cannot grant it either'}.`
        : 'Its key policy names every CDK role.';
    return {
      data: {
        key: keyArn ?? keyRef,
        keyLabel: keyLabel(e, keyArn ?? keyRef),
        qualifier,
        /** CDK roles the key policy does not name (absent when it could not be read) */
        rolesNotNamed: missing?.map((r) => r.name),
        denials: denied.length,
        failedDeploy,
      },
      severity: denied.length > 0 || failedDeploy ? 'critical' : 'warning',
      title: `The CDK bootstrap bucket is encrypted with a hand-made key, ${keyLabel(e, keyArn ?? keyRef)}${denied.length ? `, and ${denied.length} KMS call${denied.length === 1 ? ' was' : 's were'} denied on it` : ''}`,
      detail: rich(
        para(
          'Stack ',
          code(CDK_TOOLKIT),
          ' has ',
          code(`FileAssetsBucketKmsKeyId = ${keyRef}`),
          ': every template and asset CDK uploads is encrypted with this customer managed key, ',
          `so CloudFormation’s execution role and the deploy role need kms:Decrypt on it and the file-publishing role kms:GenerateDataKey. ${policyLine}`,
        ),
        para(
          strong('Lasting fix'),
          ' (incident 001 §1): do not point the bootstrap bucket at a hand-made key. Re-bootstrap with the AWS managed S3 key — ',
          code('cdk bootstrap --bootstrap-kms-key-id AWS_MANAGED_KEY'),
          ' — or let CDK create and manage its own key (',
          code('--bootstrap-customer-key'),
          '), whose policy already names the CDK roles. Objects already uploaded keep their old key: re-run the deploy so the assets are uploaded again.',
        ),
      ),
      evidence: [
        { source: 'CloudFormation', text: `${CDK_TOOLKIT} (${tk.status}) parameter FileAssetsBucketKmsKeyId = ${keyRef}; Qualifier = ${qualifier}` },
        ...(k?.info ? [{ source: 'KMS', text: `key ${k.info.arn}: KeyManager ${k.info.manager}, ${k.info.state}${k.aliases.length ? `, aliases ${k.aliases.join(', ')}` : ''}` }] : []),
        ...(missing ?? []).map((r) => ({ source: 'KMS key policy', text: `${r.name} not named; needs ${r.needs}` })),
        ...denied.slice(-5).map((d) => ({ source: d.source, time: d.time.toISOString(), text: `${roleNameOf(d.principalArn)}: ${d.action} denied` })),
      ],
      remediations: [{ id: 'cdk-rebootstrap', label: 'Re-bootstrap with the AWS managed key', params: { region: e.input.region, accountId, qualifier } }, showCli],
    };
  },
});
