/**
 * Can the heap ratio reach heap.highRatio before V8 runs out of old space? The agent's ratio
 * is heap used / heap_size_limit, and heap_size_limit is the old-space limit
 * (--max-old-space-size) plus the young generation's reservation. Heap used cannot grow much
 * past the old-space limit (a leak's objects are promoted there), so when
 * highRatio * heap_size_limit is above the old-space limit, NodejsHeapUsageHigh, the streak
 * and the liveness restart can never happen: the process dies of an OOM first.
 *
 * Checked with this machine's Node (the tests run on Node 24, as the default image does) and
 * the NODE_OPTIONS synthesized for the default config and for the demo config.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HeapwatchConfigInput, resolveConfig } from '../../src/config';
import { DEMO_CONFIG } from '../harness/demo-config';
import { synthesizeDefaultChart } from '../harness/demo-chart';
import { containerOf, envOf, readManifests, workloadWithContainer } from '../harness/manifests';

/** heap_size_limit of a Node process started with `nodeOptions` (the agent's --require left out: only V8 flags matter). */
function heapSizeLimit(nodeOptions: string): number {
  const v8Flags = nodeOptions.replace(/--require[ =]\S+/g, '').trim();
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'], {
    env: { PATH: process.env.PATH, NODE_OPTIONS: v8Flags },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

function synthesizedNodeOptions(input: HeapwatchConfigInput): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-e2e-limit-'));
  try {
    const manifests = readManifests(synthesizeDefaultChart(input, dir));
    const app = workloadWithContainer(manifests, 'app');
    return envOf(app, containerOf(app, 'app')).NODE_OPTIONS;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe(`the heap ratio can reach heap.highRatio before the old space is full (Node ${process.version})`, () => {
  for (const [name, input] of [['default config', {}], ['demo config', DEMO_CONFIG]] as const) {
    it(name, () => {
      const config = resolveConfig(input);
      const nodeOptions = synthesizedNodeOptions(input);
      const oldSpaceMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1]);
      assert.ok(oldSpaceMiB > 0, `NODE_OPTIONS sets --max-old-space-size: ${nodeOptions}`);
      const limit = heapSizeLimit(nodeOptions);
      const oldSpace = oldSpaceMiB * 2 ** 20;
      const needed = config.heap.highRatio * limit;
      assert.ok(needed < oldSpace,
        `with NODE_OPTIONS="${nodeOptions}" V8's heap_size_limit is ${(limit / 2 ** 20).toFixed(0)} MiB, so the ratio reaches ` +
        `heap.highRatio ${config.heap.highRatio} only at ${(needed / 2 ** 20).toFixed(0)} MiB used, beyond the ${oldSpaceMiB} MiB old space: ` +
        `the app dies of an OOM before NodejsHeapUsageHigh can fire (the limit includes ${((limit - oldSpace) / 2 ** 20).toFixed(0)} MiB of young-generation reservation)`);
    });
  }
});
