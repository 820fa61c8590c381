// What /why-build-failed needs from an inline buildspec (YAML): the `install` phase's
// commands, and the secrets the `env` section asks CodeBuild to resolve before the build
// (`env.secrets-manager`, `env.parameter-store`: name → reference). No YAML library is
// installed, so this reads only the block-style subset buildspecs are written in (mappings by
// indentation, `- ` sequences, plain/quoted scalars, `|`/`>` blocks, flow `[a, b]` lists) and
// skips what it does not understand rather than guessing. Commands are redacted.
import { redactSecrets } from '../redact/index.js';

export interface BuildspecFacts {
  installCommands: string[];
  /** env.secrets-manager: variable → secret-id:json-key:stage:version */
  secretsManager: Record<string, string>;
  /** env.parameter-store: variable → parameter name */
  parameterStore: Record<string, string>;
}

interface Line {
  indent: number;
  text: string;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  return t;
}

/** Drops a trailing ` # comment` outside quotes. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  return text;
}

function lines(spec: string): Line[] {
  return spec
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((raw) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim() }));
}

/** The lines of the block under the key at `i` (more indented than it), as [start, end). */
function blockOf(ls: Line[], i: number): [number, number] {
  const base = ls[i]!.indent;
  let j = i + 1;
  while (j < ls.length && (ls[j]!.text === '' || ls[j]!.text.startsWith('#') || ls[j]!.indent > base)) j++;
  // a sequence may sit at the key's own indentation (`key:\n- a`)
  while (j < ls.length && ls[j]!.indent === base && ls[j]!.text.startsWith('- ')) {
    j++;
    while (j < ls.length && (ls[j]!.text === '' || ls[j]!.indent > base)) j++;
  }
  return [i + 1, j];
}

/** The index of `key:` directly inside [start, end) at its shallowest indentation. */
function findKey(ls: Line[], [start, end]: [number, number], key: string): number | undefined {
  let indent: number | undefined;
  for (let i = start; i < end; i++) {
    const l = ls[i]!;
    if (l.text === '' || l.text.startsWith('#')) continue;
    indent ??= l.indent;
    if (l.indent !== indent) continue;
    const m = /^(["']?)([^"':]+)\1\s*:(?:\s|$)/.exec(l.text);
    if (m && m[2]!.trim() === key) return i;
  }
  return undefined;
}

const inlineValue = (l: Line) => stripComment(l.text.slice(l.text.indexOf(':') + 1)).trim();

/** A block scalar (`|`, `>`, with chomping indicators) starting after line `i`. */
function blockScalar(ls: Line[], [start, end]: [number, number], folded: boolean): string {
  const body = ls.slice(start, end).map((l) => l.text);
  while (body.length > 0 && body.at(-1) === '') body.pop();
  return folded ? body.join(' ').replace(/\s+/g, ' ').trim() : body.join('\n');
}

/** The sequence under the key at `i`: `- item` lines (items may be block scalars or continue on deeper lines), or a flow list. */
function sequence(ls: Line[], i: number): string[] {
  const inline = inlineValue(ls[i]!);
  if (inline.startsWith('[') && inline.endsWith(']'))
    return inline
      .slice(1, -1)
      .split(',')
      .map(unquote)
      .filter((v) => v !== '');
  const [start, end] = blockOf(ls, i);
  const out: string[] = [];
  for (let j = start; j < end; j++) {
    const l = ls[j]!;
    if (!l.text.startsWith('-')) continue;
    const item = stripComment(l.text.replace(/^-\s?/, ''));
    // the item's continuation lines: deeper than its dash
    let k = j + 1;
    while (k < end && (ls[k]!.text === '' || ls[k]!.indent > l.indent) && !(ls[k]!.indent === l.indent && ls[k]!.text.startsWith('-'))) k++;
    if (/^[|>][+-]?$/.test(item)) out.push(blockScalar(ls, [j + 1, k], item.startsWith('>')));
    else {
      const more = ls.slice(j + 1, k).map((x) => x.text).filter((t) => t !== '' && !t.startsWith('#'));
      out.push(unquote([item, ...more].join(' ')));
    }
    j = k - 1;
  }
  return out.filter((c) => c !== '');
}

/** `name: value` pairs of the mapping under the key at `i`. */
function mapping(ls: Line[], i: number): Record<string, string> {
  const out: Record<string, string> = {};
  const [start, end] = blockOf(ls, i);
  let indent: number | undefined;
  for (let j = start; j < end; j++) {
    const l = ls[j]!;
    if (l.text === '' || l.text.startsWith('#')) continue;
    indent ??= l.indent;
    if (l.indent !== indent) continue;
    const m = /^(["']?)([^"':]+)\1\s*:\s*(.*)$/.exec(l.text);
    if (m) out[m[2]!.trim()] = unquote(stripComment(m[3]!));
  }
  return out;
}

export function parseBuildspec(spec: string): BuildspecFacts {
  const ls = lines(spec);
  const all: [number, number] = [0, ls.length];
  const facts: BuildspecFacts = { installCommands: [], secretsManager: {}, parameterStore: {} };
  const phases = findKey(ls, all, 'phases');
  const install = phases === undefined ? undefined : findKey(ls, blockOf(ls, phases), 'install');
  const commands = install === undefined ? undefined : findKey(ls, blockOf(ls, install), 'commands');
  if (commands !== undefined) facts.installCommands = sequence(ls, commands).map(redactSecrets);
  const env = findKey(ls, all, 'env');
  if (env !== undefined) {
    const sm = findKey(ls, blockOf(ls, env), 'secrets-manager');
    const ps = findKey(ls, blockOf(ls, env), 'parameter-store');
    if (sm !== undefined) facts.secretsManager = mapping(ls, sm);
    if (ps !== undefined) facts.parameterStore = mapping(ls, ps);
  }
  return facts;
}

/** Commands that install or refresh CA certificates: what cannot help a DOWNLOAD_SOURCE failure. */
export function caInstallCommands(commands: readonly string[]): string[] {
  return commands.filter((c) => /ca-certificates|update-ca-certificates|update-ca-trust|\bcertifi\b|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE/i.test(c));
}
