/**
 * Every dashboard query is valid PromQL (parsed by the real promtool) and reads only metric
 * names heapwatch defines or kube-state-metrics exports.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config';
import { METRICS, RECORDS } from '../../src/contract';
import { buildMemoryDashboard, panelQueries, QueryVariables } from '../../src/dashboard';
import { metricNamesIn, promtoolCheckExprs } from '../support/dashboard-promql';

/** What Grafana would send: a single namespace and app, and "All" pods expanded into a regex. */
const VARS: QueryVariables = {
  namespace: 'default',
  app: 'sample-app',
  pod: '(sample-app-5d8f7c9b6-abcde|sample-app-5d8f7c9b6-fghij)',
  rateInterval: '1m',
  interval: '15s',
  range: '6h',
};

/** kube-state-metrics v2 names (from its docs/metrics), written out here so a typo in src/ fails. */
const KUBE_STATE_METRICS = [
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_status_last_terminated_reason',
  'kube_pod_container_status_terminated_reason',
  'kube_pod_container_resource_limits',
  'kube_pod_container_resource_requests',
  'kube_pod_info',
  'kube_pod_labels',
  'kube_pod_status_phase',
];

const ALLOWED = new Set<string>([
  ...Object.values(METRICS),
  // prom-client histogram series of the GC pause histogram.
  ...['_bucket', '_sum', '_count'].map((suffix) => `${METRICS.gcDuration}${suffix}`),
  ...Object.values(RECORDS),
  'ALERTS',
  ...KUBE_STATE_METRICS,
]);

const model = buildMemoryDashboard(resolveConfig());
const queries = panelQueries(model, VARS);

/** The selector inside a label_values(<selector>, label) variable query, which is PromQL too. */
const variableSelectors = (model.templating.list ?? [])
  .filter((v) => v.type === 'query')
  .map((v) => {
    const m = /^label_values\((.*), \w+\)$/.exec(String(v.query));
    assert.ok(m, `variable ${v.name}: query ${v.query} is not label_values(<selector>, <label>)`);
    return { name: v.name, expr: substituteVars(m[1]) };
  });

function substituteVars(expr: string): string {
  return expr.replace(/\$(namespace|app|pod)\b/g, (_, name: 'namespace' | 'app' | 'pod') => VARS[name]);
}

describe('dashboard queries', () => {
  it('are all found, with every variable substituted', () => {
    assert.ok(queries.length >= 25, `expected the dashboard's ~30 queries, got ${queries.length}`);
    for (const q of queries) assert.doesNotMatch(q.expr, /\$/, `${q.panelTitle} ${q.refId}: ${q.expr}`);
    assert.ok(queries.some((q) => q.panelTitle.startsWith('annotation: ')), 'annotation queries are included');
  });

  it('parse with the real promtool', () => {
    const exprs = [...queries.map((q) => q.expr), ...variableSelectors.map((v) => v.expr)];
    const r = promtoolCheckExprs(exprs);
    const listing = queries.map((q, i) => `  ${i}: [${q.panelTitle} ${q.refId}] ${q.expr}`).join('\n');
    assert.equal(r.status, 0, `promtool check rules failed:\n${r.output}\nqueries:\n${listing}`);
    assert.match(r.output, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  });

  it('would fail the promtool check if one were broken (the check is not vacuous)', () => {
    const broken = [...queries.map((q) => q.expr)];
    broken[3] = broken[3].replace(/\)\s*$/, ''); // drop a closing parenthesis
    const r = promtoolCheckExprs(broken);
    assert.notEqual(r.status, 0, `promtool accepted a broken query: ${broken[3]}`);
  });

  it('read only heapwatch, kube-state-metrics and ALERTS metric names', () => {
    const used = new Set<string>();
    for (const q of [...queries, ...variableSelectors.map((v) => ({ panelTitle: `variable ${v.name}`, refId: '', expr: v.expr }))]) {
      const names = metricNamesIn(q.expr);
      assert.ok(names.length > 0, `${q.panelTitle} ${q.refId}: no metric name found in ${q.expr}`);
      for (const name of names) {
        assert.ok(ALLOWED.has(name), `${q.panelTitle} ${q.refId}: unknown metric ${name} in ${q.expr}`);
        used.add(name);
      }
    }
    // The dashboard is about these; each must appear somewhere.
    for (const name of [METRICS.heapUsed, METRICS.heapLimit, METRICS.liveAfterGc, METRICS.highStreak, RECORDS.heapRatio, RECORDS.gcTimeRatio, 'ALERTS']) {
      assert.ok(used.has(name), `no query reads ${name}`);
    }
  });

  it('metricNamesIn finds metric names, including misspelled ones, and nothing else', () => {
    assert.deepEqual(
      metricNamesIn('histogram_quantile(0.99, sum by (kind, le) (rate(nodejs_gc_duraton_seconds_bucket{pod=~"a|b", kind="major"}[1m])))'),
      ['nodejs_gc_duraton_seconds_bucket']);
    assert.deepEqual(
      metricNamesIn('max by (pod) (heapwatch:heap_used_ratio{app="x"}) * on (pod) group_left (app) up or vector(0) > bool 1e3'),
      ['heapwatch:heap_used_ratio', 'up']);
    assert.deepEqual(metricNamesIn('time() - max(max_over_time(timestamp(foo_total offset 5m)[30d:5m]))'), ['foo_total']);
  });
});

describe('panelQueries', () => {
  it('fails naming the variable when a value is missing or malformed', () => {
    assert.throws(() => panelQueries(model, { ...VARS, pod: '' }), /'pod' \(""\) must be a non-empty label value or regex/);
    assert.throws(() => panelQueries(model, { ...VARS, range: '1h30m' }), /'range' \("1h30m"\) must be a single-unit Prometheus duration/);
  });

  it('fails naming the panel when a query uses an unknown variable', () => {
    const copy = JSON.parse(JSON.stringify(model));
    copy.panels[1].targets[0].expr = 'up{job=~"$job"}';
    assert.throws(() => panelQueries(copy, VARS), new RegExp(`panel '${copy.panels[1].title}' query A: unknown variable \\$job`));
  });

  it('substitutes Grafana\'s interval variables', () => {
    const gcRate = queries.find((q) => q.expr.includes('rate(nodejs_gc_duration_seconds_count'));
    assert.ok(gcRate, 'a GC rate query');
    assert.match(gcRate.expr, /\[1m\]/);
  });
});
