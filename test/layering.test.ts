// The layers of src/, read from the imports themselves (issue 13): aws/ is the bottom and
// imports nothing from the engine, the alerts, Slack or the playbooks; neither the playbooks
// nor the alerts import Slack code (they reach Slack through what their callers pass in).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Folders under src/ and the folders under src/ they must not import from. */
const RULES: ReadonlyArray<{ layer: string; mustNotImport: readonly string[] }> = [
  { layer: 'aws', mustNotImport: ['engine', 'alerts', 'slack', 'playbooks'] },
  { layer: 'playbooks', mustNotImport: ['slack'] },
  { layer: 'alerts', mustNotImport: ['slack'] },
];

/**
 * The module specifiers a TypeScript source names: `import … from`, `export … from`,
 * `import '…'` and `import('…')` (type-only imports included: they are dependencies too).
 * Comment lines are skipped, so a doc comment quoting an import does not count.
 */
function specifiersOf(source: string): string[] {
  const code = source
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join('\n');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"\n]+)['"]/g,
    /\bimport\s+['"]([^'"\n]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`\n]+)['"`]\s*[,)]/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found;
}

/** A relative specifier → the file under src/ it names ("aws/limits.ts"); packages → undefined. */
function resolveUnderSrc(fromFile: string, specifier: string, exists: (rel: string) => boolean): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  const candidates = [joined.replace(/\.js$/, '.ts'), joined, `${joined}.ts`, `${joined}/index.ts`];
  return candidates.find(exists) ?? joined.replace(/\.js$/, '.ts');
}

/** The top folder of a file under src/ ("aws/clients.ts" → "aws"; "config.ts" → ""). */
const layerOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '');

/** Every import that crosses a layer the wrong way, as "from → to". */
function violations(imports: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [file, targets] of imports) {
    const rule = RULES.find((r) => r.layer === layerOf(file));
    if (!rule) continue;
    for (const target of targets) if (rule.mustNotImport.includes(layerOf(target))) out.push(`src/${file} → src/${target}`);
  }
  return out.sort();
}

function tsFiles(dir: string, rel = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(full).isDirectory()) return tsFiles(full, r);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [r] : [];
  });
}

/** src/ as file → the files under src/ it imports. */
function importMap(root = SRC): Map<string, string[]> {
  const files = tsFiles(root);
  const known = new Set(files);
  const exists = (rel: string) => known.has(rel);
  const map = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiersOf(readFileSync(path.join(root, file), 'utf8'))
      .map((s) => resolveUnderSrc(file, s, exists))
      .filter((t): t is string => t !== undefined);
    map.set(file, [...new Set(targets)]);
  }
  return map;
}

describe('layering of src/', () => {
  it('aws/ imports nothing above it; playbooks/ and alerts/ import nothing from slack/', () => {
    expect(violations(importMap())).toEqual([]);
  });

  it('reads the real imports (static, re-exports and import()), resolved to files under src/', () => {
    const map = importMap();
    expect(map.get('aws/clients.ts')).toEqual(expect.arrayContaining(['aws/limits.ts', 'aws/shared-reads.ts', 'aws/abort.ts']));
    expect(map.get('aws/limits.ts')).toContain('platform/rate-gate.ts');
    // entry/cli.ts loads each command's module with import() when that command runs
    expect(map.get('entry/cli.ts')).toContain('entry/audit.ts');
    expect(map.get('alerts/rotation-alert.ts')).toContain('engine/execute-once.ts');
    for (const [file, targets] of map) for (const t of targets) expect(map.has(t), `${file} imports ${t}, which is not a file under src/`).toBe(true);
  });
});

describe('the layering check itself', () => {
  it('finds every kind of import, and none in comments', () => {
    const source = [
      "import { a } from '../engine/limits.js';",
      "import type { B } from '../slack/render.js';",
      'import {',
      '  c,',
      '  d,',
      "} from './multi.js';",
      "export { e } from '../playbooks/types.js';",
      "export * from './all.js';",
      "import './side-effect.js';",
      "const m = await import('../alerts/handle.js');",
      "type T = import('./typed.js').T;",
      "// import { no } from '../slack/comment.js';",
      " * see import('../slack/doc.js')",
      "import * as z from 'zod';",
    ].join('\n');
    expect(specifiersOf(source).sort()).toEqual(
      ['../alerts/handle.js', '../engine/limits.js', '../playbooks/types.js', '../slack/render.js', './all.js', './multi.js', './side-effect.js', './typed.js', 'zod'].sort(),
    );
  });

  it('resolves .js to .ts, directories to index.ts, and leaves packages out', () => {
    const files = new Set(['aws/limits.ts', 'redact/index.ts', 'playbooks/cert-pending/index.ts']);
    const exists = (rel: string) => files.has(rel);
    expect(resolveUnderSrc('aws/clients.ts', './limits.js', exists)).toBe('aws/limits.ts');
    expect(resolveUnderSrc('aws/logs.ts', '../redact/index.js', exists)).toBe('redact/index.ts');
    expect(resolveUnderSrc('playbooks/index.ts', './cert-pending', exists)).toBe('playbooks/cert-pending/index.ts');
    expect(resolveUnderSrc('aws/clients.ts', '@aws-sdk/client-rds', exists)).toBeUndefined();
  });

  it('fails on an import map that crosses the layers', () => {
    const bad = new Map<string, string[]>([
      ['aws/clients.ts', ['engine/limits.ts', 'aws/errors.ts', 'platform/rate-gate.ts']],
      ['aws/logs.ts', ['alerts/redact.ts']],
      ['aws/ecs.ts', ['playbooks/types.ts', 'slack/mrkdwn.ts']],
      ['playbooks/db-down/rules/x.ts', ['slack/render.ts', 'aws/rds.ts']],
      ['alerts/rotation-alert.ts', ['slack/execute-once.ts', 'engine/execute-once.ts', 'playbooks/consumers.ts']],
      // allowed: the upper layers import the lower ones
      ['slack/app.ts', ['alerts/handle.ts', 'playbooks/index.ts', 'aws/clients.ts', 'engine/investigation.ts']],
      ['engine/investigation.ts', ['aws/clients.ts', 'playbooks/index.ts']],
      ['config.ts', ['time.ts']],
    ]);
    expect(violations(bad)).toEqual([
      'src/alerts/rotation-alert.ts → src/slack/execute-once.ts',
      'src/aws/clients.ts → src/engine/limits.ts',
      'src/aws/ecs.ts → src/playbooks/types.ts',
      'src/aws/ecs.ts → src/slack/mrkdwn.ts',
      'src/aws/logs.ts → src/alerts/redact.ts',
      'src/playbooks/db-down/rules/x.ts → src/slack/render.ts',
    ]);
  });
});
