// How deploy-failed quotes CloudFormation: one-line reasons without their wrappers, an event
// as one line, cascades folded by reason. Shared by the rules, the verdict and the timeline.
import type { StackEvent } from '../../aws/cloudformation.js';
import type { KmsDenial } from './events.js';

export const oneLine = (text: string | undefined, max = 240): string => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** The reason without the wrappers CloudFormation and custom resources put around it. */
export function shortReason(reason: string | undefined, kms?: KmsDenial): string {
  if (kms?.action) {
    const role = kms.principalArn?.match(/:(?:assumed-role|role|user)\/([^/]+)/)?.[1];
    const key = kms.keyArn?.split('/').pop();
    const why = /no (identity-based|resource-based) policy/.exec(reason ?? '')?.[0];
    return `${role ? `role ${role}` : 'the deploy'} may not ${kms.action}${key ? ` key ${key}` : ''}${why ? ` (${why} allows it)` : ''}`;
  }
  let r = oneLine(reason, 2000)
    .replace(/^Received response status \[FAILED\] from custom resource\. Message returned:\s*/i, '')
    .replace(/^Resource handler returned message:\s*"?/i, '')
    .replace(/"?\s*\(HandlerErrorCode: [^)]*\)\s*$/, '');
  for (let i = 0; i < 3; i++) r = r.replace(/\s*\((Service|RequestId|Request ID)[^()]*\)\s*$/, '');
  return oneLine(r, 160);
}

export function eventText(ev: StackEvent): string {
  return `${ev.logicalId} (${ev.type}) ${ev.status}${ev.reason ? `: ${oneLine(ev.reason, 600)}` : ''}`;
}

/** "DbCluster, CacheCluster (Resource creation cancelled); …": cascades grouped by reason. */
export function foldCascades(cascades: readonly StackEvent[]): string {
  const byReason = new Map<string, string[]>();
  for (const c of cascades) {
    const reason = oneLine(c.reason, 120) || c.status;
    byReason.set(reason, [...(byReason.get(reason) ?? []), c.logicalId]);
  }
  return [...byReason].map(([reason, ids]) => `${[...new Set(ids)].join(', ')} (${reason})`).join('; ');
}
