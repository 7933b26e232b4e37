/**
 * The sidecar as a process: health and readiness, graceful SIGTERM, malformed agent lines,
 * a reading that goes stale, restart counting across the sidecar's own restarts, and
 * scrape mode (no agent). Cases the real agent cannot produce on demand use the scripted
 * STAND-IN agent (test/fixtures/exporter-scripted-agent.js).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { METRICS } from '../../src/contract';
import {
  auth, FIXTURES, makeSharedDir, metricsText, NODE, request, Running, samples, startExporter, startScriptedAgent, value, waitFor,
} from '../support/exporter-harness';

const envFor = (shared: ReturnType<typeof makeSharedDir>, extra: Record<string, string> = {}) => ({
  HEAPWATCH_DIR: shared.dir,
  HEAPWATCH_TOKEN_FILE: shared.tokenFile,
  HEAPWATCH_CHECK_INTERVAL_SECONDS: '1',
  HEAPWATCH_SNAPSHOT_COOLDOWN_SECONDS: '0',
  ...extra,
});

describe('exporter process', () => {
  const shared = makeSharedDir();
  const running: Running[] = [];
  after(async () => {
    for (const r of running) await r.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  });

  it('serves /healthz and /readyz', async () => {
    const e = await startExporter(envFor(shared));
    running.push(e);
    assert.equal((await request(e.port, 'GET', '/healthz')).status, 200);
    await waitFor(async () => (await request(e.port, 'GET', '/readyz')).status === 200 || undefined, 10_000, '/readyz 200');
    assert.equal((await request(e.port, 'GET', '/nope')).status, 404);
    await e.stop();
  });

  it('on SIGTERM finishes the in-flight request, stops accepting and exits 0', async () => {
    const e = await startExporter(envFor(shared));
    running.push(e);
    const agent = await startScriptedAgent({ dir: shared.dir, snapshot: 'write', snapshotDelayMs: 800 });
    running.push(agent);
    await waitFor(async () => value(await metricsText(e.port), METRICS.agentUp) === 1 || undefined, 10_000, 'agent up');
    const inFlight = request(e.port, 'POST', '/admin/heap-snapshots', auth());
    await waitFor(() => (agent.lines.some((l) => l.startsWith('snapshot-request ')) ? true : undefined), 10_000, 'the request to be in flight');
    e.proc.kill('SIGTERM');
    await waitFor(() => (e.lines.some((l) => l.includes('"event":"shutdown"')) ? true : undefined), 5000, 'the shutdown log line');
    await assert.rejects(request(e.port, 'GET', '/healthz'), /ECONNREFUSED/, 'no longer accepting');
    const r = await inFlight;
    assert.equal(r.status, 201, r.text);
    assert.equal(await e.exited, 0);
    await agent.stop();
  });

  it('drops malformed agent lines and a reading sent on the socket, counts them, and keeps the file\'s readings', async () => {
    const agent = await startScriptedAgent({
      dir: shared.dir,
      garbageOnConnect: ['not json', '[1,2]', '{"type":"reading"}', '{"type":"reading","pid":"7"}', '{"type":"surprise"}'],
      longLineBytes: 2 * 1024 * 1024,
      readingOnSocketHeapUsed: 99e6,
    });
    running.push(agent);
    const e = await startExporter(envFor(shared));
    running.push(e);
    const text = await waitFor(async () => {
      const t = await metricsText(e.port);
      return value(t, METRICS.agentUp) === 1 && value(t, 'heapwatch_exporter_agent_lines_rejected_total') === 7 ? t : undefined;
    }, 10_000, 'seven rejected lines and a valid reading');
    // The socket's well-formed reading (99e6) is refused: readings come only from the file.
    assert.equal(value(text, METRICS.heapUsed), 20e6);
    assert.equal(value(text, METRICS.containerMemoryLimit), 536870912);
    const rejected = e.lines.filter((l) => l.includes('"agent-line-rejected"'));
    assert.ok(rejected.length >= 7);
    assert.ok(rejected.some((l) => JSON.parse(l).reason === 'a reading on the socket (readings come from the reading file)'), rejected.join('\n'));
    await e.stop();
    await agent.stop();
  });

  it('rejects a reading file that holds no reading, counts it once per version, and exports no app values', async () => {
    const agent = await startScriptedAgent({ dir: shared.dir, readingFileText: '{"type":"reading","pid":"not a number"}\n', intervalMs: 60_000 });
    running.push(agent);
    const e = await startExporter(envFor(shared));
    running.push(e);
    await waitFor(async () => e.lines.some((l) => l.includes('"agent-line-rejected"')) || undefined, 10_000, 'the rejection logged');
    await new Promise((r) => setTimeout(r, 1000)); // several polls of the same file
    const text = await metricsText(e.port);
    assert.equal(value(text, 'heapwatch_exporter_agent_lines_rejected_total'), 1, 'one file version, one rejection');
    assert.equal(value(text, METRICS.agentUp), 0);
    assert.equal(value(text, METRICS.heapUsed), undefined);
    const logged = JSON.parse(e.lines.find((l) => l.includes('"agent-line-rejected"'))!);
    assert.equal(logged.reason, 'reading file: reading.pid is not a finite number');
    await e.stop();
    await agent.stop();
  });

  it('reports heapwatch_agent_up 0 and no app values once the last reading is older than 2.5 intervals', async () => {
    const agent = await startScriptedAgent({ dir: shared.dir, stopReadingsAfter: 1 });
    running.push(agent);
    const e = await startExporter(envFor(shared));
    running.push(e);
    await waitFor(async () => value(await metricsText(e.port), METRICS.heapUsed) === 20e6 || undefined, 10_000, 'the one reading');
    const stale = await waitFor(async () => {
      const t = await metricsText(e.port);
      return value(t, METRICS.agentUp) === 0 ? t : undefined;
    }, 10_000, 'agent_up 0 while still connected');
    assert.equal(value(stale, METRICS.heapUsed), undefined);
    assert.equal(value(stale, METRICS.highStreak), undefined);
    assert.equal(samples(stale, METRICS.memoryUsage).size, 0);
    assert.equal((await request(e.port, 'POST', '/admin/heap-snapshots', auth())).status, 503);
    await e.stop();
    await agent.stop();
  });

  it('counts an app restart that happened while the sidecar was down, and keeps the counts', async () => {
    fs.rmSync(path.join(shared.dir, 'exporter-state.json'), { force: true });
    let agent = await startScriptedAgent({ dir: shared.dir, pid: 100, startTime: 1000 });
    let e = await startExporter(envFor(shared));
    await waitFor(async () => value(await metricsText(e.port), METRICS.agentUp) === 1 || undefined, 10_000, 'agent up');
    assert.equal(value(await metricsText(e.port), METRICS.appRestarts, '{reason="other"}'), 0, 'the first process seen is not a restart');
    await agent.stop();
    agent = await startScriptedAgent({ dir: shared.dir, pid: 101, startTime: 2000 });
    await waitFor(async () => value(await metricsText(e.port), METRICS.appRestarts, '{reason="other"}') === 1 || undefined, 10_000, 'restart 1');
    assert.equal(await e.stop(), 0);
    await agent.stop();
    agent = await startScriptedAgent({ dir: shared.dir, pid: 102, startTime: 3000 });
    e = await startExporter(envFor(shared));
    running.push(agent, e);
    await waitFor(async () => value(await metricsText(e.port), METRICS.appRestarts, '{reason="other"}') === 2 || undefined, 10_000, 'restart 2 across the sidecar restart');
    await e.stop();
    await agent.stop();
  });

  it('scrape mode re-exposes the app\'s standard families and the ratios it can compute, and counts restarts', async () => {
    const startPromApp = async (port = 0) => {
      const proc = spawn(NODE, [path.join(FIXTURES, 'exporter-prom-app.js')], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH, PORT: String(port) } });
      const bound = await new Promise<number>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port)));
      return { proc, port: bound, exited: new Promise((r) => proc.on('exit', r)) };
    };
    fs.rmSync(path.join(shared.dir, 'exporter-state.json'), { force: true }); // counts from the tests above
    let app = await startPromApp();
    const e = await startExporter(envFor(shared, { HEAPWATCH_SOURCE: 'scrape', HEAPWATCH_SCRAPE_URL: `http://127.0.0.1:${app.port}/metrics` }));
    running.push(e);
    try {
      const text = await waitFor(async () => {
        const t = await metricsText(e.port);
        return value(t, METRICS.agentUp) === 1 && value(t, METRICS.heapUsedTotalRatio) !== undefined ? t : undefined;
      }, 10_000, 'a scrape');
      const used = value(text, METRICS.heapUsed)!;
      const total = value(text, METRICS.heapTotal)!;
      assert.ok(used > 0 && total >= used);
      assert.ok(Math.abs(value(text, METRICS.heapUsedTotalRatio)! - used / total) < 1e-12);
      assert.equal(value(text, METRICS.heapUsedRatio), undefined, 'prom-client has no heap limit family');
      assert.ok(samples(text, METRICS.heapSpaceUsed).size > 0);
      assert.ok(value(text, METRICS.startTime)! > 1e9);
      assert.ok(!text.includes('app_orders_pending'), 'unrelated app families are not passed through');
      assert.ok(!text.includes('nodejs_version_info'), 'only the standard families');
      assert.equal((text.match(/^# TYPE nodejs_heap_size_used_bytes /gm) ?? []).length, 1, 'no family twice');
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.deepEqual(`${lint.stdout}${lint.stderr}`.split('\n').filter((l) => /^heapwatch_|error/i.test(l)), []);
      const snap = await request(e.port, 'POST', '/admin/heap-snapshots', auth());
      assert.equal(snap.status, 503);
      assert.match(snap.text, /scrape/);
      assert.equal(value(text, METRICS.appRestarts, '{reason="other"}'), 0, 'the first process seen is not a restart');

      app.proc.kill('SIGTERM');
      await app.exited;
      const down = await waitFor(async () => {
        const t = await metricsText(e.port);
        return value(t, METRICS.agentUp) === 0 ? t : undefined;
      }, 10_000, 'the scrape going stale');
      assert.equal(value(down, METRICS.heapUsed), undefined, 'no stale app values');
      assert.equal(value(down, METRICS.heapUsedTotalRatio), undefined);

      // The app comes back on its port as a new process: a new process_start_time_seconds.
      await new Promise((r) => setTimeout(r, 1100)); // prom-client's start time has whole seconds: make it differ
      app = await startPromApp(app.port);
      await waitFor(async () => value(await metricsText(e.port), METRICS.appRestarts, '{reason="other"}') === 1 || undefined, 10_000, 'the restart counted');
    } finally {
      app.proc.kill('SIGTERM');
      await e.stop();
    }
  });
});
