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
import { BY_APP, BY_POD, EXPORTER_CONTAINER, KSM_CONTAINER, KSM_POD, sidecar, watchedPods } from './promql';

/** Seconds between rollups, and how far behind now a rollup ends. */
export function rollupTiming(c: ResolvedConfig): { readonly rollupSeconds: number; readonly settleSeconds: number } {
  return { rollupSeconds: 20 * c.heap.checkIntervalSeconds, settleSeconds: 4 * c.heap.checkIntervalSeconds };
}

const DAY = 86_400;

export function longWindowGroup(c: ResolvedConfig): RuleGroup {
  const { rollupSeconds, settleSeconds } = rollupTiming(c);
  const win: RollupWindow = {
    range: justUnder(rollupSeconds),
    settle: formatDuration(settleSeconds),
    // A counter's last value before the window is its value there.
    start: formatDuration(rollupSeconds + settleSeconds),
    newPodSeconds: rollupSeconds + 2 * settleSeconds,
  };
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
  /** The window, 1 ms under the interval. */
  readonly range: string;
  /** How long ago it ends. */
  readonly settle: string;
  /** How long ago it starts. */
  readonly start: string;
  /** A pod created this recently may have counters that began within the window. */
  readonly newPodSeconds: number;
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
 * when a container restarts for one reason only. The `cause` label keeps the two sources apart
 * until the final sum (`or` would otherwise drop one of two pods' series).
 */
function memoryRestarts(c: ResolvedConfig, w: RollupWindow): string {
  // The sidecar's counter begins at 0 and needs a whole streak to count: no restart in its first window.
  const heapStreak = `sum by (${BY_POD}) (${counted(sidecar(METRICS.appRestarts, { reason: RESTART_REASONS.heapStreak }), BY_POD, w)})`;
  // A container of a pod created within the window (a minute's grace for KSM to see it) counts from 0.
  const createdInWindow = `on (${KSM_POD}) (time() - max by (${KSM_POD}) (kube_pod_created) < ${w.newPodSeconds})`;
  const oomKilled =
    `sum by (${KSM_POD}) (\n` +
    `      ${counted(`kube_pod_container_status_restarts_total{container!="${EXPORTER_CONTAINER}"}`, KSM_CONTAINER, w, createdInWindow)}\n` +
    `      and on (${KSM_CONTAINER})\n` +
    `      max_over_time(kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}[${w.range}] offset ${w.settle}) == 1\n` +
    `    )\n` +
    `    * on (${KSM_POD}) group_left (app)\n` +
    `    ${watchedPods(c, w.range, w.settle)}`;
  return `sum by (${BY_APP}) (\n` +
    `  label_replace(${heapStreak}, "cause", "heap_streak", "", "")\n` +
    `  or\n` +
    `  label_replace(\n    ${oomKilled},\n    "cause", "oom_killed", "", ""\n  )\n` +
    `)`;
}

/**
 * What a counter (one series per `by` group) counted in the window: its highest value in the
 * window less its last value before it. The rollups add up to the counter's whole growth, with
 * no extrapolation (increase() estimates each window's edges, which would not add up). The
 * highest value, not the last, keeps a pod deleted within the window (its series is marked
 * stale). A series with no value before the window counts nothing there, unless `fromZero`
 * (a vector matching the series that are new) says it began at 0: so a scrape gap over 5 minutes
 * (an unreachable target, a Prometheus restart) loses a window's growth rather than counting a
 * counter twice. A counter that resets in the window loses what it counted after the reset there.
 */
function counted(series: string, by: string, w: RollupWindow, fromZero?: string): string {
  const top = `max by (${by}) (max_over_time(${series}[${w.range}] offset ${w.settle}))`;
  const before = `max by (${by}) (${series} offset ${w.start})`;
  return fromZero === undefined
    ? `clamp_min(${top} - ${before}, 0)`
    : `clamp_min(${top} - (${before} or ${top} * 0 and ${fromZero}), 0)`;
}

/** A PromQL duration 1 ms under `seconds`, e.g. 4m59s999ms for 300. */
export function justUnder(seconds: number): string {
  let ms = seconds * 1000 - 1;
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size) out += `${Math.floor(ms / size)}${unit}`;
    ms %= size;
  }
  return `${out}${ms}ms`;
}
