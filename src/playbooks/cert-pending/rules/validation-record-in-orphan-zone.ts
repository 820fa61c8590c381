// Incident 001 §3's symptom: CDK wrote ACM's CNAME into the zone nobody asks.
import { para, rich } from '../../../markup.js';
import { rule } from '../evidence.js';
import { delegation, validationStates, zoneLabel } from '../facts.js';
import { validationRemediations, validationWording } from '../validation.js';

export default rule({
  id: 'validation-record-in-orphan-zone',
  severity: 'critical',
  summary: 'ACM’s validation CNAME is only in a zone the registrar does not point at (incident 001)',
  needs: ['validation-records'],
  remediations: ['route53-validation-record', 'show-cli'],
  apply(e) {
    const { delegated } = delegation(e);
    if (!delegated) return undefined;
    return validationStates(e)
      .filter((s) => s.place === 'in-orphan-zone')
      .map((s) => {
        const { certText, timeout, evidence, data } = validationWording(e, s);
        const orphanZoneIds = s.orphanHolders.map((h) => h.zoneId);
        return {
          data: { ...data, orphanZoneIds },
          title: `ACM’s validation CNAME for ${s.pending.names.join(', ')} is in hosted zone ${orphanZoneIds.join(', ')}, which resolvers never ask`,
          detail: rich(
            para(
              `The ${certText}: its CNAME was written into a zone the registrar does not point at (as CDK did in incident 001), `,
              `and the delegated zone ${zoneLabel(delegated)} ${s.inDelegated?.value ? `has it pointing elsewhere (${s.inDelegated.value})` : 'does not have it'}. `,
              `Creating it in ${delegated.id} lets ACM validate.${timeout}`,
            ),
          ),
          evidence,
          remediations: validationRemediations(delegated, s.pending),
        };
      });
  },
});
