#!/usr/bin/env node
// One esbuild bundle per Lambda function: src/lambda/<fn>.ts → .build/<fn>/index.mjs
// (serverless.yml packages each function from its own folder only), plus a metafile per
// bundle in .build/meta/<fn>.json — outside the function folders so it never ships in a zip.
// Inspect a metafile with `node scripts/bundle.mjs --report` or https://esbuild.github.io/analyze/.
//
// Usage: node scripts/bundle.mjs [--only slack,worker] [--src dir] [--out dir] [--report]
//
// The AWS SDK v3 is bundled, not marked external, although nodejs22.x ships one:
//  - the runtime's SDK version is not ours to pin and changes under a deployed function; the
//    bundle runs exactly the clients `npm test` ran against;
//  - esbuild picks the clients' ES modules (mainFields module first) and tree-shakes them, so
//    only the commands we send and their serde code ship; the runtime copy is loaded whole
//    (CommonJS) from /var/runtime, which costs more at cold start than the bytes saved.
// Nothing else is external either: a Lambda zip has no node_modules.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FUNCTIONS = ['slack', 'worker', 'alerts'];

// Bundled CommonJS (Bolt, its deps) calls require() for node builtins; ESM has no require,
// so give the module one. Named so as not to clash with anything esbuild emits.
const BANNER = [
  "import { createRequire as __whybotCreateRequire } from 'node:module';",
  'const require = __whybotCreateRequire(import.meta.url);',
].join('\n');

/** Packages that cannot run from a Lambda bundle (native addons): fail the build, not the cold start. */
const FORBIDDEN = ['better-sqlite3', 'bindings'];

/**
 * Modules Bolt requires at load time for receivers a Lambda never builds: App.js requires
 * SocketModeReceiver (→ @slack/socket-mode → ws, undici) and Bolt's index requires
 * ExpressReceiver (→ express, body-parser, …). On Lambda the slack function passes an
 * AwsLambdaReceiver, so their constructors never run. They are replaced by a stub whose every
 * export throws when called, which takes ~0.9 MB and ~90 ms of module init off the slack
 * bundle; `test/deploy.test.ts` runs the bundled handlers to prove nothing reaches them.
 */
export const LAMBDA_STUBS = ['@slack/socket-mode', 'express'];

const stubPlugin = (names) => ({
  name: 'whybot-lambda-stubs',
  setup(b) {
    const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'whybot-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'whybot-stub' }, (args) => ({
      loader: 'js',
      contents:
        `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not in the Lambda bundle (scripts/bundle.mjs LAMBDA_STUBS)`)}); };\n` +
        `module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? false : fail) });\n`,
    }));
  },
});

/** node_modules/@scope/name/… → @scope/name; our own sources → "(whybot)". */
export function packageOf(input) {
  // the last node_modules segment names the package that owns the file
  const all = [...input.replaceAll('\\', '/').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return all.at(-1)?.[1] ?? '(whybot)';
}

/** Bytes in the output per package, largest first. */
export function bytesByPackage(metafile) {
  const sums = new Map();
  for (const out of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const pkg = packageOf(input);
      sums.set(pkg, (sums.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function report(fn, metafile, top = 10) {
  const rows = bytesByPackage(metafile);
  const total = rows.reduce((s, [, n]) => s + n, 0);
  const lines = [`${fn}: ${kb(total)} minified`];
  for (const [pkg, n] of rows.slice(0, top)) lines.push(`  ${kb(n).padStart(10)}  ${((100 * n) / total).toFixed(1).padStart(5)}%  ${pkg}`);
  if (rows.length > top) lines.push(`  … ${rows.length - top} more packages`);
  return lines.join('\n');
}

export async function bundle({ fns = FUNCTIONS, src = path.join(root, 'src', 'lambda'), out = path.join(root, '.build'), log = console.log, top = 10 } = {}) {
  await mkdir(path.join(out, 'meta'), { recursive: true });
  const results = [];
  for (const fn of fns) {
    const dir = path.join(out, fn);
    await rm(dir, { recursive: true, force: true });
    const result = await build({
      absWorkingDir: root,
      entryPoints: [path.join(src, `${fn}.ts`)],
      outfile: path.join(dir, 'index.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      minify: true,
      treeShaking: true,
      sourcemap: false,
      mainFields: ['module', 'main'],
      banner: { js: BANNER },
      legalComments: 'external', // licences in index.mjs.LEGAL.txt next to the code, not inside it
      metafile: true,
      logLevel: 'warning',
      plugins: [stubPlugin(LAMBDA_STUBS)],
    });
    const bad = Object.keys(result.metafile.inputs).map(packageOf).filter((p) => FORBIDDEN.includes(p));
    if (bad.length) {
      throw new Error(
        `bundle ${fn} pulls in ${[...new Set(bad)].join(', ')} (native addon, cannot run on Lambda): ` +
          `src/lambda/${fn}.ts must not import the SQLite store (src/store/sqlite.ts, src/store/index.ts)`,
      );
    }
    await writeFile(path.join(out, 'meta', `${fn}.json`), JSON.stringify(result.metafile));
    log(report(fn, result.metafile, top));
    results.push({ fn, metafile: result.metafile });
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      src: { type: 'string' },
      out: { type: 'string' },
      report: { type: 'boolean', default: false },
      top: { type: 'string', default: '10' },
    },
  });
  const fns = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : FUNCTIONS;
  const unknown = fns.filter((f) => !FUNCTIONS.includes(f));
  if (unknown.length) {
    console.error(`unknown function(s): ${unknown.join(', ')} (expected ${FUNCTIONS.join(', ')})`);
    process.exit(2);
  }
  const out = values.out ? path.resolve(values.out) : path.join(root, '.build');
  try {
    if (values.report) {
      for (const fn of fns) {
        const meta = JSON.parse(await readFile(path.join(out, 'meta', `${fn}.json`), 'utf8'));
        console.log(report(fn, meta, Number(values.top)));
      }
    } else {
      await bundle({ fns, src: values.src ? path.resolve(values.src) : undefined, out, top: Number(values.top) });
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
