// One public zone, the registrar's: every CNAME written there is seen.
import { para, rich } from '../../../markup.js';
import { CHECKS, rule } from '../evidence.js';
import { delegation, pendingValidations, publicZones } from '../facts.js';

export default rule({
  id: 'cert-dns-healthy',
  severity: 'ok',
  summary: 'One public hosted zone, the one the registrar points at, holding every validation CNAME',
  needs: CHECKS.map((c) => c.id),
  remediations: [],
  apply(e, { findingsSoFar }) {
    if (findingsSoFar.some((f) => f.severity === 'critical' || f.severity === 'warning')) return undefined;
    const { delegated, presumed } = delegation(e);
    if (!delegated || presumed || publicZones(e).length !== 1 || e.certRegions.length === 0) return undefined;
    const waiting = pendingValidations(e).length;
    return {
      data: { domain: e.domain, zoneId: delegated.id, waiting },
      title: `${e.domain} has one public hosted zone, ${delegated.id}, and it is the one the registrar points at`,
      detail: rich(
        para(
          `Checked: hosted zones named ${e.domain}, their name servers against ${e.expectedNs?.source ?? 'the registrar'}, and certificates pending validation in ${e.certRegions.join(' and ')}`,
          waiting > 0 ? `; every validation CNAME is in ${delegated.id}.` : ' (none).',
        ),
      ),
      evidence: [],
    };
  },
});
