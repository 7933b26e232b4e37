/**
 * Situations from the field, beyond one alert's boundary: a heap hovering at the threshold, the
 * misleading used/total ratio, a restart's warm-up, and missed scrapes.
 */
import { HeapRatioBasis } from '../../config';
import { ALERTS, METRICS, RECORDS } from '../../contract';
import { firstFiring, predictLinear, visible } from './promql-model';
import { agentStreak, TestContext, withGaps } from './context';
import { forecastOverLimit, labelText } from './alert-cases';
import { input, leakInputs, POD, ramp, repeat, SIDECAR_TARGET } from './series';
import { AlertCheck, UnitCase } from './unit-case';

export function scenarioCases(t: TestContext): UnitCase[] {
  return [oscillation(t), usedOverTotal(t), restart(t), scrapeGaps(t)];
}

/** Heap ratio alternating just under and just over the threshold: never high for long, no streak. */
function oscillation(t: TestContext): UnitCase {
  const h = t.config.heap.highRatio;
  const lo = Number((h - 0.01).toFixed(4));
  const hi = Number((h + 0.01).toFixed(4));
  const n = 2 * Math.max(t.steps(t.dur('heapHighFor')), t.config.heap.streakAlertChecks) + 10;
  const ratios = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? lo : hi));
  const quiet = (at: number): AlertCheck[] =>
    (['NodejsHeapUsageHigh', 'NodejsHeapHighStreak'] as const).map((alert) => ({ at, alert, firing: [] }));
  return {
    name: `heap ratio oscillating between ${lo} and ${hi}: no usage alert, no streak alert`,
    series: [
      input(t.basisMetric, SIDECAR_TARGET, ratios),
      input(METRICS.highStreak, SIDECAR_TARGET, agentStreak(ratios, h)),
    ],
    alerts: [...quiet(Math.floor(n / 2) * t.step), ...quiet((n - 1) * t.step)],
  };
}

/**
 * heapUsed/heapTotal at 95 % while used/limit is 30 %: a healthy heap that a used/total monitor
 * would page on. With the default limit basis nothing fires; with ratioBasis "total" the usage and
 * streak alerts fire, exactly as the old monitor did.
 */
function usedOverTotal(t: TestContext): UnitCase {
  const total = 0.95;
  const limit = 0.3;
  const h = t.config.heap.highRatio;
  const basisValue = t.config.heap.ratioBasis === HeapRatioBasis.TOTAL ? total : limit;
  const n = Math.max(t.steps(t.dur('heapHighFor')), t.config.heap.streakAlertChecks) + 10;
  const end = (n - 1) * t.step;
  const streak = agentStreak(repeat(basisValue, n), h);
  const usageFires = basisValue > h && firstFiring(repeat(true, n), t.step, t.dur('heapHighFor'))! <= n - 1;
  const streakFires = streak[n - 1] >= t.config.heap.streakAlertChecks;
  const L = t.heapLimit;
  const alerts: AlertCheck[] = ALERTS.filter((a) => a !== 'Watchdog').map((alert) => ({ at: end, alert, firing: [] }));
  const expect = (alert: AlertCheck['alert'], value: number) => {
    alerts[alerts.findIndex((a) => a.alert === alert)] = { at: end, alert, firing: [{ labels: POD, value }] };
  };
  if (usageFires) expect('NodejsHeapUsageHigh', basisValue);
  if (streakFires) expect('NodejsHeapHighStreak', streak[n - 1]);
  return {
    name: `heapUsed/heapTotal ${total} while heapUsed/limit ${limit} (ratioBasis ${t.config.heap.ratioBasis}): ` +
      (usageFires || streakFires ? 'the heapTotal ratio pages' : 'nothing fires'),
    series: [
      input(METRICS.heapUsedTotalRatio, SIDECAR_TARGET, repeat(total, n)),
      input(METRICS.heapUsedRatio, SIDECAR_TARGET, repeat(limit, n)),
      input(METRICS.highStreak, SIDECAR_TARGET, streak),
      input(METRICS.liveAfterGc, SIDECAR_TARGET, repeat(Math.round(L * 0.25), n)),
      input(METRICS.heapLimit, SIDECAR_TARGET, repeat(L, n)),
      input(METRICS.startTime, SIDECAR_TARGET, repeat(0, n)),
      input(METRICS.rss, SIDECAR_TARGET, repeat(Math.round(t.containerLimit * 0.5), n)),
      input(METRICS.containerMemoryLimit, SIDECAR_TARGET, repeat(t.containerLimit, n)),
      input(`${METRICS.gcDuration}_sum`, { ...SIDECAR_TARGET, kind: 'major' }, ramp(0, 0, n)),
      input('up', SIDECAR_TARGET, repeat(1, n)),
      input(METRICS.agentUp, SIDECAR_TARGET, repeat(1, n)),
    ],
    alerts,
    exprs: [{ at: end, expr: RECORDS.heapRatio, samples: [{ labels: labelText(POD, RECORDS.heapRatio), value: basisValue }] }],
  };
}

