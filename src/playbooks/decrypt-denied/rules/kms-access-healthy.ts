// Every check ran and nothing is wrong: no denial, no customer-key trap.
import { para, rich } from '../../../markup.js';
import { CHECKS, rule } from '../evidence.js';
import { allClear, CDK_TOOLKIT } from '../facts.js';

export default rule({
  id: 'kms-access-healthy',
  severity: 'ok',
  summary: 'No KMS denial in the window and no customer-key trap (CDK bootstrap, SSM parameters)',
  needs: CHECKS.map((c) => c.id),
  remediations: [],
  apply(e, { findingsSoFar }) {
    if (!allClear(e, findingsSoFar)) return undefined;
    const bootstrapKey = e.toolkit?.parameters.FileAssetsBucketKmsKeyId;
    const bootstrap = e.toolkit ? `the CDK bootstrap bucket uses ${bootstrapKey || 'a key CDK created'}` : `there is no ${CDK_TOOLKIT} stack`;
    const parameters = e.parameters?.length ?? 0;
    return {
      data: { hours: e.input.hours, parameters, bootstrapKey: e.toolkit ? bootstrapKey || undefined : undefined },
      title: `No KMS denial in the last ${e.input.hours} h and no customer-key trap found`,
      detail: rich(para(`Checked: CloudTrail’s KMS events, ${bootstrap}, and ${parameters} SecureString parameter${parameters === 1 ? '' : 's'}.`)),
      evidence: [],
    };
  },
});
