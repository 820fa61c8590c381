// PlaybookResult → plain text for a terminal.
import type { PlaybookResult, Severity } from '../findings.js';
import { cliScript } from '../remediations/cli-commands.js';
import { redactText } from '../redact/index.js';
import { formatUtc } from '../time.js';
import { plainText } from '../markup.js';

const badge: Record<Severity, string> = { critical: '[CRITICAL]', warning: '[WARNING]', info: '[INFO]', ok: '[OK]' };

const at = (iso?: string) => (iso ? formatUtc(new Date(iso)) : '');

/** The terminal text, passed through the redaction layer (src/redact) as a whole. */
export function renderText(r: PlaybookResult): string {
  return redactText(renderUnredacted(r));
}

function renderUnredacted(r: PlaybookResult): string {
  const out: string[] = [];
  out.push(`${badge[r.verdict.severity]} ${r.playbook} ${r.target}${r.region ? ` (${r.region})` : ''}`);
  out.push(r.verdict.summary, '');
  for (const f of r.findings) {
    out.push(`${badge[f.severity]} ${f.id}: ${f.title}`);
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
    const mark = c.status === 'ok' ? 'ok     ' : c.status === 'failed' ? 'FAILED ' : 'skipped';
    out.push(`  ${mark} ${c.id}${c.reason ? ` — ${c.reason}` : ''}${c.status === 'failed' && c.iamAction ? ` (needs ${c.iamAction})` : ''}`);
  }
  return out.join('\n') + '\n';
}
