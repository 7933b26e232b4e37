/**
 * The main path with the REAL agent: a real app process with build/bundles/heapwatch-agent.js
 * in NODE_OPTIONS, the bundled sidecar as a real child process, through the real reading file
 * and unix socket.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AGENT_ENV, AGENT_READING_FILE, ALLOCATION_SITES, GC_BUCKETS_SECONDS, METRICS, PROFILE_SUBDIR, RESTART_MARKER, SNAPSHOT_SUBDIR } from '../../src/contract';
import {
  auth, makeSharedDir, metricsText, request, Running, RunningExporter, samples, startAppWithRealAgent, startExporter, value, waitFor,
} from '../support/exporter-harness';

/** The agent's latest reading straight from its file, to compare the sidecar's output with. */
function readOneReading(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, AGENT_READING_FILE), 'utf8')) as Record<string, unknown>;
}

describe('exporter with the real agent', () => {
  const shared = makeSharedDir();
  let app: Running;
  let exporter: RunningExporter;

  before(async () => {
    app = await startAppWithRealAgent(shared.dir);
    exporter = await startExporter({
      HEAPWATCH_DIR: shared.dir,
      HEAPWATCH_TOKEN_FILE: shared.tokenFile,
      HEAPWATCH_CHECK_INTERVAL_SECONDS: '1',
      HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS: '0',
      HEAPWATCH_SNAPSHOT_MAX_KEPT: '2',
    });
  });
  after(async () => {
    await exporter?.stop();
    await app?.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  });

  it('exports the contract names with the agent\'s values', async () => {
    const text = await waitFor(async () => {
      const t = await metricsText(exporter.port);
      return value(t, METRICS.agentUp) === 1 ? t : undefined;
    }, 10_000, 'heapwatch_agent_up 1');
    const reading = readOneReading(shared.dir);

    // Values that do not change between checks must match the agent exactly.
    assert.equal(value(text, METRICS.heapLimit), reading.heapLimit);
    assert.equal(value(text, METRICS.startTime), reading.startTime);
    // Values that do change must still be those of the app process (heap over 4 MiB it retains).
    const used = value(text, METRICS.heapUsed)!;
    assert.ok(used > 4 * 2 ** 20, `heap used ${used}`);
    assert.equal(value(text, METRICS.memoryUsage, '{type="heapUsed"}'), used);
    const ratio = value(text, METRICS.heapUsedRatio)!;
    assert.ok(Math.abs(ratio - used / value(text, METRICS.heapLimit)!) < 1e-9, `ratio ${ratio} is used/limit`);
    const totalRatio = value(text, METRICS.heapUsedTotalRatio)!;
    assert.ok(Math.abs(totalRatio - used / value(text, METRICS.heapTotal)!) < 1e-9, `total ratio ${totalRatio} is used/total`);
    assert.ok(value(text, METRICS.rss)! > used);
    for (const type of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers']) {
      assert.ok(value(text, METRICS.memoryUsage, `{type="${type}"}`) !== undefined, `nodejs_memory_usage_bytes{type="${type}"}`);
    }
    const spaces = [...samples(text, METRICS.heapSpaceUsed).keys()];
    assert.deepEqual(spaces.sort(), Object.keys(reading.spaces as object).map((s) => `{space="${s}"}`).sort());
    assert.equal(value(text, METRICS.highStreak), 0);
    assert.equal(value(text, METRICS.livenessFailing), 0);
    assert.ok(value(text, METRICS.eventLoopLagP99)! >= 0);
    assert.equal(value(text, METRICS.forcedGc), (reading.forcedGc as { count: number }).count);
  });

  it('writes nodejs_gc_duration_seconds as a histogram from the agent\'s cumulative buckets', async () => {
    // The fixture app allocates at start; wait until at least one GC kind is reported.
    const text = await waitFor(async () => {
      const t = await metricsText(exporter.port);
      return samples(t, `${METRICS.gcDuration}_count`).size > 0 ? t : undefined;
    }, 10_000, 'a GC in the app');
    assert.match(text, new RegExp(`^# TYPE ${METRICS.gcDuration} histogram$`, 'm'));
    for (const [labels, count] of samples(text, `${METRICS.gcDuration}_count`)) {
      const kind = /kind="([a-z]+)"/.exec(labels)![1];
      const buckets = GC_BUCKETS_SECONDS.map((le) => value(text, `${METRICS.gcDuration}_bucket`, `{le="${le}",kind="${kind}"}`)!);
      assert.ok(buckets.every((b, i) => i === 0 || b >= buckets[i - 1]), `cumulative buckets for ${kind}: ${buckets}`);
      assert.equal(value(text, `${METRICS.gcDuration}_bucket`, `{le="+Inf",kind="${kind}"}`), count);
      assert.ok(count >= buckets[buckets.length - 1]);
    }
  });

  it('passes promtool check metrics for heapwatch\'s own families', async () => {
    const text = await metricsText(exporter.port);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /^(heapwatch_|nodejs_|process_)/.test(l) || /error/i.test(l));
    assert.deepEqual(problems, [], `promtool:\n${r.stdout}${r.stderr}`);
    assert.ok(r.error === undefined, 'promtool ran');
  });

  it('takes, lists and streams a real heap snapshot, keeping at most HEAPWATCH_SNAPSHOT_MAX_KEPT', async () => {
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await request(exporter.port, 'POST', '/admin/heap-snapshots', auth());
      assert.equal(r.status, 201, r.text);
      names.push((JSON.parse(r.text) as { name: string }).name);
    }
    const list = await request(exporter.port, 'GET', '/admin/heap-snapshots', auth());
    assert.equal(list.status, 200);
    const listed = (JSON.parse(list.text) as { snapshots: { name: string; bytes: number; createdAt: string }[] }).snapshots;
    assert.deepEqual(listed.map((s) => s.name).sort(), names.slice(1).sort(), 'the oldest was deleted');
    assert.ok(!fs.existsSync(path.join(shared.dir, SNAPSHOT_SUBDIR, names[0])));
    for (const s of listed) {
      assert.ok(s.bytes > 0);
      assert.ok(!Number.isNaN(Date.parse(s.createdAt)));
    }
    const dl = await request(exporter.port, 'GET', `/admin/heap-snapshots/${names[2]}`, auth());
    assert.equal(dl.status, 200);
    assert.equal(Number(dl.headers['content-length']), dl.body.length);
    const snapshot = JSON.parse(dl.text) as { snapshot?: { meta?: unknown } };
    assert.ok(snapshot.snapshot?.meta, 'a real V8 heap snapshot');
    const text = await metricsText(exporter.port);
    assert.equal(value(text, METRICS.snapshots, '{outcome="written"}'), 3);
  });

  it('drops the app\'s values when the agent goes away, and counts the restart by reason', async () => {
    const before = await metricsText(exporter.port);
    assert.equal(value(before, METRICS.appRestarts, '{reason="other"}'), 0);

    await app.stop();
    const down = await waitFor(async () => {
      const t = await metricsText(exporter.port);
      return value(t, METRICS.agentUp) === 0 ? t : undefined;
    }, 10_000, 'heapwatch_agent_up 0');
    assert.equal(value(down, METRICS.heapUsed), undefined, 'no stale heap value');
    assert.equal(value(down, METRICS.heapUsedRatio), undefined, 'no stale ratio');
    assert.equal(samples(down, `${METRICS.gcDuration}_count`).size, 0, 'no stale GC histogram');

    app = await startAppWithRealAgent(shared.dir);
    const restarted = await waitFor(async () => {
      const t = await metricsText(exporter.port);
      return value(t, METRICS.appRestarts, '{reason="other"}') === 1 ? t : undefined;
    }, 15_000, 'a restart with reason other');
    assert.equal(value(restarted, METRICS.appRestarts, '{reason="heap_streak"}'), 0);

    // A marker left by the agent before a liveness restart makes the next one heap_streak, once.
    await app.stop();
    fs.writeFileSync(path.join(shared.dir, RESTART_MARKER), JSON.stringify({ reason: 'heap_streak', pid: 1 }));
    app = await startAppWithRealAgent(shared.dir);
    // The restart is counted from the new process's first reading (the file), the agent is up
    // once the socket is connected too: a few milliseconds apart, in either order.
    const streak = await waitFor(async () => {
      const t = await metricsText(exporter.port);
      return value(t, METRICS.appRestarts, '{reason="heap_streak"}') === 1 && value(t, METRICS.agentUp) === 1 ? t : undefined;
    }, 15_000, 'a restart with reason heap_streak, and the agent up again');
    assert.equal(value(streak, METRICS.appRestarts, '{reason="heap_streak"}'), 1, 'counted once');
    assert.equal(value(streak, METRICS.appRestarts, '{reason="other"}'), 1);
    assert.ok(!fs.existsSync(path.join(shared.dir, RESTART_MARKER)), 'the marker is consumed');
  });
});

