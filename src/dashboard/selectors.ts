/**
 * The dashboard's template variables and the label matchers built on them, in one place so
 * every query filters the same way and the tests know what to substitute.
 */
import { TARGET_LABELS } from '../contract';

/** Template variable names. */
export const VAR = {
  datasource: 'datasource',
  namespace: 'namespace',
  app: 'app',
  pod: 'pod',
} as const;

/** Grafana's built-in interval variables the queries use. */
export const BUILTIN = {
  rateInterval: '$__rate_interval',
  interval: '$__interval',
  range: '$__range',
} as const;

const ref = (name: string) => `$${name}`;

const ns = `${TARGET_LABELS.namespace}=~"${ref(VAR.namespace)}"`;
const app = `${TARGET_LABELS.app}=~"${ref(VAR.app)}"`;
const pod = `${TARGET_LABELS.pod}=~"${ref(VAR.pod)}"`;

const join = (matchers: readonly string[]) => `{${matchers.join(', ')}}`;

/** Series the sidecar exports, restricted to the selected pods; `extra` adds matchers such as reason="x". */
export function podSel(...extra: string[]): string {
  return join([ns, app, pod, ...extra]);
}

/** Recording rules aggregated per namespace and app (no pod label). */
export function appSel(...extra: string[]): string {
  return join([ns, app, ...extra]);
}

/**
 * kube-state-metrics series: they carry namespace and pod but not heapwatch's `app` label, so
 * they are narrowed by pod. The pod variable has no custom "All" value, so Grafana expands "All"
 * into the app's own pods, never into every pod of the namespace.
 */
export function ksmSel(...extra: string[]): string {
  return join([ns, pod, ...extra]);
}

/**
 * ALERTS series. Some alerts are per app, some per pod, and the label is absent from the
 * others; `label=~"$var|"` matches the selection or a missing label, so no alert is hidden.
 */
export function alertSel(...extra: string[]): string {
  const orMissing = (label: string, name: string) => `${label}=~"${ref(name)}|"`;
  return join([
    ...extra,
    orMissing(TARGET_LABELS.namespace, VAR.namespace),
    orMissing(TARGET_LABELS.app, VAR.app),
    orMissing(TARGET_LABELS.pod, VAR.pod),
  ]);
}

/** "0.85" -> "85 %", for titles and legends that quote a config ratio. */
export function pct(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10} %`;
}
