/**
 * Small PromQL builders shared by the recording and alerting rules, so every rule selects
 * the sidecar's metrics and groups them the same way.
 */
import { DeployMode, formatDuration, HeapRatioBasis, parseDuration, ResolvedConfig } from '../config';
import { CONTAINERS, JOBS, METRICS, TARGET_LABELS } from '../contract';

/** The labels a per-pod series keeps: the dashboard and the alerts group by exactly these. */
export const BY_POD = [TARGET_LABELS.namespace, TARGET_LABELS.app, TARGET_LABELS.pod].join(', ');
/** The labels a per-app series keeps. */
export const BY_APP = [TARGET_LABELS.namespace, TARGET_LABELS.app].join(', ');
/** KSM series are keyed by these (honor_labels keeps the watched pod's namespace and pod). */
export const KSM_POD = [TARGET_LABELS.namespace, TARGET_LABELS.pod].join(', ');
export const KSM_CONTAINER = [TARGET_LABELS.namespace, TARGET_LABELS.pod, TARGET_LABELS.container].join(', ');

/** The sidecar's container name in a watched pod. */
export const EXPORTER_CONTAINER = CONTAINERS.exporter;

/** `metric{job="heapwatch-exporter", ...extra}`: only the sidecar's samples, never a look-alike from another job. */
export function sidecar(metric: string, extra: Record<string, string> = {}): string {
  const matchers = [`job="${JOBS.exporter}"`, ...Object.entries(extra).map(([k, v]) => `${k}="${v}"`)];
  return `${metric}{${matchers.join(', ')}}`;
}

/** The ratio metric the alerting heap ratio is built from, per heap.ratioBasis. */
export function heapRatioMetric(c: ResolvedConfig): string {
  return c.heap.ratioBasis === HeapRatioBasis.TOTAL ? METRICS.heapUsedTotalRatio : METRICS.heapUsedRatio;
}

/** Words for the ratio's denominator, for descriptions. */
export function heapRatioBasisText(c: ResolvedConfig): string {
  return c.heap.ratioBasis === HeapRatioBasis.TOTAL ? 'its current heap total (heapTotal)' : 'its V8 heap size limit';
}

/** Duration in whole seconds; the config is validated, so a bad value here is a programming error. */
export function seconds(field: string, value: string): number {
  const s = parseDuration(value);
  if (s === undefined) throw new Error(`'${field}' (${JSON.stringify(value)}) is not a Prometheus duration`);
  return s;
}

/**
 * Watched pods with their app name, one series of value 1 per (namespace, pod, app).
 * `range` also counts pods deleted within the window; `offset` looks that far back.
 *
 * Standalone: kube-state-metrics' kube_pod_labels (heapwatch's KSM runs with
 * --metric-labels-allowlist=pods=[app.kubernetes.io/name,heapwatch.dev/watched]).
 * Operator mode: kube-prometheus-stack's KSM exports no pod labels by default, so the watched pods
 * are the sidecar targets the PodMonitor discovers (`up` exists for a target whether or not its
 * scrape succeeds, and carries the app label the PodMonitor's relabeling sets).
 */
export function watchedPods(c: ResolvedConfig, range?: string, offset?: string): string {
  const ago = offset ? ` offset ${offset}` : '';
  const over = (selector: string) => (range ? `max_over_time(${selector}[${range}]${ago})` : `${selector}${ago}`);
  if (c.mode === DeployMode.OPERATOR) {
    return `group by (${KSM_POD}, app) (${over(sidecar('up'))})`;
  }
  const series = over('kube_pod_labels{label_heapwatch_dev_watched="true"}');
  return `max by (${KSM_POD}, app) (label_replace(${series}, "app", "$1", "label_app_kubernetes_io_name", "(.+)"))`;
}

/**
 * How much a counter (one series per `by` group) grew over a window ending `endOffsetSeconds`
 * ago: its value at the end less its value at the start. Two samples a series, where increase()
 * reads every sample in the window, and no extrapolation: a restart counts as 1, not ~1.02, and
 * consecutive windows add up to the whole growth. A series with no value at the start (younger,
 * or a scrape gap over 5 minutes then) counts from 0 if its pod was created within the window,
 * else not at all (a counter counted twice would be worse). A pod deleted within the window has
 * no value at its end (its series is stale), so what it counted there is lost; a counter that
 * resets (a sidecar restart) counts nothing in that window.
 */
export function growth(series: string, by: string, windowSeconds: number, endOffsetSeconds = 0): string {
  const at = (secondsAgo: number) => `max by (${by}) (${series}${secondsAgo > 0 ? ` offset ${formatDuration(secondsAgo)}` : ''})`;
  const end = at(endOffsetSeconds);
  const podIsNew = `on (${KSM_POD}) (time() - max by (${KSM_POD}) (kube_pod_created) < ${windowSeconds + endOffsetSeconds + 60})`;
  return `(${end} - (${at(windowSeconds + endOffsetSeconds)} or ${end} * 0 and ${podIsNew}))`;
}

/** Formats a number for PromQL without float noise such as 0.30000000000000004. */
export function num(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** "85%" for 0.85, for fixed text in descriptions. */
export function percent(ratio: number): string {
  return `${num(ratio * 100)}%`;
}
