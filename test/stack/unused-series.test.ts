/**
 * prometheus.dropUnusedSeries: the exporter job drops UNUSED_SIDECAR_SERIES at scrape time.
 *
 * - A real Prometheus runs the synthesized prometheus.yml (the drop on) and a second one the
 *   config with prometheus.dropUnusedSeries false, both scraping the same real pod: the sidecar's
 *   own stated command on the synthesized ConfigMaps' bytes, reading the real agent in a real app.
 *   The first stores every family of the sidecar's body but the dropped ones, and every family a
 *   rule or panel reads; the second stores them all.
 * - A guard: no rule expression of alerts/heapwatch-rules.yaml, no query of
 *   dashboards/heapwatch-memory.json and no runbook names a dropped family, so a future panel
 *   cannot silently read one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { defaultManifests } from '../../charts/default-app';
import { resolveConfig } from '../../src/config';
import { JOBS, METRICS } from '../../src/contract';
import { buildMemoryDashboard, panelQueries } from '../../src/dashboard';
import { UNUSED_SIDECAR_SERIES, UNUSED_SIDECAR_SERIES_REGEX } from '../../src/stack';
import { DEMO_CONFIG } from '../harness/demo-config';
import { LocalPod } from '../harness/local-pod';
import { done, notYet, pollUntil } from '../harness/poll';
import { ProcessGroup } from '../harness/processes';
import { LocalPrometheus } from '../harness/prometheus-local';
import { metricNamesIn } from '../support/dashboard-promql';
import { freePort } from '../support/free-port';
import { REPO_ROOT } from '../support/repo-root';

const DROPPED: ReadonlySet<string> = new Set(UNUSED_SIDECAR_SERIES);

/** The series names of a Prometheus text exposition (histograms as their _bucket, _sum, _count). */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

/** The metric names a real Prometheus holds for the exporter job. */
async function storedNames(prom: LocalPrometheus): Promise<Set<string>> {
  const r = await prom.query(`group by (__name__) ({job="${JOBS.exporter}"})`);
  return new Set(r.map((s) => s.metric.__name__));
}

const missing = (want: Iterable<string>, have: ReadonlySet<string>) => [...want].filter((n) => !have.has(n)).sort();

