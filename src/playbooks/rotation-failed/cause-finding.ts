// How a rule built on causes.ts reports: the cause found first decides, the others are
// listed as ruled out or not ruled out, so a person sees what was checked and what was not.
import { list, para, strong, type Block } from '../../markup.js';
import type { Cause, CauseId } from './causes.js';

export const CAUSE_NAMES: Record<CauseId, string> = {
  'no-route': 'No way to Secrets Manager (no endpoint, no NAT gateway)',
  'endpoint-sg': 'The endpoint’s security group does not admit the VPC',
  'function-egress': 'The function’s security group does not let HTTPS out',
  nacl: 'A network ACL blocks HTTPS or its answers',
  'endpoint-policy': 'The endpoint policy does not let the function in',
  timeout: 'The function’s timeout is too short for the steps',
  'rds-api': 'The RDS API is unreachable (alternating users, RDS-managed superuser)',
};

export interface Decision {
  decided?: Cause;
  ruledOut: Cause[];
  notRuledOut: Cause[];
}

export function decide(causes: readonly Cause[]): Decision {
  const decided = causes.find((c) => c.status === 'found');
  return {
    ...(decided ? { decided } : {}),
    ruledOut: causes.filter((c) => c.status === 'ruled-out'),
    notRuledOut: causes.filter((c) => c !== decided && c.status !== 'ruled-out'),
  };
}

/** "Ruled out: …" and "Not ruled out: …" paragraphs. */
export function otherCauses(d: Decision): Block[] {
  const out: Block[] = [];
  const others = d.notRuledOut.filter((c) => c.status === 'unknown' || c.status === 'found');
  if (others.length > 0) out.push(para(strong('Not ruled out:')), list(...others.map((c) => [strong(CAUSE_NAMES[c.id]), ` — ${c.text}`])));
  if (d.ruledOut.length > 0) out.push(para(strong('Ruled out:')), list(...d.ruledOut.map((c) => `${CAUSE_NAMES[c.id]} — ${c.text}`)));
  return out;
}
