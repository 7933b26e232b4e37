/**
 * "A fleet never restarts all at once": three replicas of a leaking app, started together on
 * one machine with the same leak, each with its own pod name (HEAPWATCH_POD_NAME). Without the
 * spread their /livez would fail at the same check; with it, the pods in different slots fail
 * more than one start-up time apart (the kubelet restarts each on its own failure).
 *
 * Times are taken from each agent's start, whose checks run on their own interval grid. The
 * grid is coarse (500 ms checks, a 1 s start-up time, so a slot is 1.5 s) because on a loaded
 * machine a late timer or a tick skipped while a forced GC runs moves a pod by one check, and
 * that must stay smaller than the margin between a slot and one start-up time. The count each
 * pod fails at is exact, and asserted too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { livenessSpread } from '../../src/agent/streak';
import { AgentApp, freePort, highRatioAt, MiB, NODES, startApp, tempDir } from '../support/agent-harness';

/** Pod names as one Deployment's ReplicaSet makes them. */
const PODS = ['leaky-7d9c5b8f4-x2k9q', 'leaky-7d9c5b8f4-m8w4t', 'leaky-7d9c5b8f4-q7zr2'];

interface Failure { readonly at: number; readonly streak: number }

async function failure(app: AgentApp): Promise<Failure> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const line = app.logs().find((l) => String(l.msg).startsWith('Liveness failing'));
    if (line) return { at: Date.parse(String(line.time)), streak: Number(line.streak) };
    assert.ok(!app.hasExited(), `the app exited:\n${app.stderrLines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no liveness failure:\n${app.stderrLines.join('\n')}`);
}

const node = NODES[1];

describe('liveness spread over three replicas of a leaking app (Node 24)', () => {
  it('fails their /livez more than one start-up time apart, never all inside one', async () => {
    const startupGraceSeconds = 1;
    const livenessFailChecks = 4;
    const settings = { checkIntervalSeconds: 0.5, startupGraceSeconds, livenessFailChecks, streakAlertChecks: 2, highRatio: highRatioAt(node, 12 * MiB), snapshotBeforeRestart: false };
    const apps: AgentApp[] = [];
    try {
      // One shared timeline: all three start in the same moment with the same 24 MiB leak.
      for (const podName of PODS) {
        apps.push(startApp({ node, fixture: 'agent-leaky-app.js', env: { LEAK_START_MB: '24' }, agent: { ...settings, podName, livenessPort: await freePort() } }, tempDir('spread')));
      }
      // Each app's failure from its own start (its agent's start line): the three are spawned one
      // after another, and that offset is the test's, not a spread the agent made.
      const failures = await Promise.all(apps.map(failure));
      const times = apps.map((app, i) => failures[i].at - Date.parse(String(app.logs().find((l) => l.msg === 'heapwatch agent watching this process')!.time)));
      const spread = PODS.map((p) => livenessSpread(p, settings));
      const first = Math.min(...times);
      const report = PODS.map((p, i) => `${p}: slot ${spread[i].slot}, failed at streak ${failures[i].streak}, ${times[i]} ms after its start`).join('; ');
      assert.ok(new Set(spread.map((s) => s.slot)).size > 1, `the three names share one slot: ${report}`);
      assert.deepEqual(failures.map((f) => f.streak), spread.map((s) => livenessFailChecks + s.extraChecks), `each fails at the liveness count plus its slot's checks: ${report}`);
      assert.ok(Math.max(...times) - first >= startupGraceSeconds * 1000, `restarts spread by at least one start-up time: ${report}`);
      // Every pair in different slots is at least one start-up time apart, later slots later.
      for (let i = 0; i < PODS.length; i++) {
        for (let j = 0; j < PODS.length; j++) {
          if (spread[i].slot > spread[j].slot) assert.ok(times[i] - times[j] >= startupGraceSeconds * 1000, report);
        }
      }
      for (const app of apps) {
        const start = app.logs().find((l) => l.msg === 'heapwatch agent watching this process')!;
        assert.deepEqual(start.livenessSpread, { podName: PODS[apps.indexOf(app)], ...spread[apps.indexOf(app)], failsAt: livenessFailChecks + spread[apps.indexOf(app)].extraChecks }, 'the spread is logged at start');
      }
    } finally {
      await Promise.all(apps.map((a) => a.stop()));
    }
  });
});
