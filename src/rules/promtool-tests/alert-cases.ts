/**
 * One test group per alert, pinning its boundary: quiet one evaluation before its threshold or
 * `for` window, firing at it with exact labels and annotations (and, for windowed alerts, quiet
 * again once the window has passed).
 */
import { DeployMode } from '../../config';
import { AlertName, METRICS, RESTART_REASONS } from '../../contract';
import { BY_POD } from '../promql';
import { alignedRate, firstFiring, predictLinear } from './promql-model';
import { TestContext } from './context';
import { counter, expandNotation, input, InputSeries, KSM_TARGET, leakInputs, POD, ramp, repeat, SIDECAR_TARGET, watchedPodSeries } from './series';
import { UnitCase } from './unit-case';

export function alertCases(t: TestContext): UnitCase[] {
  return [heapUsageHigh(t), heapHighStreak(t), slowLeak(t), leakStartupGrace(t), gcPressure(t),
    containerMemory(t), oomKilled(t), restartedForHeap(t), restartsOfNewPod(t), exporterDown(t), agentMissing(t), watchdog(t),
    // The same alerts with allocation site series: their messages name the top site and its share.
    withSites(heapHighStreak(t)), withSites(slowLeak(t)), withSites(restartedForHeap(t), 'before the restart only')];
}

const MiB = 2 ** 20;
const TOP_SITE = { function: 'LedgerService.append', location: 'src/ledger.service.ts:42', bytes: 61 * MiB };
const OTHER_SITE = { function: '(anonymous)', location: 'node_modules/pg/lib/result.js:118', bytes: 20 * MiB };
const SAMPLED_BYTES = 100 * MiB;

/**
 * The case with two allocation sites and the sampled total beside its series, for as long as its
 * longest series, or (beforeRestart) only until the heap_streak restart, as a new process has
 * none yet: the restart alert then names the site from before it.
 */
function withSites(c: UnitCase, beforeRestart?: string): UnitCase {
  const len = beforeRestart === undefined ? Math.max(...c.series.map((s) => expandNotation(s.values).length)) : restartStep(c) + 1;
  const site = (s: typeof TOP_SITE) => input(METRICS.allocationSiteBytes, { ...SIDECAR_TARGET, function: s.function, location: s.location }, repeat(s.bytes, len));
  return {
    name: `${c.name}, naming the top allocation site${beforeRestart ? ` (site series ${beforeRestart})` : ''}`,
    series: [...c.series, site(TOP_SITE), site(OTHER_SITE), input(METRICS.allocationSampledBytes, SIDECAR_TARGET, repeat(SAMPLED_BYTES, len))],
    alerts: c.alerts.map((a) => ({
      ...a,
      firing: a.firing.map((f) => ({ ...f, site: { function: TOP_SITE.function, location: TOP_SITE.location, share: TOP_SITE.bytes / SAMPLED_BYTES } })),
    })),
    exprs: c.exprs,
  };
}

/** The step of the first restart in a case's restart counter series. */
function restartStep(c: UnitCase): number {
  const restarts = c.series.find((s) => s.series.startsWith(METRICS.appRestarts) && s.series.includes(RESTART_REASONS.heapStreak));
  if (!restarts) throw new Error(`${c.name}: no heap_streak restart series`);
  return expandNotation(restarts.values).findIndex((v) => v !== null && v > 0);
}

/**
 * A gauge that sits at its "before" value for 10 steps, then at its "after" value: the shape most
 * threshold alerts need. `series(before, n)` returns the same series, in the same order, either way.
 */
function thresholdCase(t: TestContext, name: string, alert: AlertName, forSecs: number,
  series: (before: boolean, n: number) => InputSeries[], value: number): UnitCase {
  const pre = 10;
  const fire = pre + t.steps(forSecs);
  const before = series(true, pre);
  const after = series(false, fire + 3 - pre);
  return {
    name,
    series: before.map((s, i) => ({ series: s.series, values: `${s.values} ${after[i].values}` })),
    alerts: [
      { at: (fire - 1) * t.step, alert, firing: [] },
      { at: fire * t.step, alert, firing: [{ labels: POD, value }] },
    ],
  };
}

