#!/usr/bin/env node
// One esbuild bundle per Lambda function: src/lambda/<fn>.ts → .build/<fn>/index.mjs, plus
// the chunks its dynamic imports split off in .build/<fn>/chunks/ (serverless.yml packages
// each function from its own folder only), and a metafile per bundle in .build/meta/<fn>.json
// — outside the function folders so it never ships in a zip.
//
// Code splitting: whatever src/ loads with `import()` (the playbooks, each remediation's
// implementation and its SDK client) is a chunk of its own, read from disk and evaluated only
// when first imported. Without it esbuild inlines dynamic imports into index.mjs, where the
// cold start parses them all (the worker's EC2 client alone is ~850 KB).
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
export const FUNCTIONS = ['slack', 'worker', 'alerts', 'failures'];

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
 * AwsLambdaReceiver, so their constructors never run. They are replaced by a stub that throws
 * as soon as any member is read, which takes ~0.9 MB and ~90 ms of module init off the slack
 * bundle; `test/deploy.test.ts` runs the bundled handlers to prove nothing reaches them.
 */
export const LAMBDA_STUBS = ['@slack/socket-mode', 'express', 'raw-body', '@slack/oauth'];
// raw-body (→ iconv-lite, http-errors, …; ~0.5 MB, a third of the slack bundle) is required
// by ExpressReceiver and receivers/HTTPModuleFunctions.js, which only buffer a Node http
// request (HTTPReceiver, ExpressReceiver); AwsLambdaReceiver gets the body as a string.
// @slack/oauth (→ jsonwebtoken, semver, jws, …) is required by the index and the HTTP, Express
// and Socket Mode receivers for OAuth installs; whybot is a single-workspace app with a bot
// token, so App never builds an InstallProvider.

/**
 * Modules replaced by another in one function's bundle, as paths from the repository root.
 * alerts runs no button, only WHYBOT_AUTO_REDEPLOY's ECS redeploys, but reaches the registry
 * (src/alerts/rotation-alert.ts → src/slack/remediate-worker.ts → src/remediations/index.ts);
 * with the full loader table its bundle would hold every action's client, EC2's included.
 */
export const FUNCTION_SUBSTITUTES = {
  alerts: { 'src/remediations/executors.ts': 'src/remediations/policy-executors.ts' },
};

/** Replaces the modules in `map`; records in `used` which were replaced, so a stale entry fails the build. */
const substitutePlugin = (map, used) => ({
  name: 'whybot-function-substitutes',
  setup(b) {
    const byPath = new Map(Object.entries(map).map(([from, to]) => [path.join(root, from), path.join(root, to)]));
    if (byPath.size === 0) return;
    b.onResolve({ filter: /^\./ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const to = byPath.get(target);
      if (!to || args.importer === to) return undefined;
      used.add(path.relative(root, target));
      return { path: to };
    });
  },
});

const stubPlugin = (names) => ({
  name: 'whybot-lambda-stubs',
  setup(b) {
    const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'whybot-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'whybot-stub' }, (args) => ({
      loader: 'js',
      // Reading any member fails, not only calling one: `require()` itself and the interop
      // helpers' `__esModule` check are all a bundle may do with a stub, so a handler that
      // runs at all has proven nothing touched it (test/deploy.test.ts, "bundles run").
      contents:
        `const fail = (key) => { throw new Error(${JSON.stringify(`${args.path} is not in the Lambda bundle (scripts/bundle.mjs LAMBDA_STUBS); read: `)} + String(key)); };\n` +
        `module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? false : fail(key)) });\n`,
    }));
  },
});

/** node_modules/@scope/name/… → @scope/name; our own sources → "(whybot)". */
export function packageOf(input) {
  // the last node_modules segment names the package that owns the file
  const all = [...input.replaceAll('\\', '/').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return all.at(-1)?.[1] ?? '(whybot)';
}

/**
 * The outputs a cold start loads: the entry and the chunks it imports statically, and so on.
 * Chunks reached only through import() are loaded when that code first runs.
 */
export function initialOutputs(metafile, entry) {
  const seen = new Set();
  const visit = (out) => {
    if (seen.has(out) || !metafile.outputs[out]) return;
    seen.add(out);
    for (const i of metafile.outputs[out].imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return [...seen];
}

/** The entry output of a bundle's metafile (.build/<fn>/index.mjs; chunks split off at import() have an entryPoint too). */
export const entryOutput = (metafile) => Object.keys(metafile.outputs).find((o) => o.endsWith('/index.mjs') && metafile.outputs[o].entryPoint?.startsWith('src/lambda/'));

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
  const entry = entryOutput(metafile);
  const initial = new Set(entry ? initialOutputs(metafile, entry) : []);
  const atInit = Object.entries(metafile.outputs).filter(([o]) => initial.has(o)).reduce((s, [, o]) => s + o.bytes, 0);
  const chunks = Object.keys(metafile.outputs).filter((o) => o.endsWith('.mjs')).length;
  const lines = [`${fn}: ${kb(total)} minified in ${chunks} file(s); ${kb(atInit)} loaded at init (${initial.size} file(s)), the rest on first import()`];
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
    const substituted = new Set();
    const result = await build({
      absWorkingDir: root,
      entryPoints: [path.join(src, `${fn}.ts`)],
      outdir: dir,
      entryNames: 'index',
      chunkNames: 'chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      splitting: true,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      minify: true,
      treeShaking: true,
      // linked maps next to each output (NODE_OPTIONS=--enable-source-maps in serverless.yml):
      // stack traces name src/…ts lines; without sourcesContent a map holds only the mappings
      sourcemap: 'linked',
      sourcesContent: false,
      mainFields: ['module', 'main'],
      banner: { js: BANNER },
      legalComments: 'external', // licences in index.mjs.LEGAL.txt next to the code, not inside it
      metafile: true,
      logLevel: 'warning',
      plugins: [stubPlugin(LAMBDA_STUBS), substitutePlugin(FUNCTION_SUBSTITUTES[fn] ?? {}, substituted)],
    });
    // a substitute for a module that moved or is no longer imported must fail, not silently stop applying
    const stale = Object.keys(FUNCTION_SUBSTITUTES[fn] ?? {}).filter((from) => !substituted.has(from));
    if (stale.length) throw new Error(`bundle ${fn}: FUNCTION_SUBSTITUTES names ${stale.join(', ')}, which nothing in the bundle imports any more`);
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
