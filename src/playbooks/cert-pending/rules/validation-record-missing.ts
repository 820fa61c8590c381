// No zone that resolvers ask publishes the CNAME ACM waits for.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { delegation, validationStates } from '../facts.js';
import { validationRemediations, validationWording } from '../validation.js';

export default rule({
  id: 'validation-record-missing',
  severity: 'critical',
  summary: 'No delegated zone publishes ACM’s validation CNAME (or one of that name points elsewhere)',
  needs: ['validation-records'],
  remediations: ['route53-validation-record', 'show-cli'],
  apply(e) {
    const { delegated, presumed } = delegation(e);
    return validationStates(e)
      .filter((s) => s.place === 'missing')
      .map((s) => {
        const p = s.pending;
        const { certText, timeout, evidence, data } = validationWording(e, s);
        const pointsElsewhere = s.held.some((h) => h.value && h.value !== p.recordValue);
        return {
          data,
          title: `No hosted zone ${delegated ? `(the delegated one is ${delegated.id}) ` : ''}publishes ACM’s validation CNAME for ${p.names.join(', ')}`,
          detail: rich(
            para(
              `The ${certText}. ACM looks for ${p.recordName} CNAME ${p.recordValue}`,
              s.right.length > 0 ? ` and finds it only in ${s.right.map((h) => h.zoneId).join(', ')}, whose delegation whybot could not confirm.` : '; ',
              pointsElsewhere ? ' A CNAME of that name exists but points elsewhere. ' : s.right.length > 0 ? ' ' : 'no zone has it. ',
              delegated
                ? `Creating it in ${delegated.id}${presumed ? ' (the only public zone; its delegation is unconfirmed)' : ''} lets ACM validate.`
                : 'Create it in the zone the registrar points at.',
              timeout,
            ),
          ),
          evidence,
          remediations: validationRemediations(delegated, p),
        };
      });
  },
});
