// The verdict from the rules' structured results: who is denied which key, and which of
// incident 001's customer-key traps is behind it; else the healthy line or the top finding.
import type { RuleResults, VerdictDraft } from '../define.js';
import type { DecryptDeniedEvidence } from './evidence.js';
import type { rules } from './rules/index.js';

const BOOTSTRAP_CAUSE = 'the CDK bootstrap bucket is on a hand-made customer key';
const SSM_CAUSE = 'an SSM SecureString the deploy reads is on a customer key';

export function verdict(_e: DecryptDeniedEvidence, results: RuleResults<typeof rules>): VerdictDraft {
  const denies = results.data('kms-key-policy-denies');
  const bootstrap = results.data('cdk-bootstrap-customer-key').filter((b) => b.denials > 0 || b.failedDeploy);
  const ssm = results.data('ssm-param-customer-key').filter((s) => s.failing);
  if (denies.length > 0 || bootstrap.length > 0 || ssm.length > 0) {
    const n = denies.length;
    const parts = [
      ...(n ? [`${n} principal/key pair${n === 1 ? '' : 's'} denied by KMS (${denies.map((d) => d.principal).join(', ')})`] : []),
      ...bootstrap.map(() => BOOTSTRAP_CAUSE),
      ...ssm.map(() => SSM_CAUSE),
    ];
    const cause = n ? 'kms-key-policy-denies' : bootstrap.length ? 'cdk-bootstrap-customer-key' : 'ssm-param-customer-key';
    const subject = denies[0]?.key ?? bootstrap[0]?.key ?? ssm[0]?.key;
    return {
      severity: 'critical',
      cause,
      ...(subject ? { subject } : {}),
      counts: {
        deniedPairs: n,
        denials: denies.reduce((sum, d) => sum + d.denials, 0),
        principals: new Set(denies.map((d) => d.principalArn)).size,
        keys: new Set([...denies.map((d) => d.key ?? '?'), ...bootstrap.map((b) => b.key), ...ssm.map((s) => s.key)]).size,
      },
      summary: `Likely cause: ${parts.join('; ')}.`,
    };
  }
  const top = results.top;
  // healthy, unless an info finding (a truncated trail, a name that is no stack…) outranks it
  const healthy = results.data('kms-access-healthy')[0];
  if (healthy && top?.id === 'kms-access-healthy')
    return { severity: 'ok', counts: { secureStringParameters: healthy.parameters }, summary: `${top.title}.` };
  if (top?.severity === 'warning') {
    // only the bootstrap key is a warning without a denial: the trap is set, nothing fell in yet
    const key = results.data('cdk-bootstrap-customer-key')[0]?.key;
    return { severity: 'warning', cause: top.id, ...(key ? { subject: key } : {}), summary: `${top.title}.` };
  }
  if (results.failedChecks.length > 0) return { severity: 'info', summary: `No cause found in what whybot could see.${top ? ` ${top.title}.` : ''}` };
  return { severity: 'info', summary: top ? `No cause found. ${top.title}.` : 'No cause found in the evidence checked.' };
}
