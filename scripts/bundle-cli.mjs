#!/usr/bin/env node
// The CLI as one esbuild build: src/entry/cli.ts → dist/cli/whybot.mjs (+ chunks), what the
// `whybot` bin runs. `npm run build` runs this after tsc.
//
// Why a bundle: run from tsc's output, a command spends most of its time resolving and
// compiling hundreds of small files (the AWS SDK's CommonJS builds, zod, pino), not asking
// AWS. Bundled, each command reads a few minified files.
//  - ESM with code splitting: every `await import()` in the sources (a playbook, audit, watch,
//    the credential providers inside the SDK) becomes its own chunk, so `whybot --help` and
//    usage errors load only the small entry file and db-down never loads Route 53 or EC2.
//  - mainFields module first: the SDK's ES module builds, which esbuild can tree-shake.
//  - better-sqlite3 stays external (a native addon; `whybot audit` loads it from node_modules).
//
// Usage: node scripts/bundle-cli.mjs [--out dir] [--metafile]
import { build } from 'esbuild';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Bundled CommonJS (bottleneck, pino, the Slack client) calls require() for node builtins; ESM
// has no require, so each chunk gets one. Named so as not to clash with anything esbuild emits.
const BANNER = [
  "import { createRequire as __whybotCreateRequire } from 'node:module';",
  'const require = __whybotCreateRequire(import.meta.url);',
].join('\n');

/** Native addons cannot be bundled: resolved from node_modules at run time. */
const EXTERNAL = ['better-sqlite3'];

export async function bundleCli({ out = path.join(root, 'dist', 'cli'), metafile = false } = {}) {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { whybot: path.join(root, 'src', 'entry', 'cli.ts') },
    outdir: out,
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    treeShaking: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    banner: { js: BANNER },
    legalComments: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  const entry = path.join(out, 'whybot.mjs');
  await chmod(entry, 0o755);
  if (metafile) await writeFile(path.join(out, 'meta.json'), JSON.stringify(result.metafile));
  return { entry, metafile: result.metafile };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, metafile: { type: 'boolean', default: false } } });
  try {
    await bundleCli({ ...(values.out ? { out: path.resolve(values.out) } : {}), metafile: values.metafile ?? false });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
