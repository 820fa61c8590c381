#!/usr/bin/env node
// The CLI as esbuild bundles, what the `whybot` bin runs; `npm run build` runs this after tsc.
//
//   dist/cli/whybot.cjs                  the bin: picks the bundle for argv[2] and runs it
//   dist/cli/commands/<command>-<hash>.cjs   src/entry/cli.ts with only that command's code
//   dist/cli/commands/base-<hash>.cjs    --help, usage errors: no playbook, no audit, no watch
//   dist/cli/cache/                      V8 code cache, written by the first run of each bundle
//
// Why: run from tsc's output, db-down spent ~0.8 s of its ~1 s resolving and compiling
// hundreds of files (the AWS SDK's CommonJS builds, zod, pino); the AWS calls take ~0.1 s.
//  - One bundle per command: every bundle is all of src/entry/cli.ts, but its import()s (and
//    src/playbooks/index.ts's) are rewritten per command (commandPlugin below): what the
//    command runs is imported statically, what it never runs (another playbook, audit, watch)
//    is not in the bundle, so db-down never reads Route 53, EC2 or Slack code, and the base
//    bundle for --help and usage errors holds the catalog and, lazily, the config.
//  - One file per command rather than ESM code splitting: Node 20 links and evaluates ESM
//    module by module (a split db-down is ~35 chunks), and a CommonJS file can be compiled
//    with a V8 code cache, which Node 20 offers for no ES module.
//  - The code cache: compiling ~0.7 MB of SDK and zod, and compiling each function the first
//    time it runs, is most of what is left. whybot.cjs compiles a bundle with vm.Script and
//    V8's cached data from dist/cli/cache when there is one; at exit, if there was none (or
//    V8 rejected it: another Node, other V8 flags), it writes one for the next run. The file
//    is named by the bundle's content hash and the Node version, so a rebuild or another Node
//    never reads a stale cache; V8 checks it too and falls back to compiling. A cache that
//    cannot be written (read-only install) is skipped: whybot runs the same, only slower.
//  - mainFields module first: the SDK's ES module builds, which esbuild tree-shakes; minified.
//  - better-sqlite3 stays external (a native addon; `whybot audit` requires it from node_modules).
//
// Usage: node scripts/bundle-cli.mjs [--out dir] [--metafile]
import { build } from 'esbuild';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = (...p) => path.join(root, 'src', ...p);

/** Native addons cannot be bundled: required from node_modules at run time. */
const EXTERNAL = ['better-sqlite3'];

