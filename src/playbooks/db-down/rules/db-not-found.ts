// The identifier matched no cluster or instance: name the close ones, or the Region's DBs.
import { para, rich } from '../../../markup.js';
import { closeMatches } from '../../close-matches.js';
import { rule } from '../evidence.js';

/** DB names listed when none is close to the one given */
const LISTED = 20;

export default rule({
  id: 'db-not-found',
  severity: 'warning',
  summary: 'No DB cluster or instance has the name given (close names are suggested)',
  needs: ['db'],
  remediations: [],
  apply(e) {
    if (e.db || !e.candidates) return undefined;
    const { target, region } = e.input;
    const names = e.candidates.map((c) => c.id);
    const matches = closeMatches(target, names);
    return {
      data: { target, region, matches, dbs: names.length },
      title: `No DB cluster or instance named ${target} in ${region}`,
      detail: rich(
        para(
          matches.length > 0
            ? `Did you mean: ${matches.join(', ')}?`
            : names.length > 0
              ? `The DBs in ${region} are: ${names.slice(0, LISTED).join(', ')}${names.length > LISTED ? ` and ${names.length - LISTED} more` : ''}.`
              : `There is no DB cluster or instance in ${region}. Is this the right Region (--region)?`,
        ),
      ),
      evidence: [],
    };
  },
});
