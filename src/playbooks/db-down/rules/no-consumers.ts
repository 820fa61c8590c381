// No ECS task definition reads the secret: whatever reads it is outside what whybot checks.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { secretName } from '../facts.js';

export default rule({
  id: 'no-consumers',
  severity: 'info',
  summary: 'No ECS service of the Region uses the secret (EC2, Lambda, EKS and other Regions are not checked)',
  needs: ['ecs-consumers'],
  remediations: [],
  apply(e) {
    if (!e.consumers || e.consumers.length > 0 || !e.secretId) return undefined;
    return {
      data: { secret: secretName(e), region: e.input.region },
      title: `No ECS service in ${e.input.region} uses the secret`,
      detail: rich(para('Only ECS task definitions are checked. An app on EC2, Lambda, EKS or in another Region is not covered.')),
      evidence: [],
    };
  },
});