/**
 * A process restart: the live heap drops, then climbs fast while caches warm up (to a higher level
 * than before, as after a deploy). The forecast crosses the limit during the warm-up, and the
 * startup grace keeps the leak alert quiet; after the grace, the fit still spans the restart, and
 * the restart guard keeps it quiet.
 */
function restart(t: TestContext): UnitCase {
  const L = t.heapLimit;
  const lookback = t.dur('leakLookback');
  const H = t.dur('leakForecastHorizon');
  const g = t.steps(t.dur('leakStartupGrace'));
  const r = t.steps(lookback) + 5;
  const warm = Math.max(2, Math.ceil((g * 2) / 3));
  const before = repeat(Math.round(L * 0.4), r);
  const climb = ramp(Math.round(L * 0.1), Math.round((L * 0.6) / warm), warm);
  const after = [...climb, ...repeat(climb[climb.length - 1], Math.max(g, t.steps(lookback)) + 5 - warm)];
  const live = [...before, ...after];
  const n = live.length;
  const restartedAt = r * t.step;
  // Where, inside the grace, the forecast alone is furthest over the limit.
  let worst = -1;
  for (let j = r + 1; j < r + g; j++) {
    const f = predictLinear(live, j, t.step, lookback, H) ?? 0;
    if (f >= L * 1.01 && (worst < 0 || f > predictLinear(live, worst, t.step, lookback, H)!)) worst = j;
  }
  if (worst < 0) throw new Error('restart scenario: the warm-up never pushes the forecast over the limit, so it would not test the grace');
  // After the grace, while the fitted window still reaches back before the restart.
  const lookbackSteps = Math.floor(lookback / t.step);
  let spanning = -1;
  for (let j = r + g; j < r + lookbackSteps && j < n; j++) {
    if ((predictLinear(live, j, t.step, lookback, H) ?? 0) >= L * 1.01) spanning = j;
  }
  const at = [...new Set([r, worst, r + g - 1, ...(spanning >= 0 ? [spanning] : [])])];
  return {
    name: `a restart: the warm-up looks like a leak, but no leak alert in the first ${t.config.alerts.leakStartupGrace}` +
      ` nor while the ${t.config.alerts.leakLookback} fit still spans the restart`,
    series: leakInputs(live, L, [...repeat(0, r), ...repeat(restartedAt, n - r)]),
    alerts: at.map((j) => ({ at: j * t.step, alert: 'NodejsHeapLeakSuspected' as const, firing: [] })),
    exprs: [worst, ...(spanning >= 0 ? [spanning] : [])].map((j) => forecastOverLimit(t, j * t.step)),
  };
}

/**
 * Two missed scrapes in a row (up 0, no samples) while the heap is high: the lookback bridges the
 * gap, so the usage alert fires on time, the agent's streak is not reset, and neither the exporter
 * nor the agent alert fires.
 */
function scrapeGaps(t: TestContext): UnitCase {
  const h = t.config.heap.highRatio;
  const above = t.above(h);
  const c = 10;
  const gaps = [c + 2, c + 3];
  const n = c + Math.max(t.steps(t.dur('heapHighFor')), t.config.heap.streakAlertChecks) + 5;
  const ratios = [...repeat(0.5, c), ...repeat(above, n - c)];
  const streak = agentStreak(ratios, h);
  const seenRatio = withGaps(ratios, gaps);
  const seenStreak = withGaps(streak, gaps);
  const usageFire = firstFiring(ratios.map((_, j) => (visible(seenRatio, j, t.step) ?? 0) > h), t.step, t.dur('heapHighFor'))!;
  const streakFire = firstFiring(streak.map((_, j) => (visible(seenStreak, j, t.step) ?? 0) >= t.config.heap.streakAlertChecks), t.step, 0)!;
  const quietAt = (alert: AlertCheck['alert'], j: number): AlertCheck => ({ at: j * t.step, alert, firing: [] });
  return {
    name: 'missed scrapes: short gaps neither reset the usage and streak alerts nor fire the exporter or agent alerts',
    series: [
      input(t.basisMetric, SIDECAR_TARGET, seenRatio),
      input(METRICS.highStreak, SIDECAR_TARGET, seenStreak),
      input('up', SIDECAR_TARGET, ratios.map((_, i) => (gaps.includes(i) ? 0 : 1))),
      input(METRICS.agentUp, SIDECAR_TARGET, withGaps(repeat(1, n), gaps)),
    ],
    alerts: [
      quietAt('NodejsHeapUsageHigh', usageFire - 1),
      { at: usageFire * t.step, alert: 'NodejsHeapUsageHigh', firing: [{ labels: POD, value: above }] },
      quietAt('NodejsHeapHighStreak', streakFire - 1),
      { at: streakFire * t.step, alert: 'NodejsHeapHighStreak', firing: [{ labels: POD, value: visible(seenStreak, streakFire, t.step)! }] },
      ...gaps.flatMap((j) => [quietAt('HeapwatchExporterDown', j), quietAt('HeapwatchAgentMissing', j)]),
      quietAt('HeapwatchExporterDown', n - 1),
      quietAt('HeapwatchAgentMissing', n - 1),
    ],
  };
}
