/**
 * The trickiest dashboard queries give the right numbers: they are evaluated by Prometheus's
 * own engine (`promtool test rules`) on synthetic series, exactly as the dashboard sends them
 * (variables substituted by panelQueries).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config';
import { buildMemoryDashboard, panelQueries } from '../../src/dashboard';
import { promtoolTestRules } from '../support/dashboard-promql';

// "All" pods of sample-app, as Grafana expands it; other-app-1 lives in the same namespace.
const queries = panelQueries(buildMemoryDashboard(resolveConfig()), {
  namespace: 'default',
  app: 'sample-app',
  pod: '(sample-app-1|sample-app-2)',
});
const expr = (panelTitle: string, refId = 'A') => {
  const q = queries.find((x) => x.panelTitle === panelTitle && x.refId === refId);
  assert.ok(q, `no query ${refId} on panel ${panelTitle}`);
  return q.expr;
};

const ksm = (pod: string) => `{namespace="default",pod="${pod}",container="app"}`;
const sidecar = (pod: string, extra = '') => `{namespace="default",app="sample-app",pod="${pod}"${extra}}`;

/**
 * sample-app-1 is OOM-killed twice (at 61m and 122m); sample-app-2 restarts once for a heap
 * streak (at 151m); other-app-1 is OOM-killed too and must not count. Evaluated at 180m.
 */
const RESTARTS = [
  { series: `kube_pod_container_status_restarts_total${ksm('sample-app-1')}`, values: '0x60 1x60 2x60' },
  { series: `kube_pod_container_status_last_terminated_reason${ksm('sample-app-1').replace('}', ',reason="OOMKilled"}')}`, values: '_x60 1x120' },
  { series: `kube_pod_container_status_restarts_total${ksm('other-app-1')}`, values: '0x30 1x150' },
  { series: `kube_pod_container_status_last_terminated_reason${ksm('other-app-1').replace('}', ',reason="OOMKilled"}')}`, values: '_x30 1x150' },
  { series: `kube_pod_container_status_restarts_total${ksm('sample-app-2')}`, values: '0x150 1x30' },
  { series: `heapwatch_app_restarts_total${sidecar('sample-app-2', ',reason="heap_streak"')}`, values: '0x150 1x30' },
  // A restart for another reason is not memory-related.
  { series: `heapwatch_app_restarts_total${sidecar('sample-app-1', ',reason="other"')}`, values: '0x170 1x10' },
];

const QUIET = [
  { series: `kube_pod_container_status_restarts_total${ksm('sample-app-1')}`, values: '0x180' },
  { series: `heapwatch_app_restarts_total${sidecar('sample-app-1', ',reason="heap_streak"')}`, values: '0x180' },
];

function run(tests: object[]) {
  const r = promtoolTestRules({ rule_files: [], evaluation_interval: '1m', tests });
  assert.equal(r.status, 0, `promtool test rules failed:\n${r.output}`);
}

