/**
 * The long-window records (the dashboard's 1-day and 30-day figures), over rollups per app
 * (every 20 checks: 5 minutes at the default 15 s) instead of every pod's samples: 30 days of
 * those are billions of samples a minute at 10,000 pods, 30 days of rollups 8,640 a series.
 *
 * One group, at the rollup interval, rollups first (rules in a group run in order). Each rollup
 * covers the interval that ended 4 checks ago, so an evaluation of heapwatch.records still being
 * written is never skipped. Its window is 1 ms under the interval: Prometheus 2's ranges include
 * both ends, and consecutive evaluations are exactly one interval apart, so the windows tile time
 * and every sample lands in exactly one rollup. A rollup missed (a restart) drops the same
 * samples from both sums of a share, which stays a share of the samples seen.
 */
import { formatDuration, ResolvedConfig } from '../config';
import { METRICS, RECORDS, RESTART_REASONS } from '../contract';
import { RecordingRule, RuleGroup } from './model';
import { BY_APP, BY_POD, EXPORTER_CONTAINER, growth, KSM_CONTAINER, KSM_POD, sidecar, watchedPods } from './promql';

/** Seconds between rollups, and how far behind now a rollup ends. */
export function rollupTiming(c: ResolvedConfig): { readonly rollupSeconds: number; readonly settleSeconds: number } {
  return { rollupSeconds: 20 * c.heap.checkIntervalSeconds, settleSeconds: 4 * c.heap.checkIntervalSeconds };
}

const DAY = 86_400;

export function longWindowGroup(c: ResolvedConfig): RuleGroup {
  const { rollupSeconds, settleSeconds } = rollupTiming(c);
  const win: RollupWindow = { rollupSeconds, settleSeconds, range: justUnder(rollupSeconds), settle: formatDuration(settleSeconds) };
  const under = `${RECORDS.underTarget}[${win.range}] offset ${win.settle}`;
  return {
    name: 'heapwatch.records.long-window',
    interval: formatDuration(rollupSeconds),
    rules: [
      { record: RECORDS.underTargetSumRollup, expr: `sum by (${BY_APP}) (sum_over_time(${under}))` },
      { record: RECORDS.underTargetCountRollup, expr: `sum by (${BY_APP}) (count_over_time(${under}))` },
      { record: RECORDS.memoryRestartsRollup, expr: memoryRestarts(c, win) },
      shareOfTime(RECORDS.underTargetRatio1d, DAY),
      shareOfTime(RECORDS.underTargetRatio30d, 30 * DAY),
      { record: RECORDS.memoryRestarts30d, expr: `sum by (${BY_APP}) (sum_over_time(${RECORDS.memoryRestartsRollup}[${justUnder(30 * DAY)}]))` },
    ],
  };
}

interface RollupWindow {
  readonly rollupSeconds: number;
  readonly settleSeconds: number;
  /** The window, 1 ms under the interval. */
  readonly range: string;
  /** How long ago it ends. */
  readonly settle: string;
}

/**
 * The share of pod-time the 0/1 series was 1, per app: the sum of its samples over their count,
 * both summed over the rollups in the range, so every recorded sample of every pod weighs the
 * same (a pod that lived an hour does not count as much as one that lived all day).
 */
function shareOfTime(record: string, rangeSeconds: number): RecordingRule {
  const r = justUnder(rangeSeconds);
  return {
    record,
    expr: `sum by (${BY_APP}) (sum_over_time(${RECORDS.underTargetSumRollup}[${r}]))\n` +
      `/\n` +
      `sum by (${BY_APP}) (sum_over_time(${RECORDS.underTargetCountRollup}[${r}]))`,
  };
}

/**
 * Memory-related restarts per app in one rollup window: the agent's heap-streak restarts (the
 * sidecar counts them) plus the OOM-killed containers kube-state-metrics reports, the sidecar's own
 * left out (it is not the app). KSM keeps only the last termination reason, so a container's
 * restarts count as OOM kills when it was OOM-killed within the window: an upper bound, exact
 * when a container restarts for one reason only. Each counter counts its growth between the
 * window's two ends (growth(): the rollups add up to the whole growth; a reset counts 0, not less).
 * The `cause` label keeps the two sources apart until the final sum (`or` would otherwise drop
 * one of two pods' series).
 */
function memoryRestarts(c: ResolvedConfig, w: RollupWindow): string {
  const counted = (series: string, by: string) => growth(series, by, w.rollupSeconds, w.settleSeconds);
  const heapStreak = `sum by (${BY_POD}) (clamp_min(${counted(sidecar(METRICS.appRestarts, { reason: RESTART_REASONS.heapStreak }), BY_POD)}, 0))`;
  const oomKilled =
    `sum by (${KSM_POD}) (\n` +
    `      clamp_min(${counted(`kube_pod_container_status_restarts_total{container!="${EXPORTER_CONTAINER}"}`, KSM_CONTAINER)}, 0)\n` +
    `      and on (${KSM_CONTAINER})\n` +
    `      max_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[${w.range}] offset ${w.settle}) == 1\n` +
    `    )\n` +
    `    * on (${KSM_POD}) group_left (app)\n` +
    `    ${watchedPods(c, undefined, w.settle)}`;
  return `sum by (${BY_APP}) (\n` +
    `  label_replace(${heapStreak}, "cause", "heap_streak", "", "")\n` +
    `  or\n` +
    `  label_replace(\n    ${oomKilled},\n    "cause", "oom_killed", "", ""\n  )\n` +
    `)`;
}

/** A PromQL duration 1 ms under a whole number of seconds (at least 2), e.g. 4m59s999ms for 300. */
export function justUnder(seconds: number): string {
  return `${formatDuration(seconds - 1)}999ms`;
}
