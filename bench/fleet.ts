/**
 * `npm run bench:fleet`: heapwatch's rules (alerts/heapwatch-rules.yaml, as rendered) in the real
 * Prometheus (Debian's), over what 1,000 and 10,000 watched pods really export:
 *   - one real /metrics body from the bundled sidecar reading a real agent, templated per pod
 *     (values per pod health, see fleet-pods.ts), served by one local HTTP server as one scrape
 *     target per pod (/pods/<i>/metrics) with the target labels pod discovery gives;
 *   - kube-state-metrics (one target) and cAdvisor (one target per node of 30 pods) for those pods;
 *   - history the rules' ranges need (1 h for the leak forecast), backfilled with
 *     `promtool tsdb create-blocks-from openmetrics` before Prometheus starts.
 * Prometheus runs the synthesized prometheus.yml with discovery swapped for those static
 * targets (the scrape and evaluation intervals, relabelling and rule files as shipped).
 * After every target is up, it records each rule group's evaluations (the evaluationTime that
 * prometheus_rule_group_last_duration_seconds reports) for BENCH_FLEET_SECONDS, then head series
 * and Prometheus's RSS. Target: at 10,000 pods, every group evaluates in under 1 s.
 *
 *   BENCH_FLEET_SIZES=1000,10000   pod counts, in order
 *   BENCH_FLEET_SECONDS            measuring window per size; default 5 rounds of the 15 s groups,
 *                                  and one evaluation of the slowest group (its interval + 30 s) but
 *                                  the hourly rollups, which bench:long-window measures
 *   BENCH_FLEET_KEEP_UNUSED_SERIES=1  prometheus.dropUnusedSeries false: store the sidecar series
 *                                  nothing reads too (the figures before they were dropped)
 *
 * Loopback only; every wait is bounded; it ends with one JSON line.
 */
import { spawnSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import YAML from 'yaml';
import { parseDuration, resolveConfig } from '../src/config';
import { EXPORTER_ENV, JOBS, METRICS } from '../src/contract';
import { freePort } from '../test/support/free-port';
import { REPO_ROOT } from '../test/support/repo-root';
import { buildPrometheusConfig } from '../src/stack/prometheus-config';
import { withStaticDiscovery } from '../test/harness/static-discovery';
import { makeSharedDir, metricsText, startAppWithRealAgent, startExporter, waitFor } from '../test/support/exporter-harness';
import { prometheusApi as api, startPrometheus, stopPrometheus } from './bench-prometheus';
import { backfill, cadvisorBody, fleet, kubeStateMetricsBody, Pod, SidecarTemplate, targetLabels } from './fleet-pods';

const SIZES = (process.env.BENCH_FLEET_SIZES ?? '1000,10000').split(',').map(Number);
const TARGET_GROUP_S = 1;
const RULES_FILE = path.join(REPO_ROOT, 'alerts/heapwatch-rules.yaml');
const config = resolveConfig({ prometheus: { dropUnusedSeries: process.env.BENCH_FLEET_KEEP_UNUSED_SERIES !== '1' } });
const groupIntervals = new Map<string, number>(YAML.parse(fs.readFileSync(RULES_FILE, 'utf8')).groups
  .map((g: { name: string; interval?: string }) => [g.name, parseDuration(g.interval ?? config.prometheus.evaluationInterval) ?? 0]));
/**
 * Groups evaluated less often than this (the hourly rollups) read only per-app records, whose
 * cost is what 30 days of them hold, not the pod count: `npm run bench:long-window` measures them
 * over a backfilled month. Waiting an hour per size here would measure an hour of nothing.
 */
const LONG_WINDOW_ONLY_S = 900;
const leftToLongWindow = [...groupIntervals].filter(([, s]) => s > LONG_WINDOW_ONLY_S).map(([g]) => g);
/** Long enough for 5 rounds of the 15 s groups and one evaluation of the slowest other group (the 5m rollups). */
const slowestGroupS = Math.max(...[...groupIntervals.values()].filter((s) => s <= LONG_WINDOW_ONLY_S));
const MEASURE_S = Number(process.env.BENCH_FLEET_SECONDS ?? Math.max(75, slowestGroupS + 30));
const STEP = config.heap.checkIntervalSeconds;

/** One real /metrics body: the bundled sidecar reading the real agent in a real app process. */
async function realSidecarBody(): Promise<string> {
  const shared = makeSharedDir();
  const limit = { [EXPORTER_ENV.containerMemoryLimitBytes]: String(1 << 30) };
  const app = await startAppWithRealAgent(shared.dir, limit);
  const exporter = await startExporter({ HEAPWATCH_DIR: shared.dir, HEAPWATCH_TOKEN_FILE: shared.tokenFile, HEAPWATCH_CHECK_INTERVAL_SECONDS: '1', ...limit });
  try {
    return await waitFor(async () => {
      const t = await metricsText(exporter.port);
      return t.includes(`${METRICS.agentUp} 1`) && t.includes(`${METRICS.gcDuration}_sum`) ? t : undefined;
    }, 30_000, 'a sidecar body with a reading and a GC histogram');
  } finally {
    await exporter.stop();
    await app.stop();
    fs.rmSync(shared.root, { recursive: true, force: true });
  }
}

/** The one local server: every pod's sidecar, kube-state-metrics and every node's cAdvisor. */
async function serveFleet(pods: readonly Pod[], template: SidecarTemplate, t0: number): Promise<http.Server> {
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  const server = http.createServer((req, res) => {
    const now = Date.now() / 1000;
    const url = req.url ?? '';
    let body: string | undefined;
    const pod = /^\/pods\/(\d+)\/metrics$/.exec(url);
    const node = /^\/cadvisor\/([^/]+)\/metrics$/.exec(url);
    if (pod && pods[Number(pod[1])]) body = template.render(pods[Number(pod[1])], now, t0);
    else if (url === '/ksm/metrics') body = kubeStateMetricsBody(pods, now, t0);
    else if (node && byNode.has(node[1])) body = cadvisorBody(byNode.get(node[1])!, now, t0);
    if (body === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The synthesized prometheus.yml with discovery swapped for the fleet's static targets. */
function prometheusYaml(pods: readonly Pod[], fleetPort: number, promPort: number, rulesDir: string): string {
  const fleetAddress = `127.0.0.1:${fleetPort}`;
  const nodes = [...new Set(pods.map((p) => p.node))];
  const c = withStaticDiscovery(buildPrometheusConfig(config), {
    [JOBS.exporter]: pods.map((p) => ({ address: fleetAddress, labels: { ...targetLabels(p), __metrics_path__: `/pods/${p.index}/metrics` } })),
    [JOBS.cadvisor]: nodes.map((n) => ({ address: fleetAddress, labels: { node: n, __metrics_path__: `/cadvisor/${n}/metrics` } })),
  });
  c.scrape_configs = (c.scrape_configs as any[]).filter((j) => j.job_name !== JOBS.alertmanager).map((j) => {
    if (j.job_name === JOBS.prometheus) return { ...j, static_configs: [{ targets: [`127.0.0.1:${promPort}`] }] };
    if (j.job_name === JOBS.kubeStateMetrics) return { ...j, metrics_path: '/ksm/metrics', static_configs: [{ targets: [fleetAddress] }] };
    if (j.job_name === JOBS.cadvisor) {
      const { scheme: _s, tls_config: _t, authorization: _a, ...plain } = j; // served over plain loopback HTTP here
      return plain;
    }
    return j;
  });
  delete c.alerting; // notifications are not measured; nothing listens
  c.rule_files = [path.join(rulesDir, '*.yaml')];
  return YAML.stringify(c, { lineWidth: 0 });
}

/** utime + stime of a process, in seconds (USER_HZ is 100 on Linux). */
const cpuSeconds = (pid: number) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };

interface GroupFigures { rounds: number; medianMs: number; minMs: number; maxMs: number; rules: number }
/** One rule's evaluationTime over the window (what /api/v1/rules reports: the query plus, for an alert, its annotation templates). */
interface RuleTime { group: string; rule: string; rounds: number; medianMs: number; maxMs: number }
/** CPU seconds per wall second over the measuring window: Prometheus, this bench (the fleet's HTTP server), the machine's load. */
interface CpuFigures { prometheus: number; bench: number; loadAverage: number }
interface SizeFigures {
  pods: number; backfillSamples: number; backfillSeconds: number; readySeconds: number; upShare: number;
  groups: Record<string, GroupFigures>; headSeries: number; seriesPerPod: number;
  rssMiB: number; rssPeakMiB: number; rssKiBPerPod: number; alerts: Record<string, number>; ruleErrors: string[];
  perRule: RuleCost[]; ruleTimes: RuleTime[]; cpu: CpuFigures;
}

interface RuleCost { group: string; rule: string; samples: number | null; ms: number | null; error?: string }

/** Each rule's expression once more as an instant query, with the samples it read (stats=all), for where the time goes. */
async function ruleCosts(base: string): Promise<RuleCost[]> {
  const rules = await api(base, '/api/v1/rules');
  const out: RuleCost[] = [];
  for (const g of rules.groups) {
    for (const rule of g.rules) {
      try {
        const data = await api(base, `/api/v1/query?stats=all&query=${encodeURIComponent(rule.query)}`);
        out.push({ group: g.name, rule: rule.name, samples: data.stats.samples.totalQueryableSamples, ms: round(data.stats.timings.evalTotalTime * 1000) });
      } catch (e) {
        // Breakdown only: a query that cannot answer in time on busy cores is reported, not fatal.
        out.push({ group: g.name, rule: rule.name, samples: null, ms: null, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return out;
}

async function measure(n: number, template: SidecarTemplate): Promise<SizeFigures> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `hw-bench-fleet-${n}-`));
  const pods = fleet(n);
  const t0 = Math.floor(Date.now() / 1000);
  let server: http.Server | undefined;
  let prom: ChildProcess | undefined;
  try {
    server = await serveFleet(pods, template, t0);
    const fleetPort = (server.address() as AddressInfo).port;

    // History first: what the rules read over a range, ending where the scrapes begin.
    const started = Date.now();
    const om = path.join(work, 'history.om');
    const out = fs.createWriteStream(om);
    let backfillSamples = 0;
    for (const chunk of backfill(pods, template, t0, STEP, `127.0.0.1:${fleetPort}`)) {
      backfillSamples += chunk.split('\n').length - 1;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end('# EOF\n');
    await once(out, 'finish');
    const data = path.join(work, 'data');
    const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, data], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`promtool backfill failed: ${r.error ?? ''}${r.stderr}`);
    fs.rmSync(om);
    const backfillSeconds = (Date.now() - started) / 1000;

    const rulesDir = path.join(work, 'rules');
    fs.mkdirSync(rulesDir);
    fs.copyFileSync(RULES_FILE, path.join(rulesDir, 'heapwatch-rules.yaml'));
    const promPort = await freePort();
    fs.writeFileSync(path.join(work, 'prometheus.yml'), prometheusYaml(pods, fleetPort, promPort, rulesDir));
    const readyFrom = Date.now();
    const running = startPrometheus({ work, configFile: path.join(work, 'prometheus.yml'), dataDir: data, retention: config.prometheus.retention, port: promPort });
    prom = running.process;
    const { base, logFile } = running;
    // Every target scraped, and all but a few (a scrape can time out on 2 busy cores) up.
    const upShare = await waitFor(async () => {
      if (prom!.exitCode !== null) throw new Error(`prometheus exited ${prom!.exitCode}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        const q = `count(up{job="${JOBS.exporter}"}) == ${n} and on () sum(up{job="${JOBS.exporter}"}) >= ${0.99 * n}`;
        const up = await api(base, `/api/v1/query?query=${encodeURIComponent(`sum(up{job="${JOBS.exporter}"}) / ${n} and on () (${q})`)}`);
        return up.result.length ? Number(up.result[0].value[1]) : undefined;
      } catch { return undefined; }
    }, 240_000, `all ${n} sidecar targets scraped, 99 % of them up`);
    const readySeconds = (Date.now() - readyFrom) / 1000;
    console.error(`${n} pods: backfilled in ${round(backfillSeconds)} s, targets up after ${round(readySeconds)} s; measuring ${MEASURE_S} s`);

    // Evaluations that start after every target is up, for MEASURE_S.
    const from = Date.now();
    const seen = new Map<string, Map<string, number>>();
    const ruleSeen = new Map<string, { group: string; rule: string; evals: Map<string, number> }>();
    const cpuFrom = { prom: cpuSeconds(prom.pid!), bench: process.cpuUsage(), load: os.loadavg()[0] };
    const ruleCount: Record<string, number> = {};
    const ruleErrors = new Set<string>();
    let rssPeak = 0;
    while (Date.now() - from < MEASURE_S * 1000) {
      const rules = await api(base, '/api/v1/rules');
      for (const g of rules.groups) {
        ruleCount[g.name] = g.rules.length;
        for (const rule of g.rules) {
          if (rule.lastError) ruleErrors.add(`${g.name}/${rule.name ?? rule.record}: ${rule.lastError}`);
          if (Date.parse(rule.lastEvaluation) < from) continue;
          const key = `${g.name}/${rule.name}`;
          if (!ruleSeen.has(key)) ruleSeen.set(key, { group: g.name, rule: rule.name, evals: new Map() });
          ruleSeen.get(key)!.evals.set(rule.lastEvaluation, rule.evaluationTime);
        }
        if (Date.parse(g.lastEvaluation) < from) continue;
        if (!seen.has(g.name)) seen.set(g.name, new Map());
        seen.get(g.name)!.set(g.lastEvaluation, g.evaluationTime);
      }
      rssPeak = Math.max(rssPeak, rssMiB(prom.pid!));
      // Every 5 s still sees each 15 s evaluation; /api/v1/rules carries every active alert (thousands
      // here), so polling it every 2 s took 3 % of Prometheus's CPU (pprof at 10,000 pods).
      await delay(5000);
    }
    const wall = (Date.now() - from) / 1000;
    const benchCpu = process.cpuUsage(cpuFrom.bench);
    const cpu: CpuFigures = {
      prometheus: round((cpuSeconds(prom.pid!) - cpuFrom.prom) / wall), bench: round((benchCpu.user + benchCpu.system) / 1e6 / wall),
      loadAverage: round((cpuFrom.load + os.loadavg()[0]) / 2),
    };
    const ruleTimes: RuleTime[] = [...ruleSeen.values()].map(({ group, rule, evals }) => {
      const ms = [...evals.values()].map((s) => s * 1000);
      return { group, rule, rounds: ms.length, medianMs: round(quantile(ms, 0.5)), maxMs: round(Math.max(...ms)) };
    });
    const groups: Record<string, GroupFigures> = {};
    for (const [name, evals] of seen) {
      const ms = [...evals.values()].map((s) => s * 1000);
      groups[name] = { rounds: ms.length, medianMs: round(quantile(ms, 0.5)), minMs: round(Math.min(...ms)), maxMs: round(Math.max(...ms)), rules: ruleCount[name] };
    }
    const head = await api(base, `/api/v1/query?query=prometheus_tsdb_head_series`);
    const headSeries = Number(head.result[0].value[1]);
    const alertRows = await api(base, `/api/v1/query?query=${encodeURIComponent('count by (alertname, alertstate) (ALERTS)')}`);
    const alerts: Record<string, number> = {};
    for (const row of alertRows.result) alerts[`${row.metric.alertname}/${row.metric.alertstate}`] = Number(row.value[1]);
    const rss = rssMiB(prom.pid!);
    console.error(`${n} pods: measured; each rule once more with stats`);
    const perRule = await ruleCosts(base);
    return {
      pods: n, backfillSamples, backfillSeconds: round(backfillSeconds), readySeconds: round(readySeconds), upShare: round(upShare),
      groups, headSeries, seriesPerPod: round(headSeries / n), rssMiB: round(rss), rssPeakMiB: round(Math.max(rssPeak, rss)),
      rssKiBPerPod: round((rss * 1024) / n), alerts, ruleErrors: [...ruleErrors], perRule, ruleTimes, cpu,
    };
  } finally {
    await stopPrometheus(prom);
    server?.closeAllConnections();
    server?.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const started = Date.now();
  const template = new SidecarTemplate(await realSidecarBody());
  console.log(`sidecar body: ${template.lines.length} samples per pod${template.added.length ? `, with families the short-lived sample had not produced yet: ${template.added.join(', ')}` : ''}`);
  const sizes: SizeFigures[] = [];
  for (const n of SIZES) {
    const f = await measure(n, template);
    sizes.push(f);
    console.log(`\n${n} pods: backfill ${f.backfillSamples} samples in ${f.backfillSeconds} s; ${f.upShare * 100} % of targets up after ${f.readySeconds} s`);
    console.log(`  head series ${f.headSeries} (${f.seriesPerPod} per pod), Prometheus RSS ${f.rssMiB} MiB (peak ${f.rssPeakMiB}), ${f.rssKiBPerPod} KiB per pod`);
    for (const [g, x] of Object.entries(f.groups)) console.log(`  ${g.padEnd(32)} ${String(x.medianMs).padStart(8)} ms median (${x.minMs}-${x.maxMs}, ${x.rounds} rounds, ${x.rules} rules)`);
    console.log(`  CPU per wall second while measuring: Prometheus ${f.cpu.prometheus}, this bench's fleet server ${f.cpu.bench}; load average ${f.cpu.loadAverage}`);
    console.log(`  per rule: evaluationTime in the rule group (median, max), then the expression alone once more (stats=all)`);
    for (const c of f.perRule) {
      const t = f.ruleTimes.find((r) => r.group === c.group && r.rule === c.rule);
      const inGroup = t ? `${String(t.medianMs).padStart(8)} ms (max ${t.maxMs})` : '    not evaluated';
      console.log(`    ${c.rule.padEnd(44)} ${inGroup}  ${c.error ? `stats query failed: ${c.error}` : `${String(c.samples).padStart(10)} samples ${String(c.ms).padStart(8)} ms`}`);
    }
    console.log(`  alerts: ${JSON.stringify(f.alerts)}`);
    if (f.ruleErrors.length) console.log(`  RULE ERRORS: ${f.ruleErrors.join('; ')}`);
  }
  const first = sizes[0];
  const last = sizes[sizes.length - 1];
  const growth = sizes.length > 1 ? {
    from: first.pods, to: last.pods,
    headSeries: round(last.headSeries / first.headSeries),
    rss: round(last.rssMiB / first.rssMiB),
    rssKiBPerAddedPod: round(((last.rssMiB - first.rssMiB) * 1024) / (last.pods - first.pods)),
    groupMedian: Object.fromEntries(Object.keys(last.groups).map((g) => [g, first.groups[g] ? round(last.groups[g].medianMs / first.groups[g].medianMs) : null])),
  } : null;
  const slowest = Math.max(...Object.values(last.groups).map((g) => g.maxMs));
  // A group with no evaluation in the window (BENCH_FLEET_SECONDS under its interval) is not a pass.
  const unmeasured = [...new Set(last.perRule.map((r) => r.group))].filter((g) => !last.groups[g] && !leftToLongWindow.includes(g));
  if (unmeasured.length) console.log(`not evaluated within ${MEASURE_S} s at ${last.pods} pods: ${unmeasured.join(', ')}`);
  if (leftToLongWindow.length) console.log(`measured by npm run bench:long-window (over 30 days of rollups), not here: ${leftToLongWindow.join(', ')}`);
  const met = last.ruleErrors.length === 0 && unmeasured.length === 0 && slowest < TARGET_GROUP_S * 1000;
  console.log(`\nat ${last.pods} pods the slowest group evaluation took ${slowest} ms (target < ${TARGET_GROUP_S * 1000} ms): ${met ? 'met' : 'MISSED'}`);
  const runSeconds = round((Date.now() - started) / 1000);
  console.log(`whole bench: ${runSeconds} s`);
  console.log(JSON.stringify({ bench: 'fleet', sizes, growth, target: { groupEvaluationMs: TARGET_GROUP_S * 1000, slowestMs: slowest, unmeasured, leftToLongWindow, met }, runSeconds }));
}

main().catch((e) => { console.error(e); process.exit(1); });