describe('prometheus.dropUnusedSeries on a real Prometheus scraping a real sidecar', () => {
  const group = new ProcessGroup();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwatch-unused-series-'));
  const config = resolveConfig(DEMO_CONFIG);
  const dropping = defaultManifests(DEMO_CONFIG);
  const keeping = defaultManifests({ ...DEMO_CONFIG, prometheus: { ...DEMO_CONFIG.prometheus, dropUnusedSeries: false } });
  let pod: LocalPod;
  let dropProm: LocalPrometheus;
  let keepProm: LocalPrometheus;
  /** The sidecar's /metrics body once the agent is up and host metrics are collected. */
  let body = new Set<string>();
  let bodyText = '';

  before(async () => {
    pod = await LocalPod.create({ manifests: dropping, group, workDir: path.join(dir, 'pod'), appScript: path.join(REPO_ROOT, 'test/harness/demo-service.js') });
    const local = async (manifests: any[], name: string) => new LocalPrometheus({
      manifests, group, workDir: path.join(dir, name), port: await freePort(), alertmanager: '127.0.0.1:1',
      targets: { [JOBS.exporter]: [pod.target()] },
    });
    dropProm = await local(dropping, 'prom-drop');
    keepProm = await local(keeping, 'prom-keep');
    await Promise.all([pod.start(), dropProm.start(), keepProm.start()]);
    // Half the heap limit of retained records: GCs, major ones among them, so the GC families and the
    // live heap after GC are in the body too (an idle app that never collected has none yet).
    await fetch(`${pod.appUrl}/leak/start?mibPerSecond=16&untilRatio=0.5`, { method: 'POST' });
    body = await pollUntil('the sidecar serving the agent\'s reading, its GC families and the host metrics', async () => {
      bodyText = await (await fetch(`${pod.exporterUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const names = exposedNames(bodyText);
      const wanted = [METRICS.agentUp, METRICS.heapUsed, `${METRICS.gcDuration}_sum`, METRICS.liveAfterGc, ...UNUSED_SIDECAR_SERIES];
      return missing(wanted, names).length === 0 ? done(names) : notYet(`missing ${missing(wanted, names).join(', ')}`);
    }, { timeoutMs: 60_000, intervalMs: 500 });
  });

  after(async () => {
    await pod?.stop();
    await group.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('synthesizes the drop only when the knob is on', () => {
    const job = (p: LocalPrometheus) => p.config.scrape_configs.find((j: any) => j.job_name === JOBS.exporter);
    assert.deepEqual(job(dropProm).metric_relabel_configs, [{ source_labels: ['__name__'], regex: UNUSED_SIDECAR_SERIES_REGEX, action: 'drop' }]);
    assert.equal(job(keepProm).metric_relabel_configs, undefined);
  });

  it('the sidecar still serves every dropped family on /metrics (the list names what it really exports)', () => {
    assert.deepEqual(missing(DROPPED, body), []);
  });

  it('with the drop, stores every family of the sidecar\'s body except the dropped ones', async () => {
    const expected = [...body].filter((n) => !DROPPED.has(n));
    const stored = await pollUntil('every kept family in Prometheus', async () => {
      const s = await storedNames(dropProm);
      return missing(expected, s).length === 0 ? done(s) : notYet(`missing ${missing(expected, s).join(', ')}`);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    assert.deepEqual([...stored].filter((n) => DROPPED.has(n)), [], 'no dropped family is stored');
    assert.deepEqual(await dropProm.query(`{__name__=~"${UNUSED_SIDECAR_SERIES_REGEX}"}`), []);
  });

  it('with the drop, stores every sidecar family a rule or a dashboard panel reads', async () => {
    const exprs = [
      ...Object.values(dropProm.ruleFiles).flatMap((text) => (YAML.parse(text).groups as any[]).flatMap((g) => g.rules.map((r: any) => r.expr as string))),
      ...panelQueries(buildMemoryDashboard(config), { namespace: pod.namespace, app: pod.appName, pod: pod.podName }).map((q) => q.expr),
    ];
    const read = new Set(exprs.flatMap(metricNamesIn).filter((n) => body.has(n)));
    // Not vacuous: the heap, GC, restart and liveness families the alerts and panels are built on.
    for (const n of [METRICS.heapUsed, METRICS.heapLimit, METRICS.agentUp, `${METRICS.gcDuration}_sum`, METRICS.liveAfterGc, METRICS.appRestarts, METRICS.containerMemoryLimit]) {
      assert.ok(read.has(n), `the rules and panels read ${n}`);
    }
    const stored = await pollUntil('every family the rules and panels read', async () => {
      const s = await storedNames(dropProm);
      return missing(read, s).length === 0 ? done(s) : notYet(`missing ${missing(read, s).join(', ')}`);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    assert.deepEqual(missing(read, stored), []);
  });

  it('drops exactly the dropped families\' samples from every scrape, and the keeping Prometheus none (figures printed)', async (t) => {
    const droppedSamples = bodyText.split('\n').filter((l) => DROPPED.has(/^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(l)?.[1] ?? '')).length;
    assert.ok(droppedSamples >= UNUSED_SIDECAR_SERIES.length, `at least one sample of each dropped family in the body (${droppedSamples})`);
    const perScrape = async (prom: LocalPrometheus) => {
      const [scraped, kept] = await Promise.all(['scrape_samples_scraped', 'scrape_samples_post_metric_relabeling']
        .map((m) => prom.value(`${m}{job="${JOBS.exporter}"}`)));
      const series = await prom.value(`count({job="${JOBS.exporter}", __name__!~"up|scrape_.+"})`);
      return { scraped: scraped!, kept: kept!, series: series! };
    };
    const [drop, keep] = await Promise.all([perScrape(dropProm), perScrape(keepProm)]);
    t.diagnostic(`one pod's sidecar: ${drop.scraped} samples a scrape; stored: ${drop.kept} with the drop, ${keep.kept} without; ` +
      `series in the head for the pod's job: ${drop.series} with the drop, ${keep.series} without`);
    assert.equal(drop.scraped - drop.kept, droppedSamples);
    assert.equal(keep.scraped, keep.kept);
  });

  it('with prometheus.dropUnusedSeries false, stores every family of the body, the unused ones too', async () => {
    const stored = await pollUntil('every family in the keeping Prometheus', async () => {
      const s = await storedNames(keepProm);
      return missing(body, s).length === 0 ? done(s) : notYet(`missing ${missing(body, s).join(', ')}`);
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    assert.deepEqual(missing(DROPPED, stored), []);
  });
});

/** Every PromQL text of the committed rule file and dashboard, and every runbook, by where it is. */
function committedReaders(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const rules = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'alerts/heapwatch-rules.yaml'), 'utf8'));
  for (const g of rules.groups) for (const r of g.rules) out.push({ where: `rule ${r.record ?? r.alert} (${g.name})`, text: r.expr });
  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, where));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const here = typeof o.title === 'string' ? `dashboard panel "${o.title}"` : typeof o.name === 'string' ? `dashboard ${o.name}` : where;
      for (const [k, x] of Object.entries(o)) {
        if (typeof x === 'string' && ['expr', 'query', 'definition'].includes(k)) out.push({ where: here, text: x });
        else walk(x, here);
      }
    }
  };
  walk(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dashboards/heapwatch-memory.json'), 'utf8')), 'dashboard');
  const runbooks = path.join(REPO_ROOT, 'alerts/runbooks');
  for (const f of fs.readdirSync(runbooks).filter((f) => f.endsWith('.md'))) out.push({ where: `runbook ${f}`, text: fs.readFileSync(path.join(runbooks, f), 'utf8') });
  return out;
}

