/**
 * PromQL for memory-related restarts, shared by the "now" row and the annotations: the
 * agent's heap-streak restarts (heapwatch_app_restarts_total{reason="heap_streak"}) and the
 * kubelet's OOM kills (kube-state-metrics).
 */
import { KSM_METRICS, METRICS, RESTART_REASONS } from '../contract';
import { ksmSel, podSel } from './selectors';

/** kube-state-metrics series the dashboard reads (allow-listed by the metric-name test). */
export const KSM = { restarts: KSM_METRICS.restarts, lastTerminatedReason: KSM_METRICS.lastTerminatedReason } as const;

/**
 * Subquery resolution for the counts and the "since" panel: restarts are found per window of
 * this length, and two restarts inside one window count as one.
 */
export const RESTART_WINDOW = '5m';

const heapStreak = `reason="${RESTART_REASONS.heapStreak}"`;

/**
 * Per window, the restarts of each container of the selected pods whose last termination was
 * an OOM kill (absent when there were none). The
 * restart count comes from the kubelet and never resets within a pod, so `changes` counts
 * restarts exactly; the last-terminated reason stays "OOMKilled" until the next termination.
 */
function oomRestartsPerWindow(): string {
  return `(changes(${KSM.restarts}${ksmSel()}[${RESTART_WINDOW}]) > 0)` +
    ` and on (namespace, pod, container) (${KSM.lastTerminatedReason}${ksmSel('reason="OOMKilled"')} == 1)`;
}

/**
 * Restarts the agent asked for after a heap streak, per window. The sidecar's counter resets
 * when the sidecar restarts, so `increase` (reset-aware) rather than `changes`.
 */
function heapStreakRestartsPerWindow(): string {
  return `increase(${METRICS.appRestarts}${podSel(heapStreak)}[${RESTART_WINDOW}]) > 0`;
}

/** OOM kills of the selected pods' containers over `range` (e.g. "30d"), 0 when none. */
export function oomKillsOver(range: string): string {
  return `sum(sum_over_time((${oomRestartsPerWindow()})[${range}:${RESTART_WINDOW}])) or vector(0)`;
}

/** Heap-streak restarts of the selected pods over `range`, rounded (increase extrapolates), 0 when none. */
export function heapStreakRestartsOver(range: string): string {
  return `round(sum(increase(${METRICS.appRestarts}${podSel(heapStreak)}[${range}]))) or vector(0)`;
}

/** Seconds since the last memory-related restart within `range`; empty when there was none. */
export function secondsSinceMemoryRestart(range: string): string {
  // timestamp() of a computed vector is the subquery step's time, so the max is the last
  // window that saw a restart.
  return `time() - max(max_over_time(timestamp((${heapStreakRestartsPerWindow()}) or (${oomRestartsPerWindow()}))[${range}:${RESTART_WINDOW}]))`;
}

/** Restart markers for annotations: the app process's start time changed within `window`. */
export function processRestartedWithin(window: string): string {
  return `changes(${METRICS.startTime}${podSel()}[${window}]) > 0`;
}

/** Heap-streak restart markers for annotations. */
export function heapStreakRestartWithin(window: string): string {
  return `increase(${METRICS.appRestarts}${podSel(heapStreak)}[${window}]) > 0`;
}