function heapUsageHigh(t: TestContext): UnitCase {
  const h = t.config.heap.highRatio;
  const above = t.above(h);
  return thresholdCase(t, `NodejsHeapUsageHigh: at ${h} quiet, above it fires after ${t.config.alerts.heapHighFor}`,
    'NodejsHeapUsageHigh', t.dur('heapHighFor'),
    (before, n) => [input(t.basisMetric, SIDECAR_TARGET, repeat(before ? h : above, n))], above);
}

function heapHighStreak(t: TestContext): UnitCase {
  const s = t.config.heap.streakAlertChecks;
  const pre = 5;
  const streak = [...repeat(0, pre), ...ramp(1, 1, s + 2)];
  const fire = pre + s - 1;
  return {
    name: `NodejsHeapHighStreak: ${s - 1} consecutive high checks quiet, ${s} fire`,
    series: [input(METRICS.highStreak, SIDECAR_TARGET, streak)],
    alerts: [
      { at: (fire - 1) * t.step, alert: 'NodejsHeapHighStreak', firing: [] },
      { at: fire * t.step, alert: 'NodejsHeapHighStreak', firing: [{ labels: POD, value: s }] },
    ],
  };
}

/**
 * A slow, steady leak in a process that has long been up: the forecast reaches the limit between
 * two evaluations, hours before the live heap itself gets there.
 */
function slowLeak(t: TestContext): UnitCase {
  const L = t.heapLimit;
  const H = t.dur('leakForecastHorizon');
  const lookback = t.dur('leakLookback');
  const hs = H / t.step;
  const k = t.steps(Math.max(lookback, t.dur('leakStartupGrace'))) + 10;
  const delta = 2 * Math.floor((0.25 * L) / (hs + k));
  // The forecast at step k is L + delta/2 (plus under one byte): step k - 1 stays delta/2 short.
  const start = Math.ceil(L - delta * (k + hs)) + delta / 2;
  const live = ramp(start, delta, k + 3);
  const forecast = (j: number) => predictLinear(live, j, t.step, lookback, H)!;
  if (!(forecast(k - 1) < L && forecast(k) >= L)) throw new Error(`slow leak: forecast does not cross ${L} at step ${k}`);
  const minutesLeft = Math.round((L - live[k]) / (delta / t.step) / 60);
  return {
    name: `NodejsHeapLeakSuspected: a slow real leak fires ${t.config.alerts.leakForecastHorizon} before the limit, not one evaluation earlier`,
    series: leakInputs(live, L),
    alerts: [
      { at: (k - 1) * t.step, alert: 'NodejsHeapLeakSuspected', firing: [] },
      { at: k * t.step, alert: 'NodejsHeapLeakSuspected', firing: [{ labels: POD, value: forecast(k) }] },
    ],
    exprs: [{
      // When it fires, the live heap is still this many minutes of growth away from the limit.
      at: k * t.step,
      expr: `round(max by (${BY_POD}) ((${METRICS.heapLimit} - ${METRICS.liveAfterGc}) / deriv(${METRICS.liveAfterGc}[${t.config.alerts.leakLookback}])) / 60)`,
      samples: [{ labels: labelText(POD), value: minutesLeft }],
    }],
  };
}

