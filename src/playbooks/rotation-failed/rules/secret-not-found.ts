// The name given matches no secret in the Region: nothing to diagnose, say so plainly.
import { code, para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'secret-not-found',
  severity: 'warning',
  summary: 'No secret with that name or ARN exists in the Region',
  needs: [],
  remediations: [],
  apply(e) {
    if (!e.secretMissing) return undefined;
    return {
      data: { target: e.input.target, region: e.input.region },
      title: `No secret named ${e.input.target} in ${e.input.region}`,
      detail: rich(para('Check the name (or pass the full ARN) and the Region (', code('--region'), '). Without a name, whybot lists the secrets that rotate.')),
      evidence: [{ source: 'Secrets Manager', text: `DescribeSecret ${e.input.target}: ResourceNotFoundException` }],
    };
  },
});
