// Adding a playbook cannot leave the registry behind: its folder, the catalog, the loader, the
// Slack manifests, the README's tables and the worker's IAM policy are checked against each other.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_PERMISSIONS } from '../src/lambda/permissions.js';
import { PLAYBOOK_CATALOG, slashCommandOf } from '../src/playbooks/catalog.js';
import { withSections } from '../src/playbooks/docs.js';
import { loadPlaybook, type Playbook } from '../src/playbooks/index.js';
import { remediationIds } from '../src/remediations/cli-commands.js';

const folders = readdirSync('src/playbooks', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`src/playbooks/${d.name}/meta.ts`))
  .map((d) => d.name)
  .sort();
const names = Object.keys(PLAYBOOK_CATALOG).sort();
const playbooks: Playbook[] = await Promise.all(names.map(async (n) => (await loadPlaybook(n))!));

/** The slash commands of a manifest: command, description and usage hint, in order. */
function manifestCommands(path: string): Array<{ command: string; description: string; usageHint: string }> {
  const text = readFileSync(path, 'utf8');
  const out: Array<{ command: string; description: string; usageHint: string }> = [];
  for (const m of text.matchAll(/- command: (\S+)\n(?:\s+url: \S+\n)?\s+description: (.*)\n\s+usage_hint: "(.*)"/g))
    out.push({ command: m[1]!, description: m[2]!, usageHint: m[3]! });
  return out;
}

describe('the playbook registry', () => {
  it('every folder with a meta.ts is in the catalog, and the other way round', () => {
    expect(folders).toEqual(names);
  });

  it('the loader gives each catalog entry its own playbook, with its meta', () => {
    for (const p of playbooks) expect(PLAYBOOK_CATALOG[p.name]).toMatchObject({ name: p.name, summary: p.summary, slack: p.slack });
    expect(playbooks.map((p) => p.name)).toEqual(names);
  });

  it('finding ids are unique within a playbook, and every rule names the checks it needs among the playbook’s own', () => {
    for (const p of playbooks) {
      const ids = p.rules.map((r) => r.id);
      expect(new Set(ids).size, p.name).toBe(ids.length);
      const checks = new Set(p.checks.map((c) => c.id));
      for (const r of p.rules) for (const c of r.needs) expect(checks.has(c), `${p.name}/${r.id} needs ${c}`).toBe(true);
    }
  });

  it('every remediation a rule offers is registered: an action, a guidance-only one, or the CLI commands', () => {
    const known = new Set<string>([...remediationIds, 'show-cli']);
    for (const p of playbooks) for (const r of p.rules) for (const a of r.remediations) expect(known.has(a), `${p.name}/${r.id} offers ${a}`).toBe(true);
  });

  it('the README’s playbook tables are the ones the playbooks generate (npm run docs)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const { text, missing } = withSections(readme, playbooks);
    expect(missing).toEqual([]);
    expect(text === readme, 'README.md differs from the playbooks: run npm run docs').toBe(true);
  });

  it('the worker may make every read a playbook check declares', () => {
    for (const p of playbooks) for (const c of p.checks) for (const a of c.iam ?? []) expect(FUNCTION_PERMISSIONS.worker, `${p.name}/${c.id}`).toContain(a);
  });

  it('no playbook module grows past 300 lines (a finding is a rule file, not a branch in a big one)', () => {
    const files = readdirSync('src/playbooks', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const long = files.map((f) => [f, readFileSync(`src/playbooks/${f}`, 'utf8').split('\n').length] as const).filter(([, n]) => n > 300);
    expect(long).toEqual([]);
  });

  for (const manifest of ['manifests/slack-app.yaml', 'manifests/slack-app-http.yaml'])
    it(`${manifest} lists /why and every playbook's command with its description and usage`, () => {
      const commands = manifestCommands(manifest);
      const expected = [
        ...Object.values(PLAYBOOK_CATALOG).map((m) => ({ command: slashCommandOf(m.name), description: m.slack.description, usageHint: m.slack.usageHint })),
        expect.objectContaining({ command: '/why', usageHint: `[${Object.keys(PLAYBOOK_CATALOG).join(' | ')}] [target]` }),
      ];
      expect(commands).toEqual(expected);
    });
});
