/**
 * The local pipeline's own parts, each on its own and fast: polling, the process group, the
 * Slack sink, the manifest reader and pod files (on a real synth of the demo chart), the
 * kubelet-like prober (against a real HTTP server), the timeline and the SVG chart.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExporterDelivery } from '../../src/config';
import { AGENT_ENV, AGENT_FILE, CODE_DIR, EXPORTER_ENV, EXPORTER_FILE, JOBS, LIVENESS_PROBE } from '../../src/contract';
import { LocalAlertmanager } from '../harness/alertmanager-local';
import { LocalPod } from '../harness/local-pod';
import { LocalPrometheus } from '../harness/prometheus-local';
import { DEMO_CONFIG } from '../harness/demo-config';
import { synthesizeDefaultChart } from '../harness/demo-chart';
import { demoLeakSite } from '../harness/demo-leak-site';
import { SAMPLE_APP_NAMESPACE } from '../../charts/sample-app';
import { containerOf, envOf, Manifest, mountsOf, ProbeSpec, probeOf, readManifests, workloadWithContainer } from '../harness/manifests';
import { longestSubqueryStep, metricNames } from '../harness/panel-check';
import { PodFiles } from '../harness/pod-files';
import { done, notYet, PollAbort, PollTimeout, pollUntil } from '../harness/poll';
import { Prober } from '../harness/prober';
import { ProcessGroup, waitForHttp } from '../harness/processes';
import { SlackSink } from '../harness/slack-sink';
import { renderHeapChart } from '../harness/svg';
import { Timeline } from '../harness/timeline';
import { freePort } from '../support/free-port';
import { REPO_ROOT } from '../support/repo-root';

describe('pollUntil', () => {
  it('returns the value once an attempt is done', async () => {
    let n = 0;
    const v = await pollUntil('n to reach 3', () => (++n >= 3 ? done(n) : notYet(`n=${n}`)), { intervalMs: 1 });
    assert.equal(v, 3);
  });

  it('fails naming what it awaited and what it saw last', async () => {
    await assert.rejects(pollUntil('the moon', () => notYet('only clouds'), { timeoutMs: 30, intervalMs: 5 }), (e: unknown) => {
      assert.ok(e instanceof PollTimeout);
      assert.match(e.message, /waiting for the moon; last seen: only clouds/);
      return true;
    });
  });

  it('treats a thrown error as not yet, and PollAbort as the end', async () => {
    await assert.rejects(pollUntil('x', () => {
      throw new Error('refused');
    }, { timeoutMs: 30, intervalMs: 5 }), /last seen: error: refused/);
    let calls = 0;
    await assert.rejects(pollUntil('x', () => {
      calls++;
      throw new PollAbort('gone for good');
    }, { timeoutMs: 5000 }), /gone for good/);
    assert.equal(calls, 1);
  });
});

describe('ProcessGroup', () => {
  it('stops every child it started, and waitForHttp fails at once with the log when the child exits', async () => {
    const group = new ProcessGroup();
    const sleeper = group.spawn('sleeper', process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-e2e-proc-'));
    const log = path.join(dir, 'crash.log');
    const crasher = group.spawn('crasher', process.execPath, ['-e', 'console.error("no config given"); process.exit(3)'], { logFile: log });
    await assert.rejects(waitForHttp(crasher, `http://127.0.0.1:${await freePort()}/`, 10_000, log), /crasher exited before answering[\s\S]*no config given/);
    assert.equal(await crasher.exited, 3);
    assert.deepEqual(group.list().map((p) => p.name), ['sleeper']);
    await group.stopAll(1000);
    assert.equal(sleeper.hasExited(), true);
    assert.equal(group.list().length, 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('SlackSink', () => {
  const sink = new SlackSink();
  let url = '';
  before(async () => {
    url = await sink.start();
  });
  after(() => sink.stop());

  const post = (title: string) => fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: '#c', attachments: [{ title, title_link: 'http://grafana.local/d/x', text: 'body 1' }] }),
  });

  it('records messages with their alert name and status, and answers 500 when told to', async () => {
    sink.failNext(2);
    assert.equal((await post('[FIRING:1] NodejsHeapUsageHigh default/p')).status, 500);
    assert.equal((await post('[FIRING:1] NodejsHeapUsageHigh default/p')).status, 500);
    assert.equal((await post('[FIRING:1] NodejsHeapUsageHigh default/p')).status, 200);
    assert.equal((await post('[RESOLVED] NodejsHeapUsageHigh default/p')).status, 200);
    assert.equal(sink.rejected().length, 2);
    assert.deepEqual(sink.delivered().map((m) => `${m.alertname}/${m.status}/${m.channel}`), ['NodejsHeapUsageHigh/firing/#c', 'NodejsHeapUsageHigh/resolved/#c']);
    assert.equal(sink.find('NodejsHeapUsageHigh', 'firing').length, 1);
    const bad = await fetch(url, { method: 'POST', body: 'not json' });
    assert.equal(bad.status, 400);
  });
});

describe('manifests and pod files, on a real synth of the demo chart', () => {
  let dir = '';
  let manifests: Manifest[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-e2e-synth-'));
    manifests = readManifests(synthesizeDefaultChart(DEMO_CONFIG, path.join(dir, 'dist')));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resolves the Downward API memory limit and the probes as the kubelet would', () => {
    const app = workloadWithContainer(manifests, 'app');
    const env = envOf(app, containerOf(app, 'app'));
    assert.equal(env[AGENT_ENV.containerMemoryLimitBytes], String(256 * 2 ** 20));
    assert.equal(env[AGENT_ENV.checkIntervalSeconds], '2');
    assert.match(env.NODE_OPTIONS, /--max-old-space-size=64\b/);
    const sidecar = envOf(app, containerOf(app, 'heapwatch-exporter'));
    assert.equal(sidecar[EXPORTER_ENV.containerMemoryLimitBytes], String(256 * 2 ** 20));
    const liveness = probeOf(containerOf(app, 'app'), 'livenessProbe')!;
    assert.deepEqual([liveness.path, liveness.periodSeconds, liveness.timeoutSeconds, liveness.failureThreshold],
      ['/livez', LIVENESS_PROBE.periodSeconds, LIVENESS_PROBE.timeoutSeconds, LIVENESS_PROBE.failureThreshold]);
    assert.equal(liveness.port, Number(env[AGENT_ENV.livenessPort]));
    assert.equal(probeOf(containerOf(app, 'app'), 'startupProbe')!.failureThreshold, 2);
  });

  it('projects ConfigMap files under a local root and rewrites in-pod paths, refusing paths on no mount', () => {
    const prom = workloadWithContainer(manifests, 'prometheus');
    const files = new PodFiles(path.join(dir, 'root'), mountsOf(manifests, prom, containerOf(prom, 'prometheus')));
    const config = files.local('/etc/prometheus/config/prometheus.yml');
    assert.ok(config.startsWith(path.join(dir, 'root')));
    assert.match(fs.readFileSync(config, 'utf8'), /scrape_configs/);
    const rules = fs.readdirSync(files.local('/etc/prometheus/rules'));
    assert.ok(rules.length > 0, 'the rule ConfigMap holds rule files');
    assert.equal(files.rewrite('/usr/bin/prometheus'), '/usr/bin/prometheus');
    assert.throws(() => files.local('/etc/passwd'), /'\/etc\/passwd' is on no volume mount/);
    const deep = files.rewriteDeep({ rule_files: ['/etc/prometheus/rules/*.yaml'], other: 'x' });
    assert.deepEqual(deep, { rule_files: [path.join(dir, 'root/etc/prometheus/rules/*.yaml')], other: 'x' });
  });
});

describe('the local rewrites of the synthesized pod, Prometheus and Alertmanager (nothing started)', () => {
  let dir = '';
  let manifests: Manifest[] = [];
  const group = new ProcessGroup();
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-e2e-rewrite-'));
    manifests = readManifests(synthesizeDefaultChart(DEMO_CONFIG, path.join(dir, 'dist')));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the app with the manifest NODE_OPTIONS and env, paths on the shared dir and ports on free local ones', async () => {
    const pod = await LocalPod.create({ manifests, group, workDir: path.join(dir, 'pod'), appScript: 'app.js' });
    const app = pod.appEnv;
    const sidecar = pod.exporterEnv;
    // The agent NODE_OPTIONS loads is the local twin of its in-pod path, projected from the ConfigMap.
    const agentFile = path.join(dir, 'pod', `root-app${CODE_DIR}`, AGENT_FILE);
    assert.match(app.NODE_OPTIONS, new RegExp(`^--require ${agentFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --max-old-space-size=64 --max-semi-space-size=1$`));
    const agentMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('sample-app-heapwatch-agent-'))!;
    assert.equal(fs.readFileSync(agentFile, 'utf8'), agentMap.data[AGENT_FILE]);
    assert.equal(app[AGENT_ENV.dir], pod.sharedDir);
    assert.equal(sidecar[EXPORTER_ENV.dir], pod.sharedDir);
    assert.notEqual(app[AGENT_ENV.livenessPort], '9465');
    assert.equal(pod.livezUrl, `http://127.0.0.1:${app[AGENT_ENV.livenessPort]}/livez`);
    assert.equal(pod.exporterUrl, `http://127.0.0.1:${sidecar[EXPORTER_ENV.port]}`);
    assert.equal(sidecar[EXPORTER_ENV.scrapeUrl], `${pod.appUrl}/metrics`);
    const token = fs.readFileSync(sidecar[EXPORTER_ENV.tokenFile], 'utf8').trim();
    assert.equal(token, pod.token);
    assert.equal(fs.statSync(sidecar[EXPORTER_ENV.tokenFile]).mode & 0o777, 0o600);
    assert.deepEqual(pod.target().labels, { namespace: SAMPLE_APP_NAMESPACE, pod: 'sample-app-local-0', container: 'heapwatch-exporter', app: 'sample-app' });
  });

  it("runs the sidecar's own stated command, its in-pod paths made local, on the ConfigMaps' bytes", async () => {
    const pod = await LocalPod.create({ manifests, group, workDir: path.join(dir, 'pod-command'), appScript: 'app.js' });
    const stated: string[] = containerOf(workloadWithContainer(manifests, 'heapwatch-exporter'), 'heapwatch-exporter').command;
    const local = path.join(dir, 'pod-command', `root-heapwatch-exporter${CODE_DIR}`);
    assert.equal(stated[0], 'node');
    assert.deepEqual(pod.exporterCommand, [process.execPath, ...stated.slice(1).map((a) => a.replace(`${CODE_DIR}/`, `${local}/`))]);
    const parts = fs.readdirSync(local).sort();
    assert.ok(parts.length >= 1 && parts.every((p) => p.startsWith(`${EXPORTER_FILE}.gz.`)), parts.join(', '));
    for (const part of parts) {
      const cm = manifests.find((m) => m.kind === 'ConfigMap' && m.binaryData?.[part] !== undefined);
      assert.ok(cm, `a ConfigMap holds ${part}`);
      assert.deepEqual(fs.readFileSync(path.join(local, part)), Buffer.from(cm.binaryData[part], 'base64'));
    }
  });

  it('refuses to run a pod whose code would come from an image (nothing here runs one)', async () => {
    const imageManifests = readManifests(synthesizeDefaultChart({ ...DEMO_CONFIG, exporter: { ...DEMO_CONFIG.exporter, delivery: ExporterDelivery.IMAGE, image: 'registry.example.test/heapwatch-exporter:0.1.0' } }, path.join(dir, 'dist-image')));
    await assert.rejects(LocalPod.create({ manifests: imageManifests, group, workDir: path.join(dir, 'pod-image'), appScript: 'app.js' }),
      /app's NODE_OPTIONS loads \/heapwatch\/heapwatch-agent\.js, which no ConfigMap of the manifests projects there/);
  });

  it('gives Prometheus static targets, the local Alertmanager, local rule files and a loopback listen address', () => {
    const target = { address: '127.0.0.1:1', labels: { pod: 'p' } };
    const prom = new LocalPrometheus({ manifests, group, workDir: path.join(dir, 'prom'), port: 19090, alertmanager: '127.0.0.1:19093', targets: { [JOBS.exporter]: [target] } });
    const jobs = (prom.config.scrape_configs as any[]).map((j) => j.job_name).sort();
    assert.deepEqual(jobs, [JOBS.alertmanager, JOBS.exporter, JOBS.prometheus].sort(), 'cAdvisor and kube-state-metrics dropped');
    const exporter = (prom.config.scrape_configs as any[]).find((j) => j.job_name === JOBS.exporter);
    assert.deepEqual(exporter.static_configs, [{ targets: ['127.0.0.1:1'], labels: { pod: 'p' } }]);
    assert.equal(exporter.relabel_configs, undefined);
    assert.deepEqual(prom.config.alerting.alertmanagers, [{ static_configs: [{ targets: ['127.0.0.1:19093'] }] }]);
    assert.ok((prom.config.rule_files as string[]).every((f) => f.startsWith(dir)), JSON.stringify(prom.config.rule_files));
    assert.ok(Object.keys(prom.ruleFiles).length > 0);
    assert.equal(prom.config.global.evaluation_interval, '1s', 'the synthesized global section is kept');
  });

  it('gives Alertmanager the sink URL in the webhook Secret file and local templates', () => {
    const am = new LocalAlertmanager({ manifests, group, workDir: path.join(dir, 'am'), port: 19093, slackWebhookUrl: 'http://127.0.0.1:1/services/local-sink' });
    const files = JSON.stringify(am.config).match(/"api_url_file":"([^"]+)"/g) ?? [];
    assert.ok(files.length > 0, 'Slack receivers read the webhook from a file');
    for (const f of files) {
      const file = JSON.parse(`{${f}}`).api_url_file as string;
      assert.ok(file.startsWith(dir), file);
      assert.equal(fs.readFileSync(file, 'utf8'), 'http://127.0.0.1:1/services/local-sink');
    }
    assert.ok((am.config.templates as string[]).every((t) => t.startsWith(dir)));
    assert.equal(am.config.route.group_wait, '1s');
  });
});

describe('Prober', () => {
  let server: http.Server;
  let status = 200;
  let port = 0;
  before(async () => {
    server = http.createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const spec = (o: Partial<ProbeSpec> = {}): ProbeSpec => ({
    path: '/livez', port: 1, initialDelaySeconds: 0, periodSeconds: 0.02, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1, ...o,
  });

  it('restarts the container after failureThreshold consecutive liveness failures, not before', async () => {
    status = 200;
    const restarts: string[] = [];
    let running = true;
    const prober = new Prober({
      url: () => `http://127.0.0.1:${port}/livez`,
      running: () => running,
      restart: async (reason) => {
        restarts.push(reason);
        status = 200;
      },
    }, spec(), spec());
    prober.start();
    await pollUntil('the startup probe to succeed', () => (prober.events.some((e) => e.kind === 'started') ? done(true) : notYet('not yet')), { timeoutMs: 5000, intervalMs: 5 });
    status = 503;
    await pollUntil('a restart', () => (restarts.length > 0 ? done(true) : notYet(JSON.stringify(prober.events))), { timeoutMs: 5000, intervalMs: 5 });
    running = false;
    await prober.stop();
    assert.deepEqual(restarts.slice(0, 1), ['liveness']);
    const failures = prober.events.filter((e) => e.kind === 'probe-failed' && e.probe === 'liveness').slice(0, 3).map((e) => e.detail);
    assert.deepEqual(failures, ['HTTP 503 (1/3)', 'HTTP 503 (2/3)', 'HTTP 503 (3/3)']);
  });
});

describe('the demo service', () => {
  it('leaks small records up to the asked ratio, holds, frees, and names a bad parameter', async () => {
    const group = new ProcessGroup();
    const port = await freePort();
    const app = group.spawn('demo-service', process.execPath, [path.join(REPO_ROOT, 'test/harness/demo-service.js')], {
      env: { PATH: process.env.PATH, PORT: String(port), NODE_OPTIONS: '--max-old-space-size=64 --max-semi-space-size=1' },
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(app, `${url}/`, 10_000);
      const bad = await fetch(`${url}/leak/start?untilRatio=2`, { method: 'POST' });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as any).error, /'untilRatio' \("2"\) must be a number from 0.01 to 0.99/);
      await fetch(`${url}/leak/start?mibPerSecond=200&untilRatio=0.5`, { method: 'POST' });
      const held = await pollUntil('the leak to reach a ratio of 0.5', async () => {
        const st: any = await (await fetch(`${url}/state`)).json();
        return st.ratio >= 0.5 ? done(st) : notYet(JSON.stringify(st));
      }, { timeoutMs: 10_000, intervalMs: 50 });
      // Many small records on the V8 heap (at least 200 bytes each there), not a few big strings.
      assert.ok(held.records > 50_000 && held.heapUsed >= 200 * held.records, `the leak is small records on the heap: ${JSON.stringify(held)}`);
      assert.ok(held.ratio < 0.6, `stops near the asked ratio: ${held.ratio}`);
      const freed: any = await (await fetch(`${url}/free`, { method: 'POST' })).json();
      assert.equal(freed.records, 0);
      assert.equal(freed.retainedMiB, 0);
      assert.equal(freed.leaking, false);
    } finally {
      await group.stopAll(1000);
    }
  });

  it('names the function and line where its leak allocates the records it keeps', () => {
    const site = demoLeakSite();
    const lines = fs.readFileSync(site.file, 'utf8').split('\n');
    assert.match(lines[site.line - 1], /^\s*pollMintingQueue\(count\) \{$/);
    const body = lines.slice(site.line, site.line + 10).join('\n');
    assert.match(body, /this\.seen\.set\(id, \{ id, userId: .*payload, createdAt: new Date\(\) \}\)/, 'the kept records are made there');
  });

  it('npm run demo stops at once with the apt-get command when prometheus is missing', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'build/scripts/demo.js')], { env: { PATH: '/nonexistent' }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /needs prometheus and prometheus-alertmanager on PATH/);
    assert.match(r.stderr, /sudo apt-get update && sudo apt-get install -y prometheus prometheus-alertmanager/);
  });
});

describe('timeline and picture', () => {
  it('prints latencies against their bounds', () => {
    const t = new Timeline(1000);
    t.add(3000, 'crossed');
    t.latency('fast', 0, 2000, 5000);
    t.latency('slow', 0, 9000, 5000);
    const text = t.format();
    assert.match(text, /\+2\.0 s {2}crossed/);
    assert.match(text, /fast\s+2\.0 s\s+\(bound 5\.0 s: within\)/);
    assert.match(text, /slow\s+9\.0 s\s+\(bound 5\.0 s: EXCEEDED\)/);
  });

  it('draws the ratio (broken while down), both thresholds, alert windows and markers', () => {
    const svg = renderHeapChart({
      title: 'a <test>',
      samples: [{ t: 0, ratio: 0.1 }, { t: 10, ratio: 0.9 }, { t: 20, ratio: null }, { t: 30, ratio: 0.2 }, { t: 40, ratio: 0.1 }],
      durationSeconds: 40,
      highRatio: 0.85,
      targetRatio: 0.7,
      windows: [{ label: 'NodejsHeapUsageHigh', from: 12, to: 21, color: '#f00' }],
      markers: [{ t: 21, label: 'restart' }],
    });
    assert.equal(svg.match(/<polyline/g)?.length, 2, 'one line per stretch the app answered');
    assert.match(svg, /high 85 %/);
    assert.match(svg, /target 70 %/);
    assert.match(svg, />restart</);
    assert.match(svg, /a &lt;test&gt;/);
    assert.match(svg, /<title>NodejsHeapUsageHigh: 12-21 s<\/title>/);
  });

  it('reads metric names and subquery steps out of PromQL', () => {
    assert.deepEqual(metricNames('sum by (pod) (rate(nodejs_gc_duration_seconds_sum{job="x"}[1m])) or on (pod) kube_pod_info'), ['nodejs_gc_duration_seconds_sum', 'kube_pod_info']);
    assert.equal(longestSubqueryStep('max_over_time(x[6h:5m]) + y[1m]'), 300);
    assert.equal(longestSubqueryStep('rate(x[5m])'), 0);
  });
});
