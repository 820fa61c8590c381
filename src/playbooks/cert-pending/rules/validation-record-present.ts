// The CNAME is where resolvers look; ACM just has not validated yet.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { delegation, validationStates } from '../facts.js';
import { validationWording } from '../validation.js';

export default rule({
  id: 'validation-record-present',
  severity: 'info',
  summary: 'The validation CNAME is in the delegated zone; ACM has not validated yet (CAA, propagation, the 72-hour limit)',
  needs: ['validation-records'],
  remediations: [],
  apply(e) {
    const { delegated, presumed } = delegation(e);
    if (!delegated) return undefined;
    return validationStates(e)
      .filter((s) => s.place === 'present')
      .map((s) => {
        const { certText, timeout, evidence, data } = validationWording(e, s);
        return {
          data,
          title: `The validation CNAME for ${s.pending.names.join(', ')} is in the ${presumed ? 'only public' : 'delegated'} zone ${delegated.id}; ACM has not validated yet`,
          detail: rich(
            para(
              `The ${certText}. ACM usually validates within minutes of the record becoming resolvable.`,
              presumed && ' whybot could not confirm this zone is delegated (see the checks).',
              ` If it stays pending, check CAA records and that the record resolves publicly.${timeout}`,
            ),
          ),
          evidence,
        };
      });
  },
});
