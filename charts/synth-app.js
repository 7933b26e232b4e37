// What `cdk8s synth` runs (cdk8s.yaml). Runs `npm run build`'s two steps (tsc, then the
// bundler writing build/bundles/, which the chart reads) only when a source file is newer than
// the last build or a bundle is missing, then runs the compiled default chart. A fresh build
// costs nothing here, and an edited chart is never synthesized from stale JavaScript.
// Plain JavaScript on purpose: it has to run before anything is compiled.
'use strict';
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'build', '.tsbuildinfo');
/** What scripts/bundle.ts writes (AGENT_BUNDLE and EXPORTER_BUNDLE there). */
const bundles = ['heapwatch-agent.js', 'heapwatch-exporter.js'].map((f) => join(root, 'build', 'bundles', f));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** When the last complete build ended: 0 when the compiled code or a bundle is missing. */
function builtAt() {
  return Math.min(mtime(stamp), ...bundles.map(mtime));
}

function run(args) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const sources = Math.max(
  newestSource(join(root, 'src')), newestSource(join(root, 'charts')), newestSource(join(root, 'scripts')), statSync(join(root, 'tsconfig.json')).mtimeMs,
);
if (sources > builtAt()) {
  run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root]);
  const now = new Date();
  utimesSync(stamp, now, now); // tsc leaves the stamp alone when nothing changed
  run([join(root, 'build', 'scripts', 'bundle.js')]);
}
require(join(root, 'build', 'charts', 'main.js'));
