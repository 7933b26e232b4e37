/**
 * Recording rules: the names in RECORDS (src/contract.ts), which the dashboard queries.
 * Label sets are part of that contract: per (namespace, app, pod) or per (namespace, app).
 */
import { formatDuration, parseDuration, ResolvedConfig } from '../config';
import { METRICS, RECORDS } from '../contract';
import { hourlyRollupGroup, longWindowGroup } from './long-window';
import { RecordingRule, RuleGroup } from './model';
import { BY_APP, BY_POD, heapRatioMetric, num, sidecar } from './promql';

/**
 * The interval of the groups that need no per-check resolution (the leak forecast, the top
 * allocation site): four checks, 1m at the default 15 s, or the global interval when longer.
 */
export function slowInterval(c: ResolvedConfig): string {
  return formatDuration(Math.max(parseDuration(c.prometheus.evaluationInterval) ?? 0, 4 * c.heap.checkIntervalSeconds));
}

/**
 * The live heap after GC per pod, sampled every slowInterval by its group (heapwatch.leak), ahead
 * of NodejsHeapLeakSuspected, which fits its line to this record.
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
    longWindowGroup(c),
    hourlyRollupGroup(c),
  ];
}
