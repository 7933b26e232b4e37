/**
 * The agent's forced GC never tips V8 into "Ineffective mark-compacts near heap limit": a real
 * app holding small records above the threshold even right after a full GC (and over 80 % of
 * its old space), checked at the agent's minimum interval with liveness deciding at the first
 * high check, on Node 20 and Node 24. The agent that forced the inspector's GC (two or more
 * full GCs back to back) on every high check, whatever V8 was doing, aborted this app within
 * 8 s in every run (bench/README.md). Then, with no churn (V8 quiet), the one GC the agent does
 * force near the limit: at the liveness count, and only there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort, httpGet, livez, NODES, AgentReader, sleep, startApp, tempDir, withApp } from '../support/agent-harness';

/** How long the heap is held above the threshold: the abort came after 1-6 s before. */
const HOLD_MS = 8000;
/** Under the live heap (HOLD_RATIO 0.9 fills to ~0.86 live), still over 80 % of old space. */
const HIGH_RATIO = 0.8;
/** Start-up grace of the quiet case: its liveness count comes this long after the app starts. */
const QUIET_GRACE_SECONDS = 3;

for (const node of NODES) {
  describe(`agent forced GC near the heap limit (${node.name})`, () => {
    it('keeps the app alive with the heap held above the threshold at 0.05 s checks; a full GC decides /livez, at most one forced per streak', async (t) => {
      const dir = tempDir('agent-near-limit');
      const port = await freePort();
      const app = startApp({
        node, fixture: 'agent-near-limit-app.js', env: { HOLD_RATIO: '0.9' },
        // A small young generation, so that HIGH_RATIO of heap_size_limit is over 80 % of old space as in production.
        nodeOptions: '--max-old-space-size=64 --max-semi-space-size=1',
        agent: { checkIntervalSeconds: 0.05, highRatio: HIGH_RATIO, startupGraceSeconds: 0, livenessPort: port, allocationProfile: false, livenessFailChecks: 1, snapshotBeforeRestart: false },
      }, dir);
      await withApp(app, async () => {
        const { port: appPort } = await app.hello();
        const reader = await AgentReader.connect(dir);
        const high = await reader.reading((r) => r.streak > 0, 'a high check');
        assert.ok(high.ratio > HIGH_RATIO, `ratio ${high.ratio}`);
        await sleep(HOLD_MS);
        const fatal = app.stderrLines.filter((l) => /Ineffective mark-compacts|FATAL ERROR/.test(l));
        assert.deepEqual(fatal, [], 'V8 aborted the app');
        assert.equal(app.hasExited(), false, `the app exited (${app.child.exitCode ?? app.child.signalCode})`);
        assert.equal((await httpGet(appPort, '/ping')).body, 'pong');

        const last = reader.readings.at(-1)!;
        assert.ok(last.streak > 20, `the heap stayed above the threshold for many checks (streak ${last.streak})`);
        // The heap is full of live records: /livez fails, decided by one full GC, forced or V8's own.
        assert.equal((await livez(port)).status, 503);
        const failing = app.logs().filter((l) => String(l.msg).startsWith('Liveness failing'));
        assert.equal(failing.length, 1, 'liveness failed once and stayed failing');
        assert.ok(failing[0].fullGc === 'forced' || failing[0].fullGc === 'v8', `decided by a full GC: ${JSON.stringify(failing[0])}`);
        assert.ok(Number(failing[0].liveAfterGc) / last.heapLimit > HIGH_RATIO, `live after that GC ${failing[0].liveAfterGc} B of ${last.heapLimit} B`);
        // Near the limit only the check that can start failing /livez forces a GC, once per streak.
        const streaks = reader.readings.filter((r) => r.streak === 1).length;
        assert.ok(last.forcedGc.count <= Math.max(1, streaks), `forced GCs: ${last.forcedGc.count}, streaks: ${streaks}`);
        t.diagnostic(`${last.forcedGc.count} forced GCs in ${last.streak} high checks; /livez failing after ${failing[0].fullGc === 'forced' ? 'a forced' : "V8's own"} full GC`);
        reader.close();
      });
    });

    it('forces exactly one GC near the limit, at the liveness count, when V8 is quiet; it decides /livez', async () => {
      const dir = tempDir('agent-near-limit-quiet');
      const port = await freePort();
      const failAt = 10;
      const app = startApp({
        node, fixture: 'agent-near-limit-app.js', env: { HOLD_RATIO: '0.9', CHURN_KB: '0' },
        nodeOptions: '--max-old-space-size=64 --max-semi-space-size=1',
        // "Quiet" is the agent's own test: FORCED_GC_QUIET_PAUSES of the longest recent full-GC
        // pause since the last one. The only full GCs here are the fill's, so the count must come
        // well after them: with no grace it came about 0.5 s after, and with three CPU hogs the
        // agent rightly left the verdict to V8's last GC in 2 of 25 runs (Node 24). The grace
        // holds the count back past the fill, unless a loaded machine makes the fill itself take
        // about as long: then V8 can abort the app at the forced GC (1 of 25 runs, Node 20; the
        // quiet test undercounts V8's incremental marking, bench/README.md "The forced GC and
        // V8's ineffective mark-compacts").
        agent: { checkIntervalSeconds: 0.05, highRatio: HIGH_RATIO, startupGraceSeconds: QUIET_GRACE_SECONDS, livenessPort: port, allocationProfile: false, livenessFailChecks: failAt, snapshotBeforeRestart: false },
      }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        const failing = await reader.reading((r) => r.livenessFailing, 'liveness failing');
        await reader.reading((r) => r.streak >= failing.streak + 20, 'twenty more high checks');
        assert.equal(app.hasExited(), false, `the app exited (${app.child.exitCode ?? app.child.signalCode})`);
        assert.ok(failing.streak >= failAt, `failing at streak ${failing.streak}`);
        // Before the check that failed /livez: the streak below the count, then at it during the grace.
        const before = reader.readings.filter((r) => r.streak > 0 && r.streak < failing.streak);
        assert.ok(before.some((r) => r.streak < failAt) && before.every((r) => r.forcedGc.count === 0), 'no forced GC before the count near the limit');
        assert.equal(failing.forcedGc.count, 1, 'one forced GC decided /livez');
        assert.ok(failing.forcedGc.lastReclaimedBytes < 2 * 1024 * 1024, `reclaimed ${failing.forcedGc.lastReclaimedBytes} B of live records`);
        assert.equal(reader.readings.at(-1)!.forcedGc.count, 1, 'none since: /livez stays failing without another');
        const line = app.logs().find((l) => String(l.msg).startsWith('Liveness failing'));
        assert.equal(line?.fullGc, 'forced', JSON.stringify(line));
        reader.close();
      });
    });
  });
}
