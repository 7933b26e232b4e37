// What `cdk8s synth` runs (cdk8s.yaml). Compiles the TypeScript only when a source file is
// newer than the last build, then runs the compiled default chart. A fresh build costs
// nothing here, and an edited chart is never synthesized from stale JavaScript.
// Plain JavaScript on purpose: it has to run before anything is compiled.
'use strict';
const { spawnSync } = require('node:child_process');
const { copyFileSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'build', '.tsbuildinfo');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return 0;
  }
}

const sources = Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'charts')), statSync(join(root, 'tsconfig.json')).mtimeMs);
if (sources > builtAt()) {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const now = new Date();
  utimesSync(stamp, now, now); // tsc leaves the stamp alone when nothing changed
}
// STAND-IN until the agent-modules branch's build writes build/bundles/: the two files the
// watched app's ConfigMaps carry (src/app/shipped-code.ts reads them), rebuilt when stale.
const bundles = join(root, 'build', 'bundles');
function bundledAt() {
  try {
    return Math.min(statSync(join(bundles, 'heapwatch-agent.js')).mtimeMs, statSync(join(bundles, 'heapwatch-exporter.js')).mtimeMs);
  } catch {
    return 0;
  }
}
if (sources > bundledAt()) {
  const bundle = spawnSync(process.execPath, [join(root, 'build', 'src', 'exporter', 'bundle.js'), join(bundles, 'heapwatch-exporter.js')], { stdio: 'inherit' });
  if (bundle.status !== 0) process.exit(bundle.status ?? 1);
  copyFileSync(join(root, 'src', 'agent', 'heapwatch-agent.js'), join(bundles, 'heapwatch-agent.js'));
}
require(join(root, 'build', 'charts', 'main.js'));
