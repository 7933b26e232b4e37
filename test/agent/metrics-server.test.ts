/**
 * Lean mode (exporter.sidecar false) for real: a leaking app with the bundled agent and
 * HEAPWATCH_METRICS_PORT, its /metrics checked by the real promtool and scraped by a real
 * Prometheus running the lean chart's own config and rules, on Node 20 and Node 24.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultManifests } from '../../charts/default-app';
import { JOBS, METRICS, RECORDS } from '../../src/contract';
import { READING_FAMILIES } from '../../src/metric-families';
import { LocalPrometheus } from '../harness/prometheus-local';
import { ProcessGroup } from '../harness/processes';
import { freePort, httpGet, NODES, startApp, tempDir, withApp } from '../support/agent-harness';
import { runTool } from '../support/tools';

const FAST = { checkIntervalSeconds: 0.2, startupGraceSeconds: 0 };

/** Polls /metrics until `ok` holds for its text. */
async function scrapeUntil(port: number, ok: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const a = await httpGet(port, '/metrics');
      last = a.body;
      if (a.status === 200 && ok(last)) return last;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last /metrics:\n${last}`);
}

const sampleOf = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

for (const node of NODES) {
  describe(`lean mode: the agent's /metrics (${node.name})`, { concurrency: 1 }, () => {
    it('serves every reading family with a fresh value, as text promtool check metrics passes', async () => {
      const dir = tempDir('lean');
      const [livenessPort, metricsPort] = [await freePort(), await freePort()];
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { ...FAST, livenessPort, metricsPort } }, dir);
      await withApp(app, async () => {
        const { pid, port: appPort } = await app.hello();
        // Garbage, so the GC histogram has samples too.
        await httpGet(appPort, '/garbage?mb=40&kind=small');
        await httpGet(appPort, '/drop');
        await httpGet(appPort, '/garbage?mb=40&kind=small');
        const text = await scrapeUntil(metricsPort, (t) => /^nodejs_gc_duration_seconds_count\{kind="\w+"\}/m.test(t), 'a reading with a GC');
        for (const f of READING_FAMILIES) assert.match(text, new RegExp(`^# TYPE ${f.name} ${f.type}$`, 'm'), f.name);
        assert.equal(sampleOf(text, METRICS.agentUp), 1);
        assert.ok(sampleOf(text, METRICS.heapUsed)! > 1024 * 1024);
        assert.ok(sampleOf(text, METRICS.heapUsedRatio)! > 0 && sampleOf(text, METRICS.heapUsedRatio)! < 1);
        const head = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.match(String(head.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
        assert.equal((await httpGet(metricsPort, '/admin/heap-snapshots')).status, 404, 'lean mode has no admin API');
        const check = runTool('promtool', ['check', 'metrics'], { input: text });
        assert.equal(check.status, 0, check.output);
        assert.equal(check.output.trim(), '', `promtool has no complaint:\n${check.output}`);
        const broken = runTool('promtool', ['check', 'metrics'], { input: text.replace('# TYPE heapwatch_heap_used_ratio gauge', '# TYPE heapwatch_heap_used_ratio gaug') });
        assert.notEqual(broken.status, 0, 'promtool refuses a broken exposition, so the check above can fail');
        const state = JSON.parse((await httpGet(appPort, '/agent')).body);
        assert.deepEqual(state, { active: true, reason: null, pid });
      });
    });

    it('counts its own restarts across processes in the shared volume (the sidecar\'s state file)', async () => {
      const dir = tempDir('lean-restarts');
      const restarts = (t: string, reason: string) => sampleOf(t, `${METRICS.appRestarts}{reason="${reason}"}`);
      for (const expected of [0, 1, 2]) {
        const [livenessPort, metricsPort] = [await freePort(), await freePort()];
        const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { ...FAST, livenessPort, metricsPort } }, dir);
        await withApp(app, async () => {
          await app.hello();
          const text = await scrapeUntil(metricsPort, (t) => sampleOf(t, METRICS.agentUp) === 1, 'a fresh reading');
          assert.equal(restarts(text, 'other'), expected, `start ${expected + 1}`);
          assert.equal(restarts(text, 'heap_streak'), 0);
        });
      }
    });

    it('logs a taken metrics port once and keeps checking and serving /livez', async () => {
      const dir = tempDir('lean-port');
      const blocker = net.createServer();
      const metricsPort = await freePort();
      await new Promise<void>((resolve) => blocker.listen(metricsPort, '0.0.0.0', resolve));
      const livenessPort = await freePort();
      const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { ...FAST, livenessPort, metricsPort } }, dir);
      try {
        await withApp(app, async () => {
          const { port } = await app.hello();
          await new Promise((r) => setTimeout(r, 600));
          assert.equal((await httpGet(livenessPort, '/livez')).status, 200);
          assert.equal((await httpGet(port, '/ping')).body, 'pong');
          const lines = app.logs().filter((l) => String(l.msg).startsWith('Not serving /metrics'));
          assert.equal(lines.length, 1, JSON.stringify(app.logs()));
          assert.equal(lines[0].port, metricsPort);
        });
      } finally {
        blocker.close();
      }
    });
  });
}

describe('lean mode: a real Prometheus scrapes the agent with the lean chart\'s config and rules', () => {
  const group = new ProcessGroup();
  after(() => group.stopAll());

  it('scrapes the agent as the heapwatch-exporter job and evaluates the recording rules on it', async () => {
    const dir = tempDir('lean-prom');
    const node = NODES[1];
    const [livenessPort, metricsPort, promPort] = [await freePort(), await freePort(), await freePort()];
    const app = startApp({ node, fixture: 'agent-leaky-app.js', agent: { ...FAST, livenessPort, metricsPort } }, dir);
    await withApp(app, async () => {
      await app.hello();
      const manifests = defaultManifests({ exporter: { sidecar: false }, heap: { checkIntervalSeconds: 1 } });
      const labels = { namespace: 'default', pod: 'sample-app-0', app: 'sample-app', container: 'app' };
      const prom = new LocalPrometheus({
        manifests, group, workDir: path.join(dir, 'prom'), port: promPort, alertmanager: '127.0.0.1:1',
        targets: { [JOBS.exporter]: [{ address: `127.0.0.1:${metricsPort}`, labels }] },
      });
      await prom.start();
      try {
        const deadline = Date.now() + 30_000;
        let ratio: number | undefined;
        while (Date.now() < deadline && ratio === undefined) {
          await new Promise((r) => setTimeout(r, 500));
          ratio = await prom.value(`${RECORDS.heapRatio}{pod="sample-app-0"}`);
        }
        assert.ok(ratio !== undefined && ratio > 0 && ratio < 1, `recording rule ${RECORDS.heapRatio}: ${ratio}`);
        const targets = (await prom.targets()).filter((t) => t.job === JOBS.exporter);
        assert.deepEqual(targets.map((t) => [t.health, t.lastError]), [['up', '']]);
        assert.equal(await prom.value(`${METRICS.agentUp}{job="${JOBS.exporter}"}`), 1);
        assert.ok((await prom.value(`${METRICS.heapUsed}{job="${JOBS.exporter}", pod="sample-app-0"}`))! > 0);
        const spaces = await prom.query(`${METRICS.heapSpaceUsed}{job="${JOBS.exporter}"}`);
        assert.ok(spaces.some((s) => s.metric.space === 'old_space'), 'labelled families arrive with their labels');
      } finally {
        await prom.stop();
      }
    });
  });
});
