/**
 * The live allocation profile in real apps (the bundle --require'd, Node 20 and 24): a
 * .heapprofile on request that loads as DevTools' JSON, the top allocation site in the reading
 * naming the leaking function and its file:line, the pre-restart profile named in the restart
 * marker, the refusals, and the profiler off.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ALLOCATION_SITES, AllocationSite, PROFILE_SUBDIR, RESTART_MARKER } from '../../src/contract';
import { AgentReader, FIXTURES, freePort, httpGet, MiB, NODES, startApp, tempDir, withApp } from '../support/agent-harness';

const FIXTURE = 'agent-records-app.js';
/** The fixture's leaking function and its line (1-based), read from the fixture itself. */
const LEAK_FUNCTION = 'leakLedgerRecords';
const LEAK_LINE = fs.readFileSync(path.join(FIXTURES, FIXTURE), 'utf8').split('\n').findIndex((l) => l.startsWith(`function ${LEAK_FUNCTION}(`)) + 1;

const PROFILED = { checkIntervalSeconds: 0.2, allocationSitesRefreshSeconds: 0.2, allocationSamplingIntervalBytes: 32 * 1024, containerMemoryLimitBytes: 4 * 1024 * MiB };

interface ProfileNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: ProfileNode[] }

function nodes(head: ProfileNode): ProfileNode[] {
  return [head, ...head.children.flatMap(nodes)];
}