describe('dashboard queries evaluated by Prometheus', () => {
  it('count memory restarts and OOM kills of the selected pods only', () => {
    run([{
      interval: '1m',
      input_series: RESTARTS,
      promql_expr_test: [
        { expr: expr('OOM kills (30d)'), eval_time: '180m', exp_samples: [{ labels: '{}', value: 2 }] },
        { expr: expr('Memory restarts (24h)'), eval_time: '180m', exp_samples: [{ labels: '{}', value: 3 }] },
        // 25 minutes after the heap-streak restart, found in the 5-minute window ending at 155m.
        { expr: expr('Since last memory restart'), eval_time: '180m', exp_samples: [{ labels: '{}', value: 1500 }] },
        // Before any restart of sample-app the last one is... none.
        { expr: expr('Since last memory restart'), eval_time: '50m', exp_samples: [] },
      ],
    }]);
  });

  it('show zero restarts, and no "since", when nothing restarted', () => {
    run([{
      interval: '1m',
      input_series: QUIET,
      promql_expr_test: [
        { expr: expr('OOM kills (30d)'), eval_time: '180m', exp_samples: [{ labels: '{}', value: 0 }] },
        { expr: expr('Memory restarts (24h)'), eval_time: '180m', exp_samples: [{ labels: '{}', value: 0 }] },
        { expr: expr('Since last memory restart'), eval_time: '180m', exp_samples: [] },
      ],
    }]);
  });

  it('list firing heapwatch alerts of the selection, including alerts without pod or app labels', () => {
    const alert = (labels: string) => ({ series: `ALERTS{${labels}}`, values: '1x10' });
    run([{
      interval: '1m',
      input_series: [
        alert('alertname="NodejsHeapUsageHigh",alertstate="firing",severity="warning",namespace="default",app="sample-app",pod="sample-app-1"'),
        alert('alertname="NodejsHeapLeakSuspected",alertstate="pending",severity="warning",namespace="default",app="sample-app",pod="sample-app-1"'),
        alert('alertname="HeapwatchExporterDown",alertstate="firing",severity="critical",namespace="default"'),
        alert('alertname="NodejsHeapUsageHigh",alertstate="firing",severity="warning",namespace="default",app="other-app",pod="other-app-1"'),
        alert('alertname="NodejsHeapUsageHigh",alertstate="firing",severity="warning",namespace="staging",app="sample-app",pod="sample-app-9"'),
        alert('alertname="Watchdog",alertstate="firing",severity="none"'),
        alert('alertname="KubePodCrashLooping",alertstate="firing",severity="warning",namespace="default",pod="sample-app-1"'),
      ],
      promql_expr_test: [{
        expr: expr('Firing heapwatch alerts'),
        eval_time: '5m',
        exp_samples: [
          { labels: '{alertname="NodejsHeapUsageHigh",pod="sample-app-1"}', value: 1 },
          { labels: '{alertname="HeapwatchExporterDown"}', value: 1 },
        ],
      }],
    }]);
  });

  it('draw the high and target lines at the configured share of the heap limit', () => {
    run([{
      interval: '1m',
      input_series: [{ series: `nodejs_heap_size_limit_bytes${sidecar('sample-app-1', ',job="heapwatch-exporter"')}`, values: '1000x5' }],
      promql_expr_test: [
        { expr: expr('Heap per pod', 'E'), eval_time: '2m', exp_samples: [{ labels: '{pod="sample-app-1"}', value: 850 }] },
        { expr: expr('Heap per pod', 'F'), eval_time: '2m', exp_samples: [{ labels: '{pod="sample-app-1"}', value: 700 }] },
      ],
    }]);
  });

  it('show the top 5 allocation sites of the selected pods as shares of each pod\'s sampled live heap', () => {
    const site = (pod: string, fn: string, bytes: number) => ({
      series: `heapwatch_heap_allocation_site_bytes${sidecar(pod, `,job="heapwatch-exporter",function="${fn}",location="src/${fn}.ts:1"`)}`, values: `${bytes}x5`,
    });
    const sampled = (pod: string, bytes: number) => ({ series: `heapwatch_heap_allocation_sampled_bytes${sidecar(pod, ',job="heapwatch-exporter"')}`, values: `${bytes}x5` });
    run([{
      interval: '1m',
      input_series: [
        site('sample-app-1', 'append', 610), site('sample-app-1', 'cache', 200), site('sample-app-1', 'parse', 50), sampled('sample-app-1', 1000),
        site('sample-app-2', 'append', 300), site('sample-app-2', 'render', 100), site('sample-app-2', 'tiny', 10), sampled('sample-app-2', 400),
        // Another app's pod in the same namespace is not selected.
        { series: 'heapwatch_heap_allocation_site_bytes{namespace="default",app="other-app",pod="other-app-1",job="heapwatch-exporter",function="huge",location="x.js:1"}', values: '900x5' },
        { series: 'heapwatch_heap_allocation_sampled_bytes{namespace="default",app="other-app",pod="other-app-1",job="heapwatch-exporter"}', values: '1000x5' },
      ],
      promql_expr_test: [{
        expr: expr('Live heap by allocation site (top 5)'),
        eval_time: '2m',
        exp_samples: [
          { labels: '{pod="sample-app-1",function="append",location="src/append.ts:1"}', value: 0.61 },
          { labels: '{pod="sample-app-2",function="append",location="src/append.ts:1"}', value: 0.75 },
          { labels: '{pod="sample-app-1",function="cache",location="src/cache.ts:1"}', value: 0.2 },
          { labels: '{pod="sample-app-2",function="render",location="src/render.ts:1"}', value: 0.25 },
          { labels: '{pod="sample-app-1",function="parse",location="src/parse.ts:1"}', value: 0.05 },
        ],
      }],
    }]);
  });
});
