#!/usr/bin/env node
// Offline proof of the AWS deployment: build, bundle, and `osls package` twice —
//   .serverless/           writes allowed: --param readOnly=false (stage ci, us-east-1), with
//                          --param autoRedeploy and kmsKeys set so every scoped write is there
//   .serverless-readonly/  the deployment as it is by default (no --param: read-only)
// test/deploy.test.ts reads both CloudFormation templates (and runs this script itself,
// with --if-stale, when they are missing or older than their inputs).
//
// Usage: node scripts/package.mjs [--skip-build] [--if-stale] [--no-isolate]
//
// Offline: osls (the open-source Serverless Framework v3 fork) has no telemetry, update
// check or notifications (upstream's analytics/notification helpers are not in it), and
// `package` calls no AWS API as long as serverless.yml uses no ${aws:…}/${cf:…}/${ssm:…}/${s3:…}
// variables (it uses CloudFormation pseudo parameters instead). Dummy credentials keep the
// SDK's credential chain from looking for real ones (IMDS, SSO, profiles). Where Linux user
// namespaces are available, osls runs under `unshare -rn`: a network namespace with no
// interface up, so any attempt to phone home would fail the run rather than go unnoticed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from './bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const STAGE = 'ci';
export const REGION = 'us-east-1';
export const OUT = { default: path.join(root, '.serverless'), readOnly: path.join(root, '.serverless-readonly') };
export const TEMPLATE = 'cloudformation-template-update-stack.json';
/** the writes-allowed variant's WHYBOT_AUTO_REDEPLOY and listed KMS keys (test/deploy.test.ts reads them back) */
export const AUTO_REDEPLOY = 'payments/*';
export const KMS_KEYS = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** the writes-allowed variant's member accounts (--param accounts): the deploy test checks the grant made from them */
export const ACCOUNTS_FILE = 'test/fixtures/member-accounts.yml';

/** Newest modification time among the files the packaged templates are made from. */
function newestInput() {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['serverless.yml', 'package-lock.json', 'scripts', 'src', ACCOUNTS_FILE]) visit(path.join(root, p));
  return newest;
}

export function isStale() {
  const outputs = [
    ...Object.values(OUT).map((d) => path.join(d, TEMPLATE)),
    ...['slack', 'worker', 'alerts', 'failures'].map((fn) => path.join(OUT.default, `${fn}.zip`)),
  ];
  if (!outputs.every(existsSync)) return true;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return newestInput() > oldestOutput;
}

function run(cmd, args, env = {}) {
  const t = Date.now();
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: merged });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} exited with ${r.status ?? r.signal}`);
  return Date.now() - t;
}

/**
 * One packager at a time (vitest, the bench and a shell may all ask): osls deletes
 * .serverless/ at the start of every run, so a second run would pull the files from under
 * the first. mkdir is atomic; a lock whose process is gone is taken over.
 */
async function withLock(fn) {
  const lock = path.join(root, '.package.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {}
      let alive = false;
      if (Number.isInteger(holder)) {
        try {
          process.kill(holder, 0);
          alive = true;
        } catch {}
      }
      if (!alive && statSync(lock, { throwIfNoEntry: false }) && Date.now() - statSync(lock).mtimeMs > 2_000) {
        rmSync(lock, { recursive: true, force: true }); // left by a process that died
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by process ${holder}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const canIsolate = () => process.platform === 'linux' && spawnSync('unshare', ['-rn', 'true'], { stdio: 'ignore' }).status === 0;

export async function packageAll({ build = true, isolate = true, log = console.log } = {}) {
  if (build) log(`npm run build: ${run('npm', ['run', 'build', '--silent'])} ms`);
  const t = Date.now();
  await bundle({ log });
  log(`bundles: ${Date.now() - t} ms`);

  const osls = path.join(root, 'node_modules', 'osls', 'bin', 'serverless.js');
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIDOFFLINEPACKAGE',
    AWS_SECRET_ACCESS_KEY: 'offline-package',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_DEPRECATION_DISABLE: '*',
    WHYBOT_BUNDLED: '1', // bundled above, once: the osls plugin need not bundle again per run
    CI: 'true', // never prompt
  };
  const isolated = isolate && canIsolate();
  log(isolated ? 'osls runs without network (unshare -rn)' : 'osls runs with the host network (no user namespaces here)');
  // readOnly first: every `osls package` deletes <service>/.serverless (whatever --package says)
  for (const variant of ['readOnly', 'default']) {
    const dir = OUT[variant];
    const args = [osls, 'package', '--stage', STAGE, '--region', REGION, '--package', dir];
    // readOnly: exactly what a deploy without parameters gets
    if (variant === 'default') args.push('--param', 'readOnly=false', '--param', `autoRedeploy=${AUTO_REDEPLOY}`, '--param', `kmsKeys=${KMS_KEYS}`, '--param', `accounts=${ACCOUNTS_FILE}`);
    const ms = isolated ? run('unshare', ['-rn', process.execPath, ...args], env) : run(process.execPath, args, env);
    log(`osls package (${variant}): ${ms} ms → ${path.relative(root, dir)}/`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'skip-build': { type: 'boolean', default: false },
      'if-stale': { type: 'boolean', default: false },
      'no-isolate': { type: 'boolean', default: false },
    },
  });
  try {
    await withLock(async () => {
      if (values['if-stale'] && !isStale()) console.log('packaged templates are up to date');
      else await packageAll({ build: !values['skip-build'], isolate: !values['no-isolate'] });
    });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
