/** Alerts on the V8 heap itself: high usage, a high streak, a leak forecast and GC pressure. */
import { derive, ResolvedConfig } from '../config';
import { METRICS, RECORDS } from '../contract';
import { topSiteTemplate } from './allocation-site';
import { alertLinks } from './links';
import { AlertingRule } from './model';
import { BY_POD, heapRatioBasisText, heapRatioMetric, num, percent, seconds, sidecar } from './promql';

const WHERE = '{{ $labels.namespace }}/{{ $labels.pod }}';

export function heapAlerts(c: ResolvedConfig): AlertingRule[] {
  const high = percent(c.heap.highRatio);
  const basis = heapRatioBasisText(c);
  const d = derive(c);
  const a = c.alerts;
  const livenessNote = d.livenessFailDuration === undefined
    ? 'heapwatch will not restart it (heap.livenessFailChecks is 0).'
    : `heapwatch restarts it after ${c.heap.livenessFailChecks} high checks (${d.livenessFailDuration}) unless a forced GC brings the heap back under ${high}.`;
  return [
    {
      alert: 'NodejsHeapUsageHigh',
      expr: `max by (${BY_POD}) (${sidecar(heapRatioMetric(c))}) > ${num(c.heap.highRatio)}`,
      for: a.heapHighFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Node.js heap usage is high.',
        description: `The heap of ${WHERE} (app {{ $labels.app }}) is at {{ $value | humanizePercentage }} of ${basis}, ` +
          `above ${high} for more than ${a.heapHighFor}.`,
        ...alertLinks(c, 'NodejsHeapUsageHigh'),
      },
    },
    {
      alert: 'NodejsHeapHighStreak',
      // The agent counts the streak at every check, so no `for`: the streak is the duration.
      expr: `max by (${BY_POD}) (${sidecar(METRICS.highStreak)}) >= ${c.heap.streakAlertChecks}`,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Node.js heap has stayed high for a sustained streak: service restart recommended.',
        description: `${WHERE} (app {{ $labels.app }}) has had {{ $value }} consecutive heap checks above ${high} of ${basis} ` +
          `(this alert fires at ${c.heap.streakAlertChecks} checks, ${d.streakAlertDuration} at one check every ${d.checkInterval}). ` +
          `Service restart recommended; take a heap snapshot first. ${livenessNote} ${topSiteTemplate()}`,
        ...alertLinks(c, 'NodejsHeapHighStreak'),
      },
    },
    {
      alert: 'NodejsGcPressureHigh',
      // The share recorded just ahead of it in this group (gcTimeRecord), not the rate again: at
      // 10,000 pods the rate reads 640,000 samples (bench:fleet).
      expr: `${RECORDS.gcTimeRatio} > ${num(a.gcPressureRatio)}`,
      for: a.gcPressureFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Node.js spends too much time in garbage collection.',
        description: `${WHERE} (app {{ $labels.app }}) spent {{ $value | humanizePercentage }} of wall time in GC over the last 5m, ` +
          `above ${percent(a.gcPressureRatio)} for more than ${a.gcPressureFor}. A heap close to its limit makes V8 collect again and again.`,
        ...alertLinks(c, 'NodejsGcPressureHigh'),
      },
    },
  ];
}

/**
 * The leak forecast, in a group of its own (heapwatch.leak, every slowInterval: 1m by default): a
 * forecast hours ahead gains nothing from a fit every 15 s, and a fit over 15 s samples read 2.4
 * million samples an evaluation at 10,000 pods (bench:fleet).
 */
export function leakAlert(c: ResolvedConfig): AlertingRule {
  const a = c.alerts;
  return {
    alert: 'NodejsHeapLeakSuspected',
    // The live heap after a major GC only grows when retained objects grow; a busy but healthy
    // heap saws up and down and fits a flat line. A (re)started process warms its caches up, which
    // looks like a leak, so the first leakStartupGrace after process start is ignored. The sidecar
    // outlives an app restart, so its series spans both processes: while the fitted window still
    // holds a restart (a change of process start time) the line mixes two processes, and the
    // forecast is ignored too. The start time now against one lookback ago tells that from two
    // samples a pod; changes() over the window read all of them (240 a pod at 15 s: half this
    // rule's cost at 10,000 pods, measured by bench:fleet). The line is fitted to the live heap
    // recorded by its group (liveAfterGcRecord): 60 samples a pod over 1h instead of 240.
    expr:
      `predict_linear(${RECORDS.liveAfterGc}[${a.leakLookback}], ${seconds('alerts.leakForecastHorizon', a.leakForecastHorizon)})\n` +
      `  >= on (${BY_POD})\n` +
      `max by (${BY_POD}) (${sidecar(METRICS.heapLimit)})\n` +
      `and on (${BY_POD})\n` +
      `max by (${BY_POD}) (time() - ${sidecar(METRICS.startTime)}) >= ${seconds('alerts.leakStartupGrace', a.leakStartupGrace)}\n` +
      `unless on (${BY_POD})\n` +
      `(max by (${BY_POD}) (${sidecar(METRICS.startTime)}) != max by (${BY_POD}) (${sidecar(METRICS.startTime)} offset ${a.leakLookback}))`,
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Node.js live heap is growing towards its limit: memory leak suspected.',
      description: `The live heap after GC of ${WHERE} (app {{ $labels.app }}) keeps growing: fitted over the last ${a.leakLookback}, ` +
        `it is forecast to reach {{ $value | humanize1024 }}B within ${a.leakForecastHorizon}, at or above its V8 heap limit. ${topSiteTemplate()}`,
      ...alertLinks(c, 'NodejsHeapLeakSuspected'),
    },
  };
}
