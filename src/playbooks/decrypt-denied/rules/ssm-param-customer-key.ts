// Incident 001 §2: SSM SecureString parameters on a customer managed key that a reader (the
// Aurora custom resource's role) may not use.
import type { ParameterInfo } from '../../../aws/ssm-parameters.js';
import { code, para, rich, strong, type Span } from '../../../markup.js';
import { ssmParameterOf } from '../denials.js';
import { rule } from '../evidence.js';
import { keyFacts, keyLabel, onKey, relevantParameters, roleNameOf, showCli } from '../facts.js';

const codes = (names: readonly string[]): Span[] => names.flatMap((n, i) => (i ? [', ', code(n)] : [code(n)]));

export default rule({
  id: 'ssm-param-customer-key',
  severity: 'info',
  summary: 'SSM SecureString parameters on a customer managed key (critical when a reader was denied or a deploy failed on them; incident 001 §2)',
  needs: ['ssm-parameters'],
  // buttons only: its ssm-recreate-parameter steps are guidance (src/remediations/kms-guidance.ts), shown by show-cli, never a button
  remediations: ['show-cli'],
  apply(e) {
    const params = relevantParameters(e);
    if (params.length === 0) return undefined;
    const t = e.target;
    const byKey = new Map<string, ParameterInfo[]>();
    for (const p of params) {
      const k = keyFacts(e, p.keyId!);
      if (k?.info?.manager === 'AWS') continue;
      const arn = k?.info?.arn ?? p.keyId!;
      if (t.kind === 'key' && keyFacts(e, t.ref) !== k) continue;
      byKey.set(arn, [...(byKey.get(arn) ?? []), p]);
    }
    return [...byKey].flatMap(([keyArn, ps]) => {
      const k = keyFacts(e, keyArn);
      const ids = new Set([keyArn, k?.info?.id].filter(Boolean));
      const denials = e.denials.filter(
        (d) => onKey(d, ids) && (d.viaService?.startsWith('ssm.') || ps.some((p) => d.context?.endsWith(`parameter${p.name}`) || d.context === p.name)),
      );
      const failedEvents = (e.stackEvents ?? []).filter((ev) => /_FAILED$/.test(ev.status) && ps.some((p) => ssmParameterOf(ev) === p.name));
      if (t.kind === 'principal' && !denials.some((d) => d.principalArn === t.arn || roleNameOf(d.principalArn) === t.name)) return [];
      const failing = denials.length > 0 || failedEvents.length > 0;
      const readers = [...new Set(denials.map((d) => roleNameOf(d.principalArn)))];
      const custom = failedEvents.find((ev) => ev.type.startsWith('Custom::'));
      const names = ps.map((p) => p.name);
      const one = names.length === 1;
      return {
        data: { key: keyArn, keyLabel: keyLabel(e, keyArn), parameters: names, readers, failing, customResource: custom?.logicalId, denials: denials.length },
        severity: failing ? ('critical' as const) : ('info' as const),
        title: failing
          ? `${custom ? `Custom resource ${custom.logicalId}` : readers.join(', ') || 'A reader'} cannot decrypt SSM parameter${one ? '' : 's'} ${names.join(', ')} (customer managed key ${keyLabel(e, keyArn)})`
          : `${names.length} SSM SecureString parameter${one ? ' is' : 's are'} encrypted with customer managed key ${keyLabel(e, keyArn)}`,
        detail: rich(
          para(
            // not "<name> is encrypted": a name ending in "password" followed by " is " reads as a password to the redaction layer
            `SSM parameter${one ? '' : 's'} `,
            ...codes(names),
            ` ${one ? 'uses' : 'use'} customer managed key ${keyLabel(e, keyArn)}, not the AWS managed `,
            code('alias/aws/ssm'),
            ': whoever reads them with decryption (a CDK custom resource, a Lambda, an ECS task) needs kms:Decrypt on that key, in the key policy or — if it delegates to IAM — in its own policy. ',
            ...(failing ? (custom ? [code(custom.logicalId), ` (${custom.type}) failed: ${(custom.reason ?? '').slice(0, 300)}`] : [`Denied: ${readers.join(', ')}.`]) : []),
          ),
          para(
            strong('Lasting fix'),
            ' (incident 001 §2): re-create the parameter with the AWS managed key (',
            code('--key-id alias/aws/ssm'),
            '). A parameter’s key cannot be changed without writing its value again: read it (by someone allowed to decrypt), then put it back with the new key — or delete and re-create it. ',
            failing && 'Or, to unblock now, name the reader in the key policy (the grant on the denial finding).',
          ),
        ),
        evidence: [
          ...ps.map((p) => ({ source: 'SSM', ...(p.lastModified ? { time: p.lastModified.toISOString() } : {}), text: `${p.name}: SecureString, KeyId ${p.keyId}` })),
          ...(k?.info ? [{ source: 'KMS', text: `key ${k.info.arn}: KeyManager ${k.info.manager}` }] : []),
          ...failedEvents.map((ev) => ({ source: 'CloudFormation', time: ev.time.toISOString(), text: `${ev.logicalId} ${ev.status}: ${(ev.reason ?? '').slice(0, 200)}` })),
          ...denials.slice(-5).map((d) => ({ source: d.source, time: d.time.toISOString(), text: `${roleNameOf(d.principalArn)}: ${d.action} denied` })),
        ],
        remediations: [
          ...ps.map((p) => ({ id: 'ssm-recreate-parameter', label: `Re-create ${p.name} with alias/aws/ssm`.slice(0, 75), params: { name: p.name, region: e.input.region } })),
          showCli,
        ],
      };
    });
  },
});
