/** Numbers every generated test derives from the config, with the limits of what can be generated. */
import { derive, ResolvedConfig } from '../../config';
import { METRICS } from '../../contract';
import { heapRatioMetric, seconds } from '../promql';

export interface TestContext {
  readonly config: ResolvedConfig;
  /** Seconds between samples and between rule evaluations: the check interval. */
  readonly step: number;
  /** Whole steps covering `secs` (the first evaluation at or after it). */
  readonly steps: (secs: number) => number;
  /** Seconds of a config duration field under alerts. */
  readonly dur: (key: keyof ResolvedConfig['alerts']) => number;
  /** The ratio metric the alerting ratio follows, and the other one. */
  readonly basisMetric: string;
  readonly otherRatioMetric: string;
  /** A ratio clearly above a threshold, below 100 %. */
  readonly above: (threshold: number) => number;
  /** The V8 heap size limit the tests use (the derived old-space limit). */
  readonly heapLimit: number;
  /** The app container's memory limit in bytes. */
  readonly containerLimit: number;
}

export function testContext(config: ResolvedConfig): TestContext {
  const step = config.heap.checkIntervalSeconds;
  if (300 % step !== 0) {
    throw new Error(`'heap.checkIntervalSeconds' (${step}) must divide 300 for the generated promtool tests (their 5m rate windows are whole steps); use e.g. 5, 10, 15, 20, 30 or 60`);
  }
  for (const [field, v] of [['heap.highRatio', config.heap.highRatio], ['alerts.gcPressureRatio', config.alerts.gcPressureRatio],
    ['alerts.containerMemoryRatio', config.alerts.containerMemoryRatio]] as const) {
    if (v > 0.98) throw new Error(`'${field}' (${v}) leaves no room above it for the generated promtool tests; they need a value at most 0.98`);
  }
  const basisMetric = heapRatioMetric(config);
  const d = derive(config);
  return {
    config,
    step,
    steps: (secs) => Math.ceil(secs / step),
    dur: (key) => seconds(`alerts.${key}`, config.alerts[key] as string),
    basisMetric,
    otherRatioMetric: basisMetric === METRICS.heapUsedRatio ? METRICS.heapUsedTotalRatio : METRICS.heapUsedRatio,
    above: (t) => Number((t + (1 - t) / 2).toFixed(4)),
    heapLimit: d.maxOldSpaceSizeMiB * 2 ** 20,
    containerLimit: d.appMemoryLimitBytes,
  };
}

/** The agent's streak for a run of ratio readings: consecutive readings above the high ratio. */
export function agentStreak(ratios: readonly number[], high: number): number[] {
  let streak = 0;
  return ratios.map((r) => (streak = r > high ? streak + 1 : 0));
}

/** The same values with the given steps missing (scrapes that failed). */
export function withGaps<T>(values: readonly T[], gapSteps: readonly number[]): (T | null)[] {
  return values.map((v, i) => (gapSteps.includes(i) ? null : v));
}
