// Local osls plugin (serverless.yml `plugins`): bundles the functions with scripts/bundle.mjs
// right before osls zips them, so `npx osls package` / `deploy` / `deploy function` always ship
// bundles built from the current sources — never a stale or missing .build/.
// scripts/package.mjs bundles once for its two package runs and sets WHYBOT_BUNDLED=1.
// CommonJS on purpose: osls require()s plugins; bundle.mjs is loaded with import() when needed.
'use strict';

const path = require('node:path');
const { pathToFileURL } = require('node:url');

class WhybotBundlePlugin {
  constructor(serverless, options, { log } = {}) {
    const run = async (only) => {
      if (process.env.WHYBOT_BUNDLED === '1') return;
      const { bundle, FUNCTIONS } = await import(pathToFileURL(path.join(__dirname, 'bundle.mjs')).href);
      const fns = only ? FUNCTIONS.filter((f) => f === only) : FUNCTIONS;
      const t = Date.now();
      await bundle({ fns, log: (line) => log && log.verbose(line) });
      const note = `Bundled ${fns.join(', ')} with esbuild in ${Date.now() - t} ms (sizes by package: node scripts/bundle.mjs --report)`;
      if (log) log.notice(note);
      else console.log(note);
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => run(),
      'before:deploy:function:packageFunction': () => run(options.function),
    };
  }
}

module.exports = WhybotBundlePlugin;
