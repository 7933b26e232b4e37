/** Input series for promtool unit tests: labels of a watched pod, and value lists in promtool's notation. */
import { DeployMode, HeapwatchConfig } from '../../config';
import { JOBS, METRICS } from '../../contract';

/** The watched pod every generated test uses (after `max by (namespace, app, pod)`). */
export const POD = { namespace: 'shop', app: 'checkout', pod: 'checkout-6b7f9c-x2x8q' } as const;
/** Labels Prometheus attaches to a sample scraped from the pod's heapwatch sidecar. */
export const SIDECAR_TARGET = { ...POD, container: 'heapwatch-exporter', instance: '10.1.2.3:9464', job: JOBS.exporter } as const;
/** Labels of a kube-state-metrics sample about the pod (honor_labels keeps namespace and pod). */
export const KSM_TARGET = { namespace: POD.namespace, pod: POD.pod, uid: '3f1c2a7e-0000-4000-8000-000000000001', job: JOBS.kubeStateMetrics, instance: '10.1.9.9:8080' } as const;

/**
 * The series that marks a pod of `app` as watched, for `n` steps: its kube_pod_labels row in standalone
 * mode, its sidecar target's `up` in operator mode (see watchedPods in ../promql.ts).
 */
export function watchedPodSeries(c: HeapwatchConfig, pod: string, app: string, n: number): InputSeries {
  return c.mode === DeployMode.OPERATOR
    ? input('up', { ...SIDECAR_TARGET, pod, app }, repeat(1, n))
    : input('kube_pod_labels', { ...KSM_TARGET, pod, label_app_kubernetes_io_name: app, label_heapwatch_dev_watched: 'true' }, repeat(1, n));
}

/** A sample value per step; null is a missed scrape. */
export type Values = readonly (number | null)[];

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export function selector(metric: string, labels: Readonly<Record<string, string>>): string {
  return `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

/** An input series; `thenStale` ends it with a staleness marker, as when a target disappears. */
export function input(metric: string, labels: Readonly<Record<string, string>>, values: Values, thenStale = false): InputSeries {
  return { series: selector(metric, labels), values: notation(values) + (thenStale ? ' stale' : '') };
}

/** `n` copies of `v`. */
export const repeat = <T>(v: T, n: number): T[] => Array.from({ length: n }, () => v);

/** The leak alert's inputs: the live heap after each major GC, a constant heap limit, and the process start time (0 unless given). */
export function leakInputs(live: Values, heapLimit: number, startTime: Values = repeat(0, live.length)): InputSeries[] {
  return [
    input(METRICS.liveAfterGc, SIDECAR_TARGET, live),
    input(METRICS.heapLimit, SIDECAR_TARGET, repeat(heapLimit, live.length)),
    input(METRICS.startTime, SIDECAR_TARGET, startTime),
  ];
}
/** `n` values from `start`, `step` apart. */
export const ramp = (start: number, step: number, n: number): number[] => Array.from({ length: n }, (_, i) => start + step * i);
/** Running sum of per-step increments, starting at 0: a counter. */
export function counter(increments: readonly number[]): number[] {
  let total = 0;
  return [0, ...increments.map((d) => (total += d))];
}

/**
 * promtool's expanding notation: runs of a constant become "vxN", integer ramps "a+bxN", missed
 * scrapes "_xN". Non-integer ramps are written out value by value, because promtool adds the step
 * repeatedly and its sums would drift from the exact values the expectations are computed from.
 */
export function notation(values: Values): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const v = values[i];
    let j = i + 1;
    if (v === null) {
      while (j < values.length && values[j] === null) j++;
      parts.push(j - i === 1 ? '_' : `_x${j - i}`);
    } else {
      const next = values[j];
      const step = next === null || next === undefined ? 0 : next - v;
      const exact = Number.isInteger(v) && Number.isInteger(step);
      if (next !== null && next !== undefined && (step === 0 || exact)) {
        while (j < values.length && values[j] !== null && values[j] === v + step * (j - i)) j++;
        // Two values read better as themselves than as a ramp.
        if (step !== 0 && j - i < 3) j = i + 1;
      }
      const n = j - i - 1;
      if (n === 0) parts.push(num(v));
      else if (step === 0) parts.push(`${num(v)}x${n}`);
      else parts.push(`${num(v)}${step > 0 ? '+' : '-'}${num(Math.abs(step))}x${n}`);
    }
    i = j;
  }
  return parts.join(' ');
}

const num = (v: number) => String(v);

/** The values a notation() string stands for (the inverse of notation; "stale" adds none). */
export function expandNotation(text: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (const part of text.split(' ').filter((p) => p !== '' && p !== 'stale')) {
    const m = /^(_|-?[0-9.e+]+?)(?:([+-])([0-9.e+]+))?(?:x(\d+))?$/.exec(part);
    if (!m) throw new Error(`expandNotation: cannot read ${JSON.stringify(part)}`);
    const times = m[4] === undefined ? 0 : Number(m[4]);
    if (m[1] === '_') {
      out.push(...repeat(null, Math.max(1, times)));
      continue;
    }
    const step = m[2] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * Number(m[3]);
    for (let i = 0; i <= times; i++) out.push(Number(m[1]) + step * i);
  }
  return out;
}
