// The named stack does not exist (and none of that name was deleted): the failed ones, or a
// near name, are suggested.
import { rich } from '../../../markup.js';
import { closeMatches } from '../../close-matches.js';
import { rule } from '../evidence.js';

export default rule({
  id: 'stack-not-found',
  severity: 'warning',
  summary: 'No stack of that name in the Region (near names and failed stacks suggested)',
  needs: ['stack'],
  remediations: [],
  apply(e) {
    if (!e.stackMissing || e.attempt) return undefined;
    const names = (e.failedStacks ?? []).filter((s) => s.status !== 'DELETE_COMPLETE').map((s) => s.name);
    const matches = closeMatches(e.input.target, names);
    return {
      data: { target: e.input.target, region: e.input.region, suggestions: matches, failedStacks: names.length },
      title: `No stack named ${e.input.target} in ${e.input.region}`,
      detail: rich(
        matches.length > 0
          ? `Did you mean: ${matches.join(', ')}?`
          : names.length > 0
            ? `Stacks whose last deploy failed: ${names.slice(0, 20).join(', ')}.`
            : `No stack in ${e.input.region} is in a failed state. Is this the right Region (--region)?`,
      ),
      evidence: [],
    };
  },
});