/** A steep climb from process start: the forecast is over the limit, but the grace holds the alert. */
function leakStartupGrace(t: TestContext): UnitCase {
  const L = t.heapLimit;
  const H = t.dur('leakForecastHorizon');
  const lookback = t.dur('leakLookback');
  const g = t.steps(t.dur('leakStartupGrace'));
  const hs = H / t.step;
  const delta = 2 * Math.ceil((0.3 * L) / (g - 1 + hs));
  const live = ramp(L / 2, delta, g + 3);
  const forecast = (j: number) => predictLinear(live, j, t.step, lookback, H);
  if (g < 2 || !((forecast(g - 1) ?? 0) >= L)) throw new Error(`leak grace: cannot build a forecast over the limit before step ${g}`);
  return {
    name: `NodejsHeapLeakSuspected: silent for ${t.config.alerts.leakStartupGrace} after process start even when the forecast crosses the limit`,
    series: leakInputs(live, L),
    alerts: [
      { at: (g - 1) * t.step, alert: 'NodejsHeapLeakSuspected', firing: [] },
      { at: g * t.step, alert: 'NodejsHeapLeakSuspected', firing: [{ labels: POD, value: forecast(g)! }] },
    ],
    exprs: [forecastOverLimit(t, (g - 1) * t.step)],
  };
}

/** 1 when the leak forecast alone (without the startup grace) is at or over the limit. */
export function forecastOverLimit(t: TestContext, at: number) {
  return {
    at,
    expr: `max by (${BY_POD}) (predict_linear(${METRICS.liveAfterGc}[${t.config.alerts.leakLookback}], ${t.dur('leakForecastHorizon')}))` +
      ` >= bool on (${BY_POD}) max by (${BY_POD}) (${METRICS.heapLimit})`,
    samples: [{ labels: labelText(POD), value: 1 }],
  };
}

/** GC time split over two kinds (the rule sums them), low and then high. */
function gcPressure(t: TestContext): UnitCase {
  const r = t.config.alerts.gcPressureRatio;
  const w = 300 / t.step;
  const high = r < 0.5 ? 2 * r : t.above(r);
  const change = w + 5;
  const forSecs = t.dur('gcPressureFor');
  const n = change + w + t.steps(forSecs) + 5;
  const share = (i: number) => (i < change ? r / 4 : high);
  const major = counter(Array.from({ length: n - 1 }, (_, i) => share(i + 1) * t.step * 0.75));
  const minor = counter(Array.from({ length: n - 1 }, (_, i) => share(i + 1) * t.step * 0.25));
  const rate = (j: number) => alignedRate(major, j, t.step, 300) + alignedRate(minor, j, t.step, 300);
  const matches = Array.from({ length: n }, (_, j) => {
    if (j < w) return false;
    if (Math.abs(rate(j) - r) < 1e-9) throw new Error(`GC test: the rate at step ${j} is too close to the threshold ${r}`);
    return rate(j) > r;
  });
  const fire = firstFiring(matches, t.step, forSecs);
  if (fire === undefined) throw new Error('GC test: the alert never fires');
  const gc = (kind: string, values: number[]) => input(`${METRICS.gcDuration}_sum`, { ...SIDECAR_TARGET, kind }, values);
  return {
    name: `NodejsGcPressureHigh: GC over ${r} of wall time (summed over kinds) fires after ${t.config.alerts.gcPressureFor}`,
    series: [gc('major', major), gc('minor', minor)],
    alerts: [
      { at: (fire - 1) * t.step, alert: 'NodejsGcPressureHigh', firing: [] },
      { at: fire * t.step, alert: 'NodejsGcPressureHigh', firing: [{ labels: POD, value: rate(fire) }] },
    ],
  };
}

function containerMemory(t: TestContext): UnitCase {
  const m = t.config.alerts.containerMemoryRatio;
  const lim = t.containerLimit;
  const at = Math.floor(m * lim);
  const above = Math.round(lim * t.above(m));
  return thresholdCase(t, `NodejsContainerMemoryNearLimit: RSS at ${m} of the limit quiet, above it fires after ${t.config.alerts.containerMemoryFor}`,
    'NodejsContainerMemoryNearLimit', t.dur('containerMemoryFor'),
    (before, n) => [
      input(METRICS.rss, SIDECAR_TARGET, repeat(before ? at : above, n)),
      input(METRICS.containerMemoryLimit, SIDECAR_TARGET, repeat(lim, n)),
    ], above / lim);
}

