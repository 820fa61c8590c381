// Incident 001 §1 and §2 as CloudTrail (or CloudFormation) saw them: a principal denied a KMS
// call on a key, which policy lacks the grant, and the minimal key-policy statement.
import { actionToName } from '../../../engine/check-reason.js';
import type { Evidence } from '../../../findings.js';
import { keyPolicyVerdict, planGrant } from '../../../key-policy.js';
import { code, para, pre, rich, type Block } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import { groupDenials, groupKey } from '../denials.js';
import { rule } from '../evidence.js';
import { keyFacts, keyLabel, relevantDenials, roleNameOf, showCli } from '../facts.js';
import { grantRef, missingGrant, type GrantFinding } from '../grant.js';

export default rule({
  id: 'kms-key-policy-denies',
  severity: 'critical',
  summary: 'A principal is denied a KMS call on a key: which policy lacks the grant, and the minimal key-policy statement',
  // denials come from CloudTrail or from the stack's failure reasons: either alone is enough
  needs: [],
  remediations: ['kms-key-policy-grant', 'show-cli'],
  apply(e) {
    const policyState = e.checks.find((c) => c.id === 'key-policies');
    const simCheck = e.checks.find((c) => c.id === 'identity-policies');
    const simState =
      simCheck?.status === 'failed'
        ? `IAM simulation failed: ${simCheck.reason ?? ''}${actionToName(simCheck.reason, simCheck.iamAction) ? `, needs ${simCheck.iamAction}` : ''}`
        : (simCheck?.reason ?? 'not simulated');
    return groupDenials(relevantDenials(e)).map((g) => {
      const k = g.keyArn ? keyFacts(e, g.keyArn) : undefined;
      const keyArn = k?.info?.arn ?? (g.keyArn?.startsWith('arn:') ? g.keyArn : undefined);
      const awsManaged = k?.info?.manager === 'AWS';
      const role = roleNameOf(g.principalArn);
      const verdict = k?.policy && e.accountId ? keyPolicyVerdict(k.policy, g.principalArn, g.actions[0] ?? 'kms:Decrypt', e.accountId) : undefined;
      const sim = e.simulations.get(groupKey(g));
      let why: GrantFinding = awsManaged
        ? {
            spans: [`Key ${keyLabel(e, g.keyArn)} is AWS managed: its key policy cannot be changed. Give ${role} the permission in its identity policy, or use a key you manage.`],
            gap: 'aws-managed-key',
            fixable: false,
          }
        : missingGrant(verdict, sim, g, policyState?.status === 'failed' ? `GetKeyPolicy failed: ${policyState.reason ?? ''}` : simState);
      let change: Block[] = [];
      if (why.fixable && k?.policyText && keyArn && e.accountId) {
        try {
          const via = g.viaServices.length === 1 ? { viaService: g.viaServices[0]! } : {};
          const plan = planGrant(k.policyText, { keyArn, principal: g.principalArn, actions: g.actions, ...via }, e.accountId);
          if (plan.unchanged)
            why = {
              spans: [`The key policy already has the minimal statement for ${role} (${String(plan.statement.Sid)}): these denials predate it. Retry the deploy.`],
              gap: 'none',
              fixable: false,
            };
          else
            change = [
              para('The minimal key-policy change (every other statement unchanged):'),
              pre(plan.diff),
            ];
        } catch (err) {
          change = [para(`whybot will not propose a key-policy change: ${err instanceof Error ? err.message : String(err)}`)];
        }
      }
      const last = g.denials.at(-1)!;
      const n = g.denials.length;
      return {
        data: {
          principal: role,
          principalArn: g.principalArn,
          /** the key as the denial names it (ARN or id), absent when it names none */
          key: keyArn ?? g.keyArn,
          keyLabel: keyLabel(e, g.keyArn),
          actions: g.actions,
          viaServices: g.viaServices,
          denials: n,
          lastDenied: last.time.toISOString(),
          keyPolicy: verdict?.kind,
          gap: why.gap,
        },
        title: `${role} is denied ${g.actions.join(', ')} on KMS key ${keyLabel(e, g.keyArn)} (${n} time${n === 1 ? '' : 's'}, last ${formatUtc(last.time)})`,
        detail: rich(
          para(
            'Principal ',
            code(g.principal),
            ` (${g.principalArn}) called ${g.actions.join(', ')} on `,
            code(keyArn ?? g.keyArn ?? 'an unidentified key'),
            `${g.viaServices.length ? ` through ${g.viaServices.join(', ')}` : ''} and KMS refused.`,
          ),
          para(...why.spans),
          ...change,
        ),
        evidence: [
          ...g.denials.slice(-10).map(
            (d): Evidence => ({
              source: d.source,
              time: d.time.toISOString(),
              text: `${d.action} denied${d.context ? ` (${d.context})` : ''}${d.message ? `: ${d.message.slice(0, 300)}` : ''}`,
            }),
          ),
          ...(verdict ? [{ source: 'KMS key policy', text: `for ${role}: ${verdict.kind}${'sid' in verdict && verdict.sid ? ` (${verdict.sid})` : ''}` }] : []),
          ...(sim ?? []).map((r) => ({ source: 'IAM simulation', text: `${r.action} on ${r.resource}: ${r.decision}` })),
        ],
        remediations: why.fixable && keyArn && !awsManaged && k?.info?.manager !== undefined ? [grantRef(e, g, keyArn), showCli] : [],
      };
    });
  },
});
