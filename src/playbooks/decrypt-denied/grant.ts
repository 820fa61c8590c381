// What kms-key-policy-denies says about one principal/key pair: which policy lacks the grant
// (from the key policy, the IAM simulation, or KMS's own message), whether whybot may offer
// the minimal key-policy statement, and that statement's remediation.
import type { SimulationResult } from '../../aws/iam-policy.js';
import type { RemediationRef } from '../../findings.js';
import type { PolicyVerdict } from '../../key-policy.js';
import { strong, type Span } from '../../markup.js';
import type { DenialGroup } from './denials.js';
import type { DecryptDeniedEvidence } from './evidence.js';
import { keyLabel, roleNameOf } from './facts.js';

/** Which policy refused the call, as far as whybot can tell. */
export type GrantGap =
  | 'key-policy'
  | 'identity-policy'
  | 'explicit-deny-key-policy'
  | 'explicit-deny-identity-policy'
  /** the key policy names the principal only under conditions the calls did not meet */
  | 'key-policy-condition'
  /** both policies allow it: a boundary, session policy, SCP or encryption-context condition */
  | 'elsewhere'
  /** the key policy allows it now: the denials predate the change */
  | 'none'
  /** an AWS managed key: its policy cannot be changed */
  | 'aws-managed-key'
  | 'unknown';

export interface GrantFinding {
  spans: Span[];
  gap: GrantGap;
  /** a key-policy statement would fix it (whybot may offer one) */
  fixable: boolean;
}

export function grantRef(e: DecryptDeniedEvidence, g: DenialGroup, keyArn: string): RemediationRef {
  const via = g.viaServices.length === 1 ? g.viaServices[0] : undefined;
  return {
    id: 'kms-key-policy-grant',
    label: `Let ${roleNameOf(g.principalArn)} use key ${keyLabel(e, keyArn)}`.slice(0, 75),
    params: {
      keyArn,
      principal: g.principalArn,
      actions: g.actions.join(','),
      ...(via ? { viaService: via } : {}),
      region: e.input.region,
    },
  };
}

const KEY_POLICY_MISSING = 'The key policy is missing the grant:';
const IDENTITY_POLICY_MISSING = 'The identity policy is missing the grant:';

/** From KMS's error message alone, when the key policy could not be read. */
function fromMessage(g: DenialGroup, state: string): GrantFinding {
  const r = g.reasons.find((x) => x !== 'unknown');
  const said: Span[] =
    r === 'key-policy'
      ? [strong('the key policy is missing the grant'), ' (KMS: no resource-based policy allows it)']
      : r === 'identity-policy'
        ? [strong('the identity policy is missing the grant'), ' (KMS: no identity-based policy allows it)']
        : r === 'explicit-deny-key-policy'
          ? ['the key policy explicitly denies it']
          : r === 'explicit-deny-identity-policy'
            ? ['an identity-based policy explicitly denies it']
            : ['KMS did not say which policy refused'];
  return { spans: [`The key policy could not be read (${state}); from the error message: `, ...said, '.'], gap: r ?? 'unknown', fixable: !r?.startsWith('explicit') };
}

export function missingGrant(verdict: PolicyVerdict | undefined, sim: SimulationResult[] | undefined, g: DenialGroup, simState: string): GrantFinding {
  const role = roleNameOf(g.principalArn);
  const simDenied = sim?.some((r) => r.decision !== 'allowed');
  const simExplicit = sim?.some((r) => r.decision === 'explicitDeny');
  switch (verdict?.kind) {
    case 'no-grant':
      return {
        spans: [strong(KEY_POLICY_MISSING), ` it does not name ${role}, and without the account-root statement no IAM policy can allow it either.`],
        gap: 'key-policy',
        fixable: true,
      };
    case 'delegates-to-iam':
      if (simExplicit)
        return {
          spans: [`The key policy leaves access to IAM, and an identity-based policy of ${role} `, strong('explicitly denies'), ' it (IAM simulation). Remove that Deny; whybot does not.'],
          gap: 'explicit-deny-identity-policy',
          fixable: false,
        };
      if (simDenied)
        return {
          spans: [
            strong(IDENTITY_POLICY_MISSING),
            ` the key policy leaves access to IAM (account-root statement) and ${role}’s identity-based policies do not allow ${g.actions.join(', ')} on this key (IAM simulation: implicit deny). Either add it to the role’s policy, or name the role in the key policy (below).`,
          ],
          gap: 'identity-policy',
          fixable: true,
        };
      if (sim)
        return {
          spans: [`The key policy leaves access to IAM and IAM simulation says ${role}’s policies allow it: look for a permissions boundary, a session policy, an SCP or an encryption-context condition.`],
          gap: 'elsewhere',
          fixable: false,
        };
      return {
        spans: [
          `The key policy leaves access to IAM (account-root statement); ${role}’s identity policies were not simulated (${simState}). ${g.reasons.includes('identity-policy') ? 'KMS says no identity-based policy allows it: the identity policy is missing the grant.' : ''}`.trim(),
        ],
        gap: g.reasons.includes('identity-policy') ? 'identity-policy' : 'unknown',
        fixable: true,
      };
    case 'allows-principal':
      return { spans: [`The key policy now allows ${role} (statement ${verdict.sid ?? '?'}): the denials may predate that change. Retry the deploy.`], gap: 'none', fixable: false };
    case 'allows-principal-conditionally':
      return {
        spans: [`The key policy names ${role} only under conditions (statement ${verdict.sid ?? '?'}); the denied calls did not meet them (check kms:ViaService / encryption context).`],
        gap: 'key-policy-condition',
        fixable: true,
      };
    case 'denies':
      return {
        spans: ['The key policy ', strong('explicitly denies'), ` ${role} (statement ${verdict.sid ?? '?'}). A Deny wins over any Allow: change that statement by hand; whybot does not remove Deny statements.`],
        gap: 'explicit-deny-key-policy',
        fixable: false,
      };
    default:
      return fromMessage(g, simState);
  }
}
