// PlaybookResult → plain text for a terminal.
import type { PlaybookResult, Severity } from '../findings.js';
import { cliScript } from '../remediations/cli-commands.js';
import { redactText } from '../redact/index.js';
import { formatUtc } from '../time.js';
import { plainText } from '../markup.js';
import { actionToName } from '../engine/check-reason.js';
import { painter, type Colour, type Paint } from './terminal.js';

const badgeText: Record<Severity, string> = { critical: '[CRITICAL]', warning: '[WARNING]', info: '[INFO]', ok: '[OK]' };
const badgeColour: Record<Severity, Colour> = { critical: 'red', warning: 'yellow', info: 'blue', ok: 'green' };

export interface TextOptions {
  /** ANSI colours (the CLI decides: a TTY and no NO_COLOR, src/render/terminal.ts) */
  color?: boolean;
}

const at = (iso?: string) => (iso ? formatUtc(new Date(iso)) : '');

/** The terminal text, passed through the redaction layer (src/redact) as a whole. */
export function renderText(r: PlaybookResult, opts: TextOptions = {}): string {
  return redactText(renderUnredacted(withoutControls(r), painter(opts.color ?? false)));
}

// Text from AWS reaches a terminal: an escape sequence in an error message or a tag must not
// move the cursor, retitle the window or fake a colour. Only whybot's own colours are codes.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
function withoutControls<T>(value: T): T {
  if (typeof value === 'string') return value.replace(CONTROL, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(withoutControls) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutControls(v)])) as T;
  return value;
}

function renderUnredacted(r: PlaybookResult, paint: Paint): string {
  const badge = (s: Severity) => paint(badgeColour[s], badgeText[s]);
  const out: string[] = [];
  const where = [r.account, r.region].filter(Boolean).join(' ');
  out.push(`${badge(r.verdict.severity)} ${r.playbook} ${r.target}${where ? ` (${where})` : ''}`);
  out.push(r.verdict.summary, '');
  if (r.unreachable?.length)
    out.push(`Could not look in: ${r.unreachable.map((u) => `${u.account}${u.region ? ` ${u.region}` : ''} (${u.iamAction ? `needs ${u.iamAction}` : u.reason})`).join(', ')}`, '');
  for (const f of r.findings) {
    out.push(`${badge(f.severity)} ${paint('bold', `${f.id}: ${f.title}`)}`);
    for (const line of plainText(f.markup).split('\n')) out.push(`    ${line}`);
    for (const ev of f.evidence) out.push(`    - ${ev.time ? `${at(ev.time)}  ` : ''}[${ev.source}] ${ev.text}`);
    const script = cliScript(f.remediations);
    if (script) out.push('    Fix by hand:', ...script.split('\n').map((l) => `      ${l}`));
    out.push('');
  }
  if (r.timeline.length > 0) {
    out.push('Timeline:');
    for (const t of r.timeline) out.push(`  ${at(t.time)}  ${t.source.padEnd(16)} ${t.text}`);
    out.push('');
  }
  out.push('Checks:');
  for (const c of r.checks) {
    const mark = c.status === 'ok' ? paint('green', 'ok     ') : c.status === 'failed' ? paint('red', 'FAILED ') : paint('dim', 'skipped');
    const needs = c.status === 'failed' ? actionToName(c.reason, c.iamAction) : undefined;
    out.push(`  ${mark} ${c.id}${c.reason ? ` — ${c.reason}` : ''}${needs ? ` (needs ${needs})` : ''}`);
  }
  return out.join('\n') + '\n';
}