/** The playbooks' names, from the catalog the CLI itself prints. */
async function playbookNames() {
  const out = await build({ entryPoints: [src('playbooks', 'catalog.ts')], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  return Object.keys(mod.PLAYBOOK_CATALOG);
}

/** Only with WHYBOT_DB_PATH or WHYBOT_TABLE: the store whose rate limits the bot's processes share. */
const SHARED_LIMITS = ['../store/index.js', '../store/rate-gate.js', '../platform/rate-gate.js', '../aws/own-account.js'];

// What each bundle's src/entry/cli.ts may import(), by the module it names. `--help`, usage
// errors and a bad environment never get past the config, so the base bundle stops there.
const CLI_BASE = ['../config.js'];
const CLI_PLAYBOOK = [...CLI_BASE, '../playbooks/invocation.js', '../playbooks/index.js', '../aws/clients.js', '../playbooks/candidates.js', '../playbooks/places.js', '../aws/for-config.js', '../render/text.js', '../logger.js', ...SHARED_LIMITS];
/** `whybot demo`: the AWS double, the scenarios and every playbook (src/sandbox/app/demo.ts). */
const CLI_DEMO = [...CLI_BASE, '../sandbox/app/demo.js'];
/**
 * The demo bundle reads scenarios/ through src/sandbox/scenario.ts's import.meta.url, which a
 * CommonJS bundle has not: it is defined as that module's own URL, from the bundle's place in
 * dist/cli/commands/.
 */
const DEMO_IMPORT_META = {
  define: { 'import.meta.url': '__whybotScenarioModuleUrl' },
  banner: { js: `var __whybotScenarioModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', '..', '..', 'src', 'sandbox', 'scenario.js')).href;` },
};
/**
 * Stay lazy even where they are in the bundle: pino loads only if a check fails with an
 * internal error; the store only when the bot's is named; the base bundle's `--help` does not
 * start zod.
 */
const LAZY = (command) => new Set(command === 'base' ? ['../logger.js', '../config.js'] : ['../logger.js', ...SHARED_LIMITS]);

/**
 * Each bundle's src/entry/cli.ts and src/playbooks/index.ts with their `import()`s rewritten:
 * a module this command runs becomes a static import, one it never runs (another playbook,
 * audit, watch; everything but the config for the base bundle) a rejected promise, so it is
 * not in the bundle at all. Static, because esbuild wraps a module reached through import()
 * (and everything it imports) in a lazy initialiser it cannot tree-shake: db-down's SDK
 * clients weigh twice as much that way. The bin picks the bundle by the same argv[2] that
 * cli.ts dispatches on, so a rejected import is never reached.
 */
/** Playbooks that run another one inside a check (deploy-failed runs decrypt-denied on a KMS denial). */
const NESTED = { 'deploy-failed': ['decrypt-denied'] };
/** What src/playbooks/index.ts's import() of a playbook names: its folder's index.ts (or, before it moved, its file). */
const playbookModules = (p) => [`./${p}/index.js`, `./${p}.js`];

function commandPlugin(command, playbooks) {
  const runs = command === 'demo' ? playbooks : [command, ...(NESTED[command] ?? [])];
  const allowed = new Map([
    [src('entry', 'cli.ts'), command === 'base' ? CLI_BASE : playbooks.includes(command) ? CLI_PLAYBOOK : command === 'demo' ? CLI_DEMO : [...CLI_BASE, `./${command}.js`]],
    // the demo runs whichever playbook the scenario is about
    [src('playbooks', 'index.ts'), runs.flatMap(playbookModules)],
  ]);
  // every import() these files may make; a new one fails the build instead of a command
  const known = new Map([
    [src('entry', 'cli.ts'), new Set([...CLI_PLAYBOOK, './audit.js', './watch.js', ...CLI_DEMO])],
    [src('playbooks', 'index.ts'), new Set(playbooks.flatMap(playbookModules))],
  ]);
  const lazy = LAZY(command);
  return {
    name: 'whybot-cli-command',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const keep = allowed.get(args.path);
        if (!keep) return undefined;
        const text = await readFile(args.path, 'utf8');
        const hoisted = [];
        const contents = text.replace(/(?<![\w.])(?<!typeof\s+)import\((['"])([^'"]+)\1\)/g, (_, _q, spec) => {
          if (!known.get(args.path).has(spec))
            throw new Error(`${path.relative(root, args.path)} imports ${spec}: say in scripts/bundle-cli.mjs which CLI bundles run it`);
          if (!keep.includes(spec)) return `Promise.reject(new Error(${JSON.stringify(`${spec} is not in the ${command} CLI bundle (scripts/bundle-cli.mjs)`)}))`;
          if (lazy.has(spec)) return `import(${JSON.stringify(spec)})`;
          const name = `__whybotStatic${hoisted.length}`;
          hoisted.push(`import * as ${name} from ${JSON.stringify(spec)};`);
          return `Promise.resolve(${name})`;
        });
        return { contents: contents.replace(/^(#!.*\n)?/, (shebang) => `${shebang}${hoisted.join(' ')}`), loader: 'ts' };
      });
    },
  };
}

const LOADER = (bundles) => `#!/usr/bin/env node
'use strict';
// Generated by scripts/bundle-cli.mjs: runs the bundle of src/entry/cli.ts made for argv[2],
// compiled with the V8 code cache in ./cache when there is one (see that script).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const BUNDLES = ${JSON.stringify(bundles, null, 2)};
const command = process.argv[2];
const bundle = Object.hasOwn(BUNDLES, command) ? BUNDLES[command] : BUNDLES.base;
const file = path.join(__dirname, 'commands', bundle);
const cacheDir = path.join(__dirname, 'cache');
const cacheFile = path.join(cacheDir, \`\${bundle}-\${process.version}-\${process.arch}.v8\`);

let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
if (!cachedData || script.cachedDataRejected) {
  // after the run, so the cache holds every function this command compiled, not just the top level
  process.once('exit', () => {
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = \`\${cacheFile}.\${process.pid}.tmp\`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {}
  });
}
const module_ = { exports: {}, filename: file, id: file };
script.runInThisContext()(module_.exports, Module.createRequire(file), module_, file, path.dirname(file));
`;

export async function bundleCli({ out = path.join(root, 'dist', 'cli'), metafile = false } = {}) {
  await rm(out, { recursive: true, force: true });
  await mkdir(path.join(out, 'commands'), { recursive: true });
  const playbooks = await playbookNames();
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const bundles = {};
  const metas = {};
  for (const command of ['base', ...playbooks, 'audit', 'watch', 'demo']) {
    const result = await build({
      absWorkingDir: root,
      entryPoints: { [command]: src('entry', 'cli.ts') },
      outdir: path.join(out, 'commands'),
      entryNames: '[name]-[hash]',
      outExtension: { '.js': '.cjs' },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      // import() becomes a lazy require of the bundled module: no ES module loader at run time
      supported: { 'dynamic-import': false },
      minify: true,
      treeShaking: true,
      sourcemap: false,
      mainFields: ['module', 'main'],
      external: EXTERNAL,
      legalComments: 'external', // licences in <bundle>.LEGAL.txt beside it, not compiled at every run
      metafile: true,
      write: false,
      logLevel: 'warning',
      plugins: [commandPlugin(command, playbooks)],
      ...(command === 'demo' ? DEMO_IMPORT_META : {}),
      // `whybot --version` without reading package.json at run time (src/entry/cli-usage.ts)
      define: { ...(command === 'demo' ? DEMO_IMPORT_META.define : {}), __WHYBOT_VERSION__: JSON.stringify(version) },
    });
    for (const f of result.outputFiles) {
      // the loader wraps the code in a function, where cli.ts's #! line would not parse
      await writeFile(f.path, f.path.endsWith('.cjs') ? f.text.replace(/^#!.*\n/, '') : f.contents);
      if (f.path.endsWith('.cjs')) bundles[command] = path.basename(f.path);
    }
    metas[command] = result.metafile;
  }
  const entry = path.join(out, 'whybot.cjs');
  await writeFile(entry, LOADER(bundles));
  await chmod(entry, 0o755);
  if (metafile) await writeFile(path.join(out, 'meta.json'), JSON.stringify(metas));
  return { entry, bundles, metafiles: metas };
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
