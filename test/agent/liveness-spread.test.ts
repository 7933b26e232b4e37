/**
 * "A fleet never restarts all at once": three replicas of a leaking app, started together on
 * one machine with the same leak, each with its own pod name (HEAPWATCH_POD_NAME). Without the
 * spread their /livez would fail at the same check; with it, the pods in different slots fail
 * more than one start-up time apart (the kubelet restarts each on its own failure).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { livenessSpread } from '../../src/agent/streak';
import { AgentApp, freePort, highRatioAt, MiB, NODES, startApp, tempDir } from '../support/agent-harness';

/** Pod names as one Deployment's ReplicaSet makes them. */
const PODS = ['leaky-7d9c5b8f4-x2k9q', 'leaky-7d9c5b8f4-m8w4t', 'leaky-7d9c5b8f4-q7zr2'];

async function failedAt(app: AgentApp): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = app.logs().find((l) => String(l.msg).startsWith('Liveness failing'));
    if (line) return Date.parse(String(line.time));
    assert.ok(!app.hasExited(), `the app exited:\n${app.stderrLines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no liveness failure:\n${app.stderrLines.join('\n')}`);
}

const node = NODES[1];

describe('liveness spread over three replicas of a leaking app (Node 24)', () => {
  it('fails their /livez more than one start-up time apart, never all inside one', async () => {
    const startupGraceSeconds = 0.5;
    const settings = { checkIntervalSeconds: 0.1, startupGraceSeconds, livenessFailChecks: 10, streakAlertChecks: 5, highRatio: highRatioAt(node, 30 * MiB), snapshotBeforeRestart: false };
    const apps: AgentApp[] = [];
    try {
      // One shared timeline: all three start in the same moment with the same 60 MiB leak.
      for (const podName of PODS) {
        apps.push(startApp({ node, fixture: 'agent-leaky-app.js', env: { LEAK_START_MB: '60' }, agent: { ...settings, podName, livenessPort: await freePort() } }, tempDir('spread')));
      }
      // Each app's failure from its own start (its agent's start line): the three are spawned one
      // after another, and that offset is the test's, not a spread the agent made.
      const failed = await Promise.all(apps.map(failedAt));
      const times = apps.map((app, i) => failed[i] - Date.parse(String(app.logs().find((l) => l.msg === 'heapwatch agent watching this process')!.time)));
      const spread = PODS.map((p) => livenessSpread(p, settings));
      const first = Math.min(...times);
      const report = PODS.map((p, i) => `${p}: slot ${spread[i].slot}, failed ${times[i]} ms after its start`).join('; ');
      assert.ok(new Set(spread.map((s) => s.slot)).size > 1, `the three names share one slot: ${report}`);
      assert.ok(Math.max(...times) - first >= startupGraceSeconds * 1000, `restarts spread by at least one start-up time: ${report}`);
      // Every pair in different slots is at least one start-up time apart, later slots later.
      for (let i = 0; i < PODS.length; i++) {
        for (let j = 0; j < PODS.length; j++) {
          if (spread[i].slot > spread[j].slot) assert.ok(times[i] - times[j] >= startupGraceSeconds * 1000, report);
        }
      }
      for (const app of apps) {
        const start = app.logs().find((l) => l.msg === 'heapwatch agent watching this process')!;
        assert.deepEqual(start.livenessSpread, { podName: PODS[apps.indexOf(app)], ...spread[apps.indexOf(app)], failsAt: 10 + spread[apps.indexOf(app)].extraChecks }, 'the spread is logged at start');
      }
    } finally {
      await Promise.all(apps.map((a) => a.stop()));
    }
  });
});
