/**
 * Recording rules: the names in RECORDS (src/contract.ts), which the dashboard queries.
 * Label sets are part of that contract: per (namespace, app, pod) or per (namespace, app).
 */
import { parseDuration, ResolvedConfig } from '../config';
import { METRICS, RECORDS, RESTART_REASONS } from '../contract';
import { RecordingRule, RuleGroup } from './model';
import { BY_APP, BY_POD, EXPORTER_CONTAINER, heapRatioMetric, KSM_CONTAINER, KSM_POD, num, sidecar, watchedPods } from './promql';

/** Groups that need no 15 s resolution run once a minute, or at the global interval when that is longer. */
const SLOW_INTERVAL = '1m';

export function slowInterval(c: ResolvedConfig): string {
  return (parseDuration(c.prometheus.evaluationInterval) ?? 0) > 60 ? c.prometheus.evaluationInterval : SLOW_INTERVAL;
}

/**
 * The live heap after GC per pod, sampled once a minute by its group (heapwatch.leak), ahead of
 * NodejsHeapLeakSuspected, which fits its line to this record.
 */
export function liveAfterGcRecord(): RecordingRule {
  return { record: RECORDS.liveAfterGc, expr: `max by (${BY_POD}) (${sidecar(METRICS.liveAfterGc)})` };
}

/**
 * The share of wall time in GC per pod. It heads the heapwatch.heap group, ahead of
 * NodejsGcPressureHigh, which reads it: rules in one group run in order, groups do not (Prometheus
 * runs each on its own timer, promtool in no fixed order), so in another group the alert could
 * lag it by an evaluation at random. The histogram's _sum grows by the seconds spent in GC, so
 * its rate is the share of wall time.
 */
export function gcTimeRecord(): RecordingRule {
  return { record: RECORDS.gcTimeRatio, expr: `sum by (${BY_POD}) (rate(${sidecar(`${METRICS.gcDuration}_sum`)}[5m]))` };
}

export function recordingGroups(c: ResolvedConfig): RuleGroup[] {
  return [
    {
      name: 'heapwatch.records',
      rules: [
        { record: RECORDS.heapRatio, expr: `max by (${BY_POD}) (${sidecar(heapRatioMetric(c))})` },
        { record: RECORDS.heapRatioMaxByApp, expr: `max by (${BY_APP}) (${RECORDS.heapRatio})` },
        // A 0/1 series, so the 1d and 30d shares below are a plain average of recorded samples.
        { record: RECORDS.underTarget, expr: `${RECORDS.heapRatio} < bool ${num(c.heap.targetRatio)}` },
      ],
    },
    {
      name: 'heapwatch.records.long-window',
      interval: slowInterval(c),
      rules: [
        { record: RECORDS.underTargetRatio1d, expr: shareOfTime(RECORDS.underTarget, '1d') },
        { record: RECORDS.underTargetRatio30d, expr: shareOfTime(RECORDS.underTarget, '30d') },
        { record: RECORDS.memoryRestarts30d, expr: memoryRestarts(c, '30d') },
      ],
    },
  ];
}

/**
 * The share of pod-time a 0/1 series was 1, per app: every recorded sample of every pod weighs
 * the same, so a pod that lived an hour does not count as much as one that lived all day.
 */
function shareOfTime(series: string, range: string): string {
  return `sum by (${BY_APP}) (sum_over_time(${series}[${range}]))\n` +
    `/\n` +
    `sum by (${BY_APP}) (count_over_time(${series}[${range}]))`;
}

/**
 * Memory-related restarts per app: the agent's heap-streak restarts (the sidecar counts them) plus
 * the OOM-killed containers kube-state-metrics reports, the sidecar's own left out (it is not the app). KSM keeps only the last termination reason,
 * so a container's restarts count as OOM kills when it was OOM-killed at any time in the window: an
 * upper bound, exact when a container restarts for one reason only. The `cause` label keeps the two
 * sources apart until the final sum (`or` would otherwise drop one of two pods' series).
 */
function memoryRestarts(c: ResolvedConfig, range: string): string {
  const heapStreak =
    `sum by (${BY_POD}) (increase(${sidecar(METRICS.appRestarts, { reason: RESTART_REASONS.heapStreak })}[${range}]))`;
  const oomKilled =
    `sum by (${KSM_POD}) (\n` +
    `      increase(kube_pod_container_status_restarts_total{container!="${EXPORTER_CONTAINER}"}[${range}])\n` +
    `      and on (${KSM_CONTAINER})\n` +
    `      max_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[${range}]) == 1\n` +
    `    )\n` +
    `    * on (${KSM_POD}) group_left (app)\n` +
    `    ${watchedPods(c, range)}`;
  return `sum by (${BY_APP}) (\n` +
    `  label_replace(${heapStreak}, "cause", "heap_streak", "", "")\n` +
    `  or\n` +
    `  label_replace(\n    ${oomKilled},\n    "cause", "oom_killed", "", ""\n  )\n` +
    `)`;
}
