// A bare name CloudFormation does not know: read as a role name instead.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'target-not-a-stack',
  severity: 'info',
  summary: 'The name given is not a stack in this Region, so it was taken as a role name',
  needs: ['stack'],
  remediations: [],
  apply(e) {
    if (e.target.kind !== 'name' || !e.stackMissing) return undefined;
    return {
      data: { name: e.target.name, region: e.input.region },
      title: `No stack named ${e.target.name} in ${e.input.region}: took it as a role name`,
      detail: rich(para('Pass a key (id, ARN or alias/…), a role ARN, or a stack name. Only denials by a role of this name were considered.')),
      evidence: [],
    };
  },
});