/**
 * kube-state-metrics reports an OOM kill with a restart: only for watched pods, only for OOMKilled,
 * and only within the window.
 */
function oomKilled(t: TestContext): UnitCase {
  const windowSteps = t.dur('oomWindow') / t.step;
  const c = Math.ceil(windowSteps) + 10;
  const last = c - 1 + Math.floor(windowSteps);
  const n = last + 3;
  const restarted = [...repeat(0, c), ...repeat(1, n - c)];
  const reasonAfter = [...repeat<number | null>(null, c), ...repeat(1, n - c)];
  const pod = (name: string) => ({ ...KSM_TARGET, pod: name });
  const watched = (name: string) => watchedPodSeries(t.config, name, POD.app, n);
  const other = `${POD.app}-6b7f9c-r7t2n`;
  const unwatched = 'batch-report-28fk1';
  const firing = [{ labels: { namespace: POD.namespace, pod: POD.pod, container: 'app', app: POD.app }, value: 1 }];
  return {
    name: `NodejsContainerOOMKilled: an OOMKilled restart of a watched pod fires for ${t.config.alerts.oomWindow}; other reasons and unwatched pods do not`,
    series: [
      input('kube_pod_container_status_restarts_total', { ...pod(POD.pod), container: 'app' }, restarted),
      input('kube_pod_container_status_last_terminated_reason', { ...pod(POD.pod), container: 'app', reason: 'OOMKilled' }, reasonAfter),
      watched(POD.pod),
      // A watched pod restarted for another reason.
      input('kube_pod_container_status_restarts_total', { ...pod(other), container: 'app' }, restarted),
      input('kube_pod_container_status_last_terminated_reason', { ...pod(other), container: 'app', reason: 'Error' }, reasonAfter),
      watched(other),
      // An OOM kill in a pod heapwatch does not watch.
      input('kube_pod_container_status_restarts_total', { ...pod(unwatched), container: 'report' }, restarted),
      input('kube_pod_container_status_last_terminated_reason', { ...pod(unwatched), container: 'report', reason: 'OOMKilled' }, reasonAfter),
      input('kube_pod_labels', { ...pod(unwatched), label_app_kubernetes_io_name: 'batch-report' }, repeat(1, n)),
    ],
    alerts: [
      { at: (c - 1) * t.step, alert: 'NodejsContainerOOMKilled', firing: [] },
      { at: c * t.step, alert: 'NodejsContainerOOMKilled', firing },
      { at: last * t.step, alert: 'NodejsContainerOOMKilled', firing },
      { at: (last + 1) * t.step, alert: 'NodejsContainerOOMKilled', firing: [] },
    ],
  };
}

function restartedForHeap(t: TestContext): UnitCase {
  const windowSteps = t.dur('oomWindow') / t.step;
  const c = Math.ceil(windowSteps) + 10;
  const last = c - 1 + Math.floor(windowSteps);
  const n = last + 3;
  const restarts = (reason: string, at: number) =>
    input(METRICS.appRestarts, { ...SIDECAR_TARGET, reason }, [...repeat(0, at), ...repeat(1, n - at)]);
  return {
    name: `NodejsRestartedForHeap: a heap_streak restart fires for ${t.config.alerts.oomWindow}; other restarts do not`,
    series: [restarts(RESTART_REASONS.heapStreak, c), restarts(RESTART_REASONS.other, c - 3)],
    alerts: [
      { at: (c - 1) * t.step, alert: 'NodejsRestartedForHeap', firing: [] },
      { at: c * t.step, alert: 'NodejsRestartedForHeap', firing: [{ labels: POD, value: 1 }] },
      { at: last * t.step, alert: 'NodejsRestartedForHeap', firing: [{ labels: POD, value: 1 }] },
      { at: (last + 1) * t.step, alert: 'NodejsRestartedForHeap', firing: [] },
    ],
  };
}