for (const node of NODES) {
  describe(`live allocation profile (${node.name})`, { concurrency: 2 }, () => {
    it('names the leaking function and its file:line as the top site, and writes a .heapprofile on request', async () => {
      const dir = tempDir('agent-profile');
      const app = startApp({ node, fixture: FIXTURE, agent: { ...PROFILED, livenessPort: await freePort() } }, dir);
      await withApp(app, async () => {
        const { port } = await app.hello();
        const reader = await AgentReader.connect(dir);
        await reader.reading(() => true, 'a reading');
        // ~300k records of ~100 bytes: about 30 MiB still live.
        for (let i = 0; i < 6; i++) await httpGet(port, '/leak?n=50000');
        const top = (r: { allocationSites?: readonly AllocationSite[] }) => r.allocationSites?.[0];
        const named = await reader.reading((r) => top(r)?.function === LEAK_FUNCTION && top(r)!.share > 0.5, `${LEAK_FUNCTION} as the top site`, reader.readings.length);
        const site = top(named)!;
        assert.equal(site.location, `${FIXTURE}:${LEAK_LINE}`, 'file:line relative to the working directory');
        assert.ok(site.bytes > 10 * MiB, `sampled live bytes ${site.bytes}`);
        assert.ok(named.allocationSites!.length <= ALLOCATION_SITES.max);
        for (const s of named.allocationSites!) {
          assert.ok(s.function.length <= ALLOCATION_SITES.labelMaxChars && s.location.length <= ALLOCATION_SITES.labelMaxChars, JSON.stringify(s));
          // The fixture's own files are named relative to its working directory (FIXTURES).
          if (s.location.includes(FIXTURE)) assert.ok(s.location.startsWith(FIXTURE), JSON.stringify(s));
        }

        reader.send({ type: 'snapshot', kind: 'profile', id: 'p1', file: 'manual-1.heapprofile' });
        const result = await reader.result('p1');
        assert.equal(result.ok, true, JSON.stringify(result));
        const file = path.join(dir, PROFILE_SUBDIR, 'manual-1.heapprofile');
        assert.equal(result.bytes, fs.statSync(file).size);
        assert.equal(fs.statSync(file).mode & 0o777, 0o640, 'readable by the volume group (the sidecar)');
        assert.deepEqual(fs.readdirSync(path.join(dir, PROFILE_SUBDIR)), ['manual-1.heapprofile'], 'no temporary file left');
        const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { head: ProfileNode; samples: Array<{ size: number; nodeId: number }> };
        assert.ok(Array.isArray(profile.samples) && profile.samples.length > 100, `samples: ${profile.samples?.length}`);
        const leaking = nodes(profile.head).filter((n) => n.callFrame.functionName === LEAK_FUNCTION);
        assert.ok(leaking.some((n) => n.selfSize > 10 * MiB && n.callFrame.url.endsWith(FIXTURE)), 'DevTools shape: head, callFrame, selfSize');

        for (const [id, file] of [['sep', '../escape.heapprofile'], ['ext', 'p.heapsnapshot.txt'], ['dot', '.hidden.heapprofile'], ['type', 7]] as const) {
          reader.send({ type: 'snapshot', kind: 'profile', id, file });
          const r = await reader.result(id);
          assert.equal(r.ok, false, id);
          assert.equal(r.reason, 'error', id);
          assert.ok(r.message!.includes(`'file' (${JSON.stringify(file)})`), r.message);
        }
        reader.send({ type: 'snapshot', kind: 'trace', id: 'kind', file: 'x.heapprofile' });
        assert.match((await reader.result('kind')).message!, /'kind' \("trace"\) must be "snapshot" or "profile"/);
        assert.ok(!fs.existsSync(path.join(dir, '..', 'escape.heapprofile')));
        assert.equal(app.logs().filter((l) => l.level === 'error').length, 0, JSON.stringify(app.logs()));
        reader.close();
      });
    });

    it('writes the pre-restart profile before /livez fails and names it in the restart marker', async () => {
      const dir = tempDir('agent-profile-restart');
      const app = startApp({
        node, fixture: FIXTURE,
        agent: { ...PROFILED, highRatio: 0.01, startupGraceSeconds: 0, streakAlertChecks: 1, livenessFailChecks: 3, livenessPort: await freePort(), snapshotBeforeRestart: false },
        env: { LEAK_START_RECORDS: '100000' },
      }, dir);
      await withApp(app, async () => {
        const { pid } = await app.hello();
        const reader = await AgentReader.connect(dir);
        await reader.reading((r) => r.livenessFailing, 'liveness failing');
        const marker = JSON.parse(fs.readFileSync(path.join(dir, RESTART_MARKER), 'utf8'));
        assert.equal(marker.snapshot, null);
        assert.match(marker.profile, new RegExp(`^heap-[0-9T-]+Z-${pid}-prerestart\\.heapprofile$`));
        const profile = JSON.parse(fs.readFileSync(path.join(dir, PROFILE_SUBDIR, marker.profile), 'utf8'));
        assert.ok(nodes(profile.head).some((n) => n.callFrame.functionName === LEAK_FUNCTION && n.selfSize > 0));
        reader.close();
      });
    });

    it('runs no profiler when it is off: no sites, a "disabled" refusal, no profile before a restart', async () => {
      const dir = tempDir('agent-profile-off');
      const app = startApp({
        node, fixture: FIXTURE,
        agent: { ...PROFILED, allocationProfile: false, highRatio: 0.01, startupGraceSeconds: 0, streakAlertChecks: 1, livenessFailChecks: 3, livenessPort: await freePort(), snapshotBeforeRestart: false },
      }, dir);
      await withApp(app, async () => {
        await app.hello();
        const reader = await AgentReader.connect(dir);
        await reader.reading((r) => r.livenessFailing, 'liveness failing');
        assert.ok(reader.readings.every((r) => r.allocationSites === undefined));
        reader.send({ type: 'snapshot', kind: 'profile', id: 'off', file: 'off.heapprofile' });
        const r = await reader.result('off');
        assert.equal(r.ok, false);
        assert.equal(r.reason, 'disabled');
        assert.equal(JSON.parse(fs.readFileSync(path.join(dir, RESTART_MARKER), 'utf8')).profile, null);
        assert.ok(!fs.existsSync(path.join(dir, PROFILE_SUBDIR)));
        reader.close();
      });
    });
  });
}