/**
 * Where a text reads a dropped family: by name, or through a `__name__` matcher (which could match
 * one by pattern, and this check cannot tell).
 */
function readsOfDropped(readers: readonly { where: string; text: string }[]): string[] {
  return readers.flatMap(({ where, text }) => [
    ...UNUSED_SIDECAR_SERIES.filter((n) => text.includes(n)).map((n) => `${where} reads ${n}`),
    ...(text.includes('__name__') ? [`${where} matches on __name__`] : []),
  ]);
}

describe('guard: nothing heapwatch renders reads a dropped family', () => {
  const readers = committedReaders();

  it('reads every rule, panel query and runbook', () => {
    assert.ok(readers.filter((r) => r.where.startsWith('rule ')).length >= 20, 'the rule expressions');
    assert.ok(readers.filter((r) => r.where.startsWith('dashboard')).length >= 25, 'the dashboard queries');
    assert.ok(readers.filter((r) => r.where.startsWith('runbook ')).length >= 10, 'the runbooks');
  });

  it('finds no rule, panel or runbook reading a dropped family', () => {
    assert.deepEqual(readsOfDropped(readers), [],
      'drop the family from UNUSED_SIDECAR_SERIES (src/stack/unused-series.ts) before reading it, or it is never stored');
  });

  it('would fail for a panel that reads one, or matches on __name__ (the guard is not vacuous)', () => {
    const panel = (text: string) => [...readers, { where: 'dashboard panel "Node CPU"', text }];
    assert.deepEqual(readsOfDropped(panel('sum by (pod) (rate(system_cpu_time_total{pod="$pod"}[5m]))')), ['dashboard panel "Node CPU" reads system_cpu_time_total']);
    assert.deepEqual(readsOfDropped(panel('count({__name__=~"system_.+"})')), ['dashboard panel "Node CPU" matches on __name__']);
  });
});
