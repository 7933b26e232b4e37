/**
 * The long-window records (the dashboard's 1-day and 30-day figures), over rollups per app
 * instead of every pod's samples: 30 days of those are billions of samples a minute at 10,000
 * pods. Two levels: every 20 checks (5 minutes at the default 15 s) a rollup of the pods' samples,
 * and every 12 of those (1 hour) an hourly rollup of the rollups. The 1-day records read 288
 * rollups a series, the 30-day records 720 hourly rollups (instead of 8,640 rollups).
 *
 * Each level is one group at its interval. Each rollup covers the interval that ended a settle
 * time ago, so what it reads has been written: 4 checks behind heapwatch.records, and one rollup
 * interval behind the rollups (a group slower than its interval skips evaluations anyway). Its
 * window is 1 ms under the interval: Prometheus 2's ranges include both ends, and consecutive
 * evaluations of a group are exactly one interval apart, so the windows tile time and every
 * sample lands in exactly one rollup, whatever the offset between the two groups' evaluations
 * (Prometheus staggers groups by a hash of their name). A rollup missed (a restart) drops the
 * same samples from both sums of a share, which stays a share of the samples seen.
 *
 * The 30-day records run with the rollups (a series written once an hour is stale to an instant
 * query after 5 minutes) and read the hourly rollups one rollup interval back, so never one the
 * hourly group is still writing (its sum written, its count not yet). So they leave out the
 * newest 11 to 71 minutes at the defaults (thirtyDayLagSeconds). The 1-day records stay on the rollups:
 * 288 samples a series cost little, and an hour behind would be 4 % of their window.
 */
import { formatDuration, ResolvedConfig } from '../config';
import { METRICS, RECORDS, RESTART_REASONS } from '../contract';
import { RecordingRule, RuleGroup } from './model';
import { BY_APP, BY_POD, EXPORTER_CONTAINER, growth, KSM_CONTAINER, KSM_POD, sidecar, watchedPods } from './promql';

export interface RollupTiming {
  /** Seconds between rollups. */
  readonly rollupSeconds: number;
  /** How far behind now a rollup ends. */
  readonly settleSeconds: number;
  /** Seconds between hourly rollups (12 rollups). */
  readonly hourlySeconds: number;
  /** How far behind now an hourly rollup ends, and how far back the 30-day records read them (one rollup interval). */
  readonly hourlySettleSeconds: number;
}

export function rollupTiming(c: ResolvedConfig): RollupTiming {
  const rollupSeconds = 20 * c.heap.checkIntervalSeconds;
  return { rollupSeconds, settleSeconds: 4 * c.heap.checkIntervalSeconds, hourlySeconds: 12 * rollupSeconds, hourlySettleSeconds: rollupSeconds };
}

const DAY = 86_400;

/**
 * How far behind an evaluation the newest sample in the 30-day records is, in seconds (660 to 4,260
 * at the defaults): read one rollup interval back, the last hourly rollup was written up to an hour
 * before that, ends its settle time before it was written, and its last rollup the rollups' settle
 * time before that.
 */
export function thirtyDayLagSeconds(c: ResolvedConfig): { readonly min: number; readonly max: number } {
  const { settleSeconds, hourlySeconds, hourlySettleSeconds } = rollupTiming(c);
  const min = 2 * hourlySettleSeconds + settleSeconds;
  return { min, max: min + hourlySeconds };
}

export function longWindowGroup(c: ResolvedConfig): RuleGroup {
  const { rollupSeconds, settleSeconds, hourlySettleSeconds } = rollupTiming(c);
  const win: RollupWindow = { rollupSeconds, settleSeconds, range: justUnder(rollupSeconds), settle: formatDuration(settleSeconds) };
  const under = `${RECORDS.underTarget}[${win.range}] offset ${win.settle}`;
  const hourlyBack = ` offset ${formatDuration(hourlySettleSeconds)}`;
  return {
    name: 'heapwatch.records.long-window',
    interval: formatDuration(rollupSeconds),
    rules: [
      { record: RECORDS.underTargetSumRollup, expr: `sum by (${BY_APP}) (sum_over_time(${under}))` },
      { record: RECORDS.underTargetCountRollup, expr: `sum by (${BY_APP}) (count_over_time(${under}))` },
      { record: RECORDS.memoryRestartsRollup, expr: memoryRestarts(c, win) },
      shareOfTime(RECORDS.underTargetRatio1d, DAY, RECORDS.underTargetSumRollup, RECORDS.underTargetCountRollup),
      shareOfTime(RECORDS.underTargetRatio30d, 30 * DAY, RECORDS.underTargetSumRollup1h, RECORDS.underTargetCountRollup1h, hourlyBack),
      { record: RECORDS.memoryRestarts30d, expr: sumOver(RECORDS.memoryRestartsRollup1h, 30 * DAY, hourlyBack) },
    ],
  };
}

/** The hourly rollups: each the sum of the rollups in the hour that ended one rollup interval ago. */
export function hourlyRollupGroup(c: ResolvedConfig): RuleGroup {
  const { hourlySeconds, hourlySettleSeconds } = rollupTiming(c);
  const back = ` offset ${formatDuration(hourlySettleSeconds)}`;
  return {
    name: 'heapwatch.records.long-window.hourly',
    interval: formatDuration(hourlySeconds),
    rules: [
      { record: RECORDS.underTargetSumRollup1h, expr: sumOver(RECORDS.underTargetSumRollup, hourlySeconds, back) },
      { record: RECORDS.underTargetCountRollup1h, expr: sumOver(RECORDS.underTargetCountRollup, hourlySeconds, back) },
      { record: RECORDS.memoryRestartsRollup1h, expr: sumOver(RECORDS.memoryRestartsRollup, hourlySeconds, back) },
    ],
  };
}

/** A per-app series summed over a range 1 ms under `rangeSeconds`, ending `back` ago. */
function sumOver(series: string, rangeSeconds: number, back = ''): string {
  return `sum by (${BY_APP}) (sum_over_time(${series}[${justUnder(rangeSeconds)}]${back}))`;
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
function shareOfTime(record: string, rangeSeconds: number, sums: string, counts: string, back = ''): RecordingRule {
  return { record, expr: `${sumOver(sums, rangeSeconds, back)}\n/\n${sumOver(counts, rangeSeconds, back)}` };
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