/**
 * A pod younger than the window: its counters have no value a window ago, and count from 0
 * (kube_pod_created says the pod is new), so an OOM kill or a heapwatch restart a minute in fires.
 */
function restartsOfNewPod(t: TestContext): UnitCase {
  const c = t.steps(60);
  const n = c + 3;
  const restarted = [...repeat(0, c), ...repeat(1, n - c)];
  return {
    name: `NodejsContainerOOMKilled and NodejsRestartedForHeap: a pod created ${c} steps ago, younger than ${t.config.alerts.oomWindow}, fires too`,
    series: [
      input('kube_pod_created', KSM_TARGET, repeat(0, n)),
      input('kube_pod_container_status_restarts_total', { ...KSM_TARGET, container: 'app' }, restarted),
      input('kube_pod_container_status_last_terminated_reason', { ...KSM_TARGET, container: 'app', reason: 'OOMKilled' }, [...repeat<number | null>(null, c), ...repeat(1, n - c)]),
      watchedPodSeries(t.config, POD.pod, POD.app, n),
      input(METRICS.appRestarts, { ...SIDECAR_TARGET, reason: RESTART_REASONS.heapStreak }, restarted),
    ],
    alerts: [
      { at: (c - 1) * t.step, alert: 'NodejsContainerOOMKilled', firing: [] },
      { at: c * t.step, alert: 'NodejsContainerOOMKilled', firing: [{ labels: { namespace: POD.namespace, pod: POD.pod, container: 'app', app: POD.app }, value: 1 }] },
      { at: (c - 1) * t.step, alert: 'NodejsRestartedForHeap', firing: [] },
      { at: c * t.step, alert: 'NodejsRestartedForHeap', firing: [{ labels: POD, value: 1 }] },
    ],
  };
}

function exporterDown(t: TestContext): UnitCase {
  return thresholdCase(t, `HeapwatchExporterDown: up == 0 fires after ${t.config.alerts.exporterDownFor}`,
    'HeapwatchExporterDown', t.dur('exporterDownFor'),
    (before, n) => [input('up', SIDECAR_TARGET, repeat(before ? 1 : 0, n))], 0);
}

function agentMissing(t: TestContext): UnitCase {
  return thresholdCase(t, `HeapwatchAgentMissing: heapwatch_agent_up == 0 fires after ${t.config.alerts.agentMissingFor}`,
    'HeapwatchAgentMissing', t.dur('agentMissingFor'),
    (before, n) => [input(METRICS.agentUp, SIDECAR_TARGET, repeat(before ? 1 : 0, n))], 0);
}

function watchdog(t: TestContext): UnitCase {
  if (t.config.mode === DeployMode.OPERATOR) {
    // One per namespace with a watched sidecar target (see metaAlerts): two pods, one alert.
    const n = 86400 / t.step + 1;
    const labels = { namespace: POD.namespace };
    return {
      name: 'Watchdog: always firing, once per namespace with a watched pod',
      series: [watchedPodSeries(t.config, POD.pod, POD.app, n), watchedPodSeries(t.config, `${POD.app}-6b7f9c-r7t2n`, POD.app, n)],
      alerts: [
        { at: 0, alert: 'Watchdog', firing: [{ labels, value: 1 }] },
        { at: 86400, alert: 'Watchdog', firing: [{ labels, value: 1 }] },
      ],
    };
  }
  return {
    name: 'Watchdog: always firing, with no input at all',
    series: [],
    alerts: [
      { at: 0, alert: 'Watchdog', firing: [{ labels: {}, value: 1 }] },
      { at: 86400, alert: 'Watchdog', firing: [{ labels: {}, value: 1 }] },
    ],
  };
}

/** '{app="...", namespace="...", pod="..."}' for exp_samples. */
export function labelText(labels: Readonly<Record<string, string>>, name?: string): string {
  const body = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ');
  return `${name ?? ''}{${body}}`;
}