describe('exporter with the real agent: the live allocation profile', () => {
  const shared = makeSharedDir();
  let app: Running;
  let exporter: RunningExporter;

  before(async () => {
    app = await startAppWithRealAgent(shared.dir, {
      // ~200k small records leaked at start by leakLedgerRecords; sites refreshed every second.
      LEAK_START_RECORDS: '200000',
      [AGENT_ENV.allocationSitesRefreshSeconds]: '1',
      [AGENT_ENV.allocationSamplingIntervalBytes]: '65536',
    }, 'agent-records-app.js');
    exporter = await startExporter({ HEAPWATCH_DIR: shared.dir, HEAPWATCH_TOKEN_FILE: shared.tokenFile, HEAPWATCH_CHECK_INTERVAL_SECONDS: '1' });
  });
  after(async () => {
    await exporter?.stop();
    await app?.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  });

  it('exports the top allocation sites as heapwatch_heap_allocation_site_bytes, the leak first', async () => {
    const sites = await waitFor(async () => {
      const s = samples(await metricsText(exporter.port), METRICS.allocationSiteBytes);
      return [...s.keys()].some((k) => k.includes('function="leakLedgerRecords"')) ? s : undefined;
    }, 15_000, 'the leaking function as an allocation site');
    assert.ok(sites.size >= 1 && sites.size <= ALLOCATION_SITES.max, `${sites.size} series`);
    // Relative to the app's working directory (here the repository root).
    const [topLabels, topBytes] = [...sites].sort((a, b) => b[1] - a[1])[0];
    assert.match(topLabels, /^\{function="leakLedgerRecords",location="test\/fixtures\/agent-records-app\.js:\d+"\}$/);
    assert.ok(topBytes > 5 * 2 ** 20, `top site ${topBytes} bytes`);
    const sampled = value(await metricsText(exporter.port), METRICS.allocationSampledBytes)!;
    assert.ok(sampled >= topBytes && topBytes / sampled > 0.5, `the leak is ${topBytes} of ${sampled} sampled bytes`);
    const reading = readOneReading(shared.dir) as { allocationSites?: { bytes: number }[] };
    assert.ok(reading.allocationSites && reading.allocationSites.length === sites.size);
  });

  it('takes, lists and streams a real allocation profile', async () => {
    const r = await request(exporter.port, 'POST', '/admin/heap-profiles', auth());
    assert.equal(r.status, 201, r.text);
    const { name, bytes } = JSON.parse(r.text) as { name: string; bytes: number };
    assert.equal(bytes, fs.statSync(path.join(shared.dir, PROFILE_SUBDIR, name)).size);
    const list = JSON.parse((await request(exporter.port, 'GET', '/admin/heap-profiles', auth())).text) as { profiles: { name: string }[] };
    assert.deepEqual(list.profiles.map((p) => p.name), [name]);
    const dl = await request(exporter.port, 'GET', `/admin/heap-profiles/${name}`, auth());
    assert.equal(dl.status, 200);
    const profile = JSON.parse(dl.text) as { head?: { callFrame?: unknown }; samples?: unknown[] };
    assert.ok(profile.head?.callFrame && Array.isArray(profile.samples) && profile.samples.length > 0, 'a DevTools .heapprofile');
    assert.equal(value(await metricsText(exporter.port), METRICS.heapProfiles, '{outcome="written"}'), 1);
  });
});
