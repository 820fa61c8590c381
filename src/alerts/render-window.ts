// One alert message for the rotations of one minute: each secret with who is at risk and its
// Redeploy buttons, the most urgent first; what does not fit is named, never dropped silently.
import type { types } from '@slack/bolt';
import { clip, code, esc, slackDate } from '../render/mrkdwn.js';
import type { RotationEntry } from './alert-window.js';

type Block = types.KnownBlock;
type Button = types.Button;

/** Signs one remediation button value; undefined when this deployment cannot run actions. */
export type SignButton = (action: string, params: Record<string, string>) => string | undefined;

/** Secrets shown in full (a section and its buttons each); the rest are listed by name. */
const MAX_DETAILED = 10;
const SECTION_MAX = 3000;

/** The latest rotation of each secret, with how often it rotated in the window. */
function bySecret(entries: RotationEntry[]): { entry: RotationEntry; times: number }[] {
  const latest = new Map<string, { entry: RotationEntry; times: number }>();
  for (const e of entries) {
    const seen = latest.get(e.secretId);
    if (!seen) latest.set(e.secretId, { entry: e, times: 1 });
    else latest.set(e.secretId, { entry: Date.parse(e.time) >= Date.parse(seen.entry.time) ? e : seen.entry, times: seen.times + 1 });
  }
  const urgency = (e: RotationEntry) => (e.atRisk.length > 0 ? 0 : e.unchecked.length > 0 ? 1 : 2);
  return [...latest.values()].sort((a, b) => urgency(a.entry) - urgency(b.entry) || a.entry.name.localeCompare(b.entry.name));
}

function secretLines(e: RotationEntry, times: number): string {
  const again = times > 1 ? ` (${times} rotations this minute)` : '';
  const lines = [`:key: *Secret ${code(e.name)} rotated* at ${slackDate(e.time)}${e.db ? ` — DB ${code(e.db)}` : ''}${again}`];
  for (const a of e.atRisk)
    lines.push(`:red_circle: ${code(a.service)} (cluster ${code(a.cluster)}): ${a.stale} of ${a.tasks} tasks started before the rotation and hold the old value until redeployed`);
  for (const h of e.healthy) lines.push(`:white_check_mark: ${code(h.service)}: all ${h.tasks} tasks started after the rotation`);
  if (e.atRisk.length === 0 && e.healthy.length === 0 && e.unchecked.length === 0) lines.push('No ECS service in this Region reads it at start.');
  for (const u of e.unchecked) lines.push(`:grey_question: Could not check ${esc(u)}`);
  return clip(lines.join('\n'), SECTION_MAX);
}

function buttons(e: RotationEntry, sign: SignButton | undefined, next: () => number): Button[] {
  if (!sign) return [];
  const targets = e.atRisk.filter((a) => !a.auto);
  const out: Button[] = [];
  for (const a of targets) {
    const value = sign('ecs-redeploy', { cluster: a.cluster, service: a.service, region: e.region, after: e.time });
    if (value) out.push({ type: 'button', action_id: `remediate:ecs-redeploy:${next()}`, text: { type: 'plain_text', text: `Redeploy ${a.service}`.slice(0, 75) }, value });
  }
  if (targets.length > 1) {
    const value = sign('ecs-redeploy-all', { services: targets.map((a) => `${a.cluster}/${a.service}`).join(','), region: e.region, after: e.time });
    const n = next();
    if (value)
      out.push({ type: 'button', action_id: n === targets.length ? 'remediate:ecs-redeploy-all' : `remediate:ecs-redeploy-all:${n}`, style: 'primary', text: { type: 'plain_text', text: `Redeploy all ${targets.length}` }, value });
  }
  return out.slice(0, 25);
}

function fallbackText(shown: { entry: RotationEntry }[]): string {
  if (shown.length === 1) {
    const e = shown[0]!.entry;
    return e.atRisk.length > 0
      ? `Secret ${e.name} rotated: ${e.atRisk.map((a) => `${a.stale} task(s) of ${a.service}`).join(', ')} hold the old value`
      : `Secret ${e.name} rotated; no consumer at risk`;
  }
  const risky = shown.filter((s) => s.entry.atRisk.length > 0).length;
  return `${shown.length} secrets rotated: ${risky > 0 ? `${risky} with services still holding the old value` : 'no consumer at risk'}`;
}

/** The window's message; buttons only once the message has a ts to sign them for. */
export function windowMessage(entries: RotationEntry[], sign?: SignButton): { text: string; blocks: Block[] } {
  const secrets = bySecret(entries);
  const blocks: Block[] = [];
  if (secrets.length > 1) {
    const first = Math.min(...entries.map((e) => Date.parse(e.time)));
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `:key: *${secrets.length} secrets rotated* around ${slackDate(new Date(first).toISOString())}; the ones putting services at risk first.` },
    });
  }
  let counter = 0;
  const next = () => counter++;
  for (const { entry, times } of secrets.slice(0, MAX_DETAILED)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: secretLines(entry, times) } });
    const b = buttons(entry, sign, next);
    if (b.length > 0) blocks.push({ type: 'actions', elements: b });
  }
  const rest = secrets.slice(MAX_DETAILED);
  if (rest.length > 0) {
    const names = rest.map(({ entry }) => `${code(entry.name)}${entry.atRisk.length > 0 ? ` (${entry.atRisk.reduce((n, a) => n + a.stale, 0)} stale tasks)` : ''}`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`…and ${rest.length} more secrets rotated: ${names.join(', ')}. Run \`/why-db-down\` on any of them for the details and buttons.`, SECTION_MAX) },
    });
  }
  return { text: fallbackText(secrets), blocks };
}
