/**
 * The agent's streak, liveness and forced GC, on a real leaking app and a real sawtooth app,
 * on Node 20 and Node 24.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AgentReading, RESTART_MARKER, RESTART_REASONS, SNAPSHOT_SUBDIR } from '../../src/contract';
import { freePort, highRatioAt, httpGet, livez, MAX_OLD_SPACE_MIB, MiB, NODES, AgentReader, startApp, tempDir, withApp } from '../support/agent-harness';

for (const node of NODES) {
  describe(`agent streak and liveness (${node.name})`, { concurrency: 2 }, () => {
    /** A fast interval and a threshold at 30 MiB used: an idle app is under it, 50 MiB more is over. */
    const FAST = { checkIntervalSeconds: 0.3, highRatio: highRatioAt(node, 30 * MiB), startupGraceSeconds: 0, containerMemoryLimitBytes: 4 * 1024 * MiB };
    it('grows the streak under a real leak and fails /livez exactly at the configured count, with marker and pre-restart snapshot', async () => {
      const dir = tempDir('agent-leak');
      const port = await freePort();
      const failAt = 4;
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { ...FAST, checkIntervalSeconds: 0.4, streakAlertChecks: 2, livenessFailChecks: failAt, livenessPort: port, snapshotBeforeRestart: true } }, dir);
      await withApp(app, async () => {
        const { port: appPort, pid } = await app.hello();
        const reader = await AgentReader.connect(dir);
        const low = await reader.reading((r) => r.streak === 0, 'a low check before the leak');
        assert.equal(low.pid, pid);
        assert.equal((await livez(port)).status, 200);

        const from = reader.readings.length;
        assert.equal((await httpGet(appPort, '/grow?mb=50')).status, 200);
        // After each reading, ask /livez: its answer carries the streak it was decided on.
        const answers: Array<{ status: number; streak: number }> = [];
        for (let i = 0; i < 30; i++) {
          const r = await reader.nextReading();
          const a = await livez(port);
          answers.push(a);
          if (r.livenessFailing && a.status === 503 && answers.some((x) => x.streak === failAt - 1)) break;
        }
        const afterLeak = reader.readings.slice(from);
        const firstHigh = afterLeak.findIndex((r) => r.streak > 0);
        const streaks = afterLeak.slice(firstHigh).map((r) => r.streak);
        assert.deepEqual(streaks, streaks.map((_, i) => i + 1), 'the streak grows by one per check under the leak');
        for (const r of afterLeak) assert.equal(r.livenessFailing, r.streak >= failAt, `livenessFailing at streak ${r.streak}`);
        for (const a of answers) assert.equal(a.status, a.streak >= failAt ? 503 : 200, `/livez at streak ${a.streak}`);
        assert.ok(answers.some((a) => a.streak === failAt - 1 && a.status === 200), '200 one check before the count');
        assert.ok(answers.some((a) => a.streak >= failAt && a.status === 503), '503 from the count on');
        assert.equal(afterLeak.find((r) => r.livenessFailing)?.streak, failAt, 'the first failing check is the one at the count');

        // A leak is live memory: the forced GCs reclaim next to nothing.
        const last = afterLeak.at(-1)!;
        assert.ok(last.forcedGc.count >= failAt, `forced GCs: ${last.forcedGc.count}`);
        assert.ok(last.forcedGc.lastReclaimedBytes < 2 * MiB, `reclaimed ${last.forcedGc.lastReclaimedBytes} B from a leak`);
        assert.ok(last.liveAfterGc !== null && last.liveAfterGc > 50 * MiB, `live after GC ${last.liveAfterGc}`);
        assert.ok(last.gc.major !== undefined && last.gc.major.count >= failAt, 'major GCs recorded');

        const alerts = app.logs().filter((l) => l.level === 'error' && String(l.msg).startsWith('Persistent high memory usage detected for 2 consecutive checks. Service restart recommended.'));
        assert.equal(alerts.length, 1, 'the restart-recommended message once at the streak alert count');

        const marker = JSON.parse(fs.readFileSync(path.join(dir, RESTART_MARKER), 'utf8'));
        assert.equal(marker.reason, RESTART_REASONS.heapStreak);
        assert.equal(marker.pid, pid);
        assert.equal(marker.startTime, low.startTime);
        assert.equal(marker.streak, failAt);
        assert.ok(marker.ratio > FAST.highRatio);
        assert.match(marker.snapshot, new RegExp(`^heap-.+-${pid}-prerestart\\.heapsnapshot$`));
        const snapshots = fs.readdirSync(path.join(dir, SNAPSHOT_SUBDIR));
        assert.deepEqual(snapshots, [marker.snapshot], 'exactly one pre-restart snapshot, no partial file');
        const head = Buffer.alloc(32);
        const fd = fs.openSync(path.join(dir, SNAPSHOT_SUBDIR, marker.snapshot), 'r');
        fs.readSync(fd, head, 0, 32, 0);
        fs.closeSync(fd);
        assert.match(head.toString(), /^\{"snapshot":\{"meta"/, 'a V8 heap snapshot');
        reader.close();
      });
    });

    it('never fails /livez for a sawtooth around the threshold', async () => {
      const dir = tempDir('agent-saw');
      const port = await freePort();
      const failAt = 5;
      const app = startApp({
        node, fixture: 'agent-sawtooth-app.js',
        agent: { ...FAST, streakAlertChecks: 3, livenessFailChecks: failAt, livenessPort: port },
        env: { SAW_MB: '50', SAW_HIGH_MS: '600', SAW_LOW_MS: '900' },
      }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        const statuses: number[] = [];
        while (reader.readings.length < 20) {
          await reader.nextReading();
          statuses.push((await livez(port)).status);
        }
        const streaks = reader.readings.map((r) => r.streak);
        const episodes = streaks.filter((s, i) => s === 0 && i > 0 && streaks[i - 1] > 0).length;
        assert.ok(episodes >= 2, `the heap crossed the threshold and came back at least twice: ${streaks.join(',')}`);
        assert.ok(Math.max(...streaks) < failAt, `streaks ${streaks.join(',')}`);
        assert.ok(reader.readings.every((r) => !r.livenessFailing));
        assert.deepEqual([...new Set(statuses)], [200]);
        // Every episode over the threshold forced a GC (at most one per interval, so at least one per episode).
        const forced = reader.readings.at(-1)!.forcedGc;
        assert.ok(forced.count >= episodes, `${forced.count} forced GCs for ${episodes} high episodes`);
        const heapUsedMax = Math.max(...reader.readings.map((r) => r.heapUsed));
        assert.ok(Number.isInteger(forced.lastReclaimedBytes) && forced.lastReclaimedBytes <= heapUsedMax, `reclaimed ${forced.lastReclaimedBytes} B, heap used at most ${heapUsedMax} B`);
        assert.ok(!fs.existsSync(path.join(dir, RESTART_MARKER)), 'no restart marker');
        reader.close();
      });
    });

    it('holds /livez at 200 during the start-up grace, then fails', async () => {
      const dir = tempDir('agent-grace');
      const port = await freePort();
      const grace = 2.5;
      const app = startApp({
        node, fixture: 'agent-leaky-app.js',
        agent: { ...FAST, startupGraceSeconds: grace, streakAlertChecks: 1, livenessFailChecks: 2, livenessPort: port, snapshotBeforeRestart: false },
        env: { LEAK_START_MB: '50' },
      }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        const uptime = (r: AgentReading) => r.ts / 1000 - r.startTime;
        const inGrace = await reader.reading((r) => r.streak >= 2 && uptime(r) < grace - 0.5, 'a streak past the count inside the grace');
        assert.equal(inGrace.livenessFailing, false);
        const failing = await reader.reading((r) => r.livenessFailing, 'liveness failing after the grace');
        assert.ok(uptime(failing) >= grace, `failed at uptime ${uptime(failing)} s`);
        for (const r of reader.readings) if (uptime(r) < grace) assert.equal(r.livenessFailing, false, `in the grace at ${uptime(r)} s`);
        assert.equal((await livez(port)).status, 503);
        const marker = JSON.parse(fs.readFileSync(path.join(dir, RESTART_MARKER), 'utf8'));
        assert.equal(marker.snapshot, null, 'HEAPWATCH_SNAPSHOT_BEFORE_RESTART=false writes no snapshot');
        assert.ok(!fs.existsSync(path.join(dir, SNAPSHOT_SUBDIR)));
        reader.close();
      });
    });

    it('writes the restart marker without a snapshot when there is no headroom for one', async () => {
      const dir = tempDir('agent-nohead');
      const port = await freePort();
      const app = startApp({
        node, fixture: 'agent-leaky-app.js',
        // 64 MiB: an app with 50 MiB of heap has no room for a snapshot under it.
        agent: { ...FAST, containerMemoryLimitBytes: 64 * MiB, streakAlertChecks: 1, livenessFailChecks: 2, livenessPort: port, snapshotBeforeRestart: true },
        env: { LEAK_START_MB: '50' },
      }, dir);
      await withApp(app, async () => {
        const { pid } = await app.hello();
        const reader = await AgentReader.connect(dir);
        const failing = await reader.reading((r) => r.livenessFailing, 'liveness failing');
        assert.equal(failing.streak, 2);
        assert.equal(failing.containerMemoryLimit, 64 * MiB);
        const marker = JSON.parse(fs.readFileSync(path.join(dir, RESTART_MARKER), 'utf8'));
        assert.equal(marker.pid, pid);
        assert.equal(marker.snapshot, null);
        assert.ok(!fs.existsSync(path.join(dir, SNAPSHOT_SUBDIR)), 'no snapshot written');
        const refused = app.logs().filter((l) => String(l.msg).startsWith('No pre-restart heap snapshot'));
        assert.equal(refused.length, 1);
        assert.equal(refused[0].reason, 'no-headroom');
        reader.close();
      });
    });

    it('judges the ratio against heapTotal with HEAPWATCH_RATIO_BASIS=total (what many monitors alert on)', async () => {
      // An idle heap sits far under its limit but close to its heapTotal: only the total basis sees it as high.
      const dirs = [tempDir('agent-basis'), tempDir('agent-basis')];
      const apps = await Promise.all((['total', 'limit'] as const).map(async (ratioBasis, i) =>
        startApp({ node, fixture: 'agent-leaky-app.js', agent: { ...FAST, highRatio: 0.2, ratioBasis, livenessFailChecks: 0, livenessPort: await freePort() } }, dirs[i])));
      try {
        await Promise.all(apps.map((a) => a.hello()));
        const [total, limit] = await Promise.all(dirs.map((d) => AgentReader.connect(d)));
        const high = await total.reading((r) => r.streak >= 3, 'three high checks on the total basis');
        assert.ok(high.totalRatio > 0.2 && high.ratio < 0.2, `totalRatio ${high.totalRatio}, ratio ${high.ratio}`);
        const first = limit.readings.length;
        await limit.reading((_, i) => i >= first + 3, 'three more checks on the limit basis');
        assert.ok(limit.readings.every((r) => r.streak === 0 && r.ratio < 0.2), 'the limit basis stays low');
        total.close();
        limit.close();
      } finally {
        await Promise.all(apps.map((a) => a.stop()));
      }
    });

    for (const exposeGc of [true, false]) {
      const how = exposeGc ? 'global.gc (--expose-gc)' : "a vm context's gc (no flag)";
      it(`measures the forced GC's reclaim through ${how}: lazy garbage > 0, a leak ~0`, async () => {
        const dir = tempDir('agent-gc');
        const port = await freePort();
        const app = startApp({
          node, fixture: 'agent-leaky-app.js',
          agent: { ...FAST, streakAlertChecks: 100, livenessFailChecks: 0, livenessPort: port },
          nodeOptions: `--max-old-space-size=${MAX_OLD_SPACE_MIB}${exposeGc ? ' --expose-gc' : ''}`,
        }, dir);
        await withApp(app, async () => {
          const { port: appPort } = await app.hello();
          const reader = await AgentReader.connect(dir);
          await reader.reading((r) => r.streak === 0, 'a low check');
          // V8 sometimes collects the dropped garbage on its own before the next check sees
          // it (then there is nothing to force); try again until a check finds it.
          let reclaimed: AgentReading | undefined;
          const attempts: number[] = [];
          for (let attempt = 0; attempt < 8 && reclaimed === undefined; attempt++) {
            await httpGet(appPort, '/garbage?mb=50');
            await httpGet(appPort, '/drop');
            const fromDrop = reader.readings.length;
            const r = await reader.reading((x, i) => x.forcedGc.lastReclaimedBytes > 40 * MiB || i >= fromDrop + 4, 'a forced GC or four checks', fromDrop);
            attempts.push(r.forcedGc.lastReclaimedBytes);
            if (r.forcedGc.lastReclaimedBytes > 40 * MiB) reclaimed = r;
          }
          assert.ok(reclaimed !== undefined, `no forced GC reclaimed the dropped 50 MiB; reclaimed per attempt: ${attempts.join(', ')}`);
          await reader.reading((r) => r.streak === 0, 'the heap back under the threshold', reader.readings.indexOf(reclaimed) + 1);

          await httpGet(appPort, '/grow?mb=50');
          const grown = reader.readings.length;
          const leakGc = await reader.reading((r) => r.streak >= 2, 'two high checks with the leak', grown);
          assert.ok(leakGc.forcedGc.lastReclaimedBytes < 2 * MiB, `a leak reclaims ~0, got ${leakGc.forcedGc.lastReclaimedBytes} B`);
          assert.ok(leakGc.forcedGc.count > reclaimed.forcedGc.count);

          const methods = app.logs().map((l) => l.method).filter((m) => m !== undefined);
          assert.deepEqual(methods, [exposeGc ? 'global.gc' : 'vm-context'], 'the forced GC method, logged once');
          assert.equal(listensOn(9229), false, 'no inspector port');
          reader.close();
        });
      });
    }
  });
}

/** Whether anything on this machine listens on a TCP port (from /proc/net/tcp and tcp6). */
function listensOn(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((f) => {
    const rows = fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').slice(1) : [];
    // Columns: sl local_address rem_address st ...; st 0A is LISTEN.
    return rows.some((row) => {
      const cols = row.trim().split(/\s+/);
      return cols.length > 3 && cols[1].endsWith(`:${hex}`) && cols[3] === '0A';
    });
  });
}
