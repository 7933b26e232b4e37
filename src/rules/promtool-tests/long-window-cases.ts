/**
 * The long-window records (src/rules/long-window.ts): the rollups tile time, and the 1-day
 * and 30-day figures over them are the share of pod-time under the target and the restarts counted.
 * promtool evaluates every group at its file's interval, whatever the group's own, so each level
 * has a file of its own: here the rollups at the rollup interval (a rollup evaluated at every check
 * would count each sample 20 times), with the hourly rollup they feed checked at two evaluations an
 * hour apart (it reads only what was recorded, so its value at an evaluation is what its own group
 * would record then), and the 30-day records over exactly those hourly rollups, written out of step
 * with the rollups. How hourly rollups tile at any offset: hourly-rollup-cases.ts.
 */
import { METRICS, RECORDS, RESTART_REASONS } from '../../contract';
import { rollupTiming } from '../long-window';
import { EXPORTER_CONTAINER } from '../promql';
import { labelText } from './alert-cases';
import { TestContext } from './context';
import { input, InputSeries, KSM_TARGET, POD, repeat, SIDECAR_TARGET, watchedPodSeries } from './series';
import { ExprCheck, UnitCase } from './unit-case';

const NAME = 'long-window records: rollups that tile time, the 1d and 30d share of pod-time under the target, restarts counted once';

/** `expr` at `seconds`: one sample per [labels, value] row (named `expr` when it is a record's name), none when rows is empty. */
export function exprAt(seconds: number, expr: string, rows: [Record<string, string>, number][], isRecord = true): ExprCheck {
  return { at: seconds, expr, samples: rows.map(([labels, value]) => ({ labels: labelText(labels, isRecord ? expr : undefined), value })) };
}

/** The pod mix, its input series, and what each rollup of it holds. */
function scenario(t: TestContext) {
  // In rollup units: R steps a rollup (20 at any check interval), S steps of settling (4).
  const { rollupSeconds, settleSeconds, hourlySeconds } = rollupTiming(t.config);
  const R = rollupSeconds / t.step;
  const S = settleSeconds / t.step;
  const H = hourlySeconds / rollupSeconds; // rollups an hourly rollup sums (12)
  const n = 6 * R; // samples for 6 rollups' time (30 minutes at 15 s)
  const late = 2 * R; // pod B begins there
  const podA: Record<string, string> = { ...POD };
  const podB = { ...POD, pod: `${POD.app}-6b7f9c-k4m2p` };
  const podC = { namespace: POD.namespace, app: 'billing', pod: 'billing-5c8d7-q9w3z' };
  const app = (p: Record<string, string>) => ({ namespace: p.namespace, app: p.app });
  const ksm = { ...KSM_TARGET, pod: podB.pod };
  // Pod B's container is OOM-killed S steps after its pod was created (its series begin then).
  const oomAt = late + S;
  const podBSeries = (values: (number | null)[]) => [...repeat<number | null>(null, late), ...values];
  // Steps of a series beginning at `first` that the rollup at `rollup` covers: (rollup * R - R - S, rollup * R - S].
  const inRollup = (rollup: number, first = 0) => Math.max(0, Math.min(n - 1, rollup * R - S) - Math.max(first, rollup * R - R - S + 1) + 1);
  // Pod A restarted by heapwatch in the second rollup and the fifth (steps 1.5 R and 4 R), pod B OOM-killed in the third.
  const restartSteps = [1.5 * R, 4 * R, oomAt];
  const rollupOf = (step: number) => Math.ceil((step + S) / R);
  /** What the rollups first..last hold, summed: pod A's and pod C's apps. */
  const rollups = (first: number, last: number) => {
    const sum = (f: (k: number) => number) => Array.from({ length: last - first + 1 }, (_, i) => f(first + i)).reduce((a, b) => a + b, 0);
    return {
      under: sum((k) => inRollup(k)),
      countA: sum((k) => inRollup(k) + inRollup(k, late)),
      countC: sum((k) => inRollup(k)),
      restarts: restartSteps.filter((s) => rollupOf(s) >= first && rollupOf(s) <= last).length,
    };
  };
  const series: InputSeries[] = [
    // Pod A under the target all along; pod B (same app) over it, from `late`; pod C (another app) over it.
    input(RECORDS.underTarget, podA, repeat(1, n), true),
    input(RECORDS.underTarget, podB, podBSeries(repeat(0, n - late)), true),
    input(RECORDS.underTarget, podC, repeat(0, n), true),
    input(METRICS.appRestarts, { ...SIDECAR_TARGET, ...podA, reason: RESTART_REASONS.heapStreak }, [...repeat(0, 1.5 * R), ...repeat(1, 2.5 * R), ...repeat(2, n - 4 * R)]),
    input(METRICS.appRestarts, { ...SIDECAR_TARGET, ...podC, reason: RESTART_REASONS.heapStreak }, repeat(0, n)),
    input('kube_pod_created', { ...ksm }, podBSeries(repeat(late * t.step, n - late))),
    input('kube_pod_container_status_restarts_total', { ...ksm, container: 'app' }, podBSeries([...repeat(0, oomAt - late), ...repeat(1, n - oomAt)])),
    input('kube_pod_container_status_last_terminated_reason', { ...ksm, container: 'app', reason: 'OOMKilled' }, [...repeat<number | null>(null, oomAt), ...repeat(1, n - oomAt)]),
    // The sidecar OOM-killed too: not an app restart, not counted.
    input('kube_pod_container_status_restarts_total', { ...ksm, container: EXPORTER_CONTAINER }, podBSeries([...repeat(0, oomAt - late), ...repeat(1, n - oomAt)])),
    input('kube_pod_container_status_last_terminated_reason', { ...ksm, container: EXPORTER_CONTAINER, reason: 'OOMKilled' }, [...repeat<number | null>(null, oomAt), ...repeat(1, n - oomAt)]),
    watchedPodSeries(t.config, podB.pod, podB.app, n),
  ];
  // Two hourly rollups: the first ends in the middle of the pods' samples, the second covers the rest.
  const hourly = [5, 5 + H].map((at) => ({ at, ...rollups(at - H, at - 1) }));
  return { rollupSeconds, R, n, late, podA, podC, app, inRollup, series, hourly };
}

export function longWindowCases(t: TestContext): UnitCase[] {
  const { rollupSeconds, n, late, podA, podC, app, inRollup, series, hourly } = scenario(t);
  const at = (rollup: number, name: string, rows: [Record<string, string>, number][]) => exprAt(rollup * rollupSeconds, name, rows);
  return [{
    name: NAME,
    series,
    alerts: [],
    exprs: [
      // The third rollup: pod A's R samples, pod B's first ones; pod B's OOM kill (its pod is new).
      at(3, RECORDS.underTargetSumRollup, [[app(podA), inRollup(3)], [app(podC), 0]]),
      at(3, RECORDS.underTargetCountRollup, [[app(podA), inRollup(3) + inRollup(3, late)], [app(podC), inRollup(3)]]),
      at(3, RECORDS.memoryRestartsRollup, [[app(podA), 1], [app(podC), 0]]),
      at(4, RECORDS.memoryRestartsRollup, [[app(podA), 0], [app(podC), 0]]),
      // Two rollups after the last sample, every sample is in one: pod A n times under, pod B n - late times not.
      at(8, RECORDS.underTargetRatio1d, [[app(podA), n / (n + n - late)], [app(podC), 0]]),
      // The hourly rollups sum the rollups of the hour that ended one rollup ago (what longWindow30dCases reads).
      ...hourly.flatMap((h) => [
        at(h.at, RECORDS.underTargetSumRollup1h, [[app(podA), h.under], [app(podC), 0]]),
        at(h.at, RECORDS.underTargetCountRollup1h, [[app(podA), h.countA], [app(podC), h.countC]]),
        at(h.at, RECORDS.memoryRestartsRollup1h, [[app(podA), h.restarts], [app(podC), 0]]),
      ]),
    ],
  }];
}

/**
 * The 30-day records over the hourly rollups longWindowCases checks, written as the hourly group
 * would write them a while after the rollups' evaluations (its offset is a hash): read one rollup
 * interval back, so absent at first, then the first hour's share, then the pods' whole share.
 */
export function longWindow30dCases(t: TestContext): UnitCase[] {
  const { rollupSeconds, n, late, podA, podC, app, hourly } = scenario(t);
  const phase = rollupSeconds / 4 + 2; // seconds after a rollup evaluation (77 at the default 15 s)
  const written = hourly.map((h) => h.at * rollupSeconds + phase);
  const last = written[written.length - 1];
  const hourlySeries = (value: (h: (typeof hourly)[number]) => number) =>
    [...repeat<number | null>(null, last + 1)].map((_, s) => (written.includes(s) ? value(hourly[written.indexOf(s)]) : null));
  const at = (rollup: number, name: string, rows: [Record<string, string>, number][]) => exprAt(rollup * rollupSeconds, name, rows);
  const [first] = hourly;
  const checks = (rollup: number, ratio: [number, number] | null, restarts: number) => [
    at(rollup, RECORDS.underTargetRatio30d, ratio ? [[app(podA), ratio[0]], [app(podC), ratio[1]]] : []),
    at(rollup, RECORDS.memoryRestarts30d, ratio ? [[app(podA), restarts], [app(podC), 0]] : []),
  ];
  return [{
    name: `${NAME}: the 30-day records over the hourly rollups, written ${phase}s after the rollups`,
    interval: 1,
    series: [
      input(RECORDS.underTargetSumRollup1h, app(podA), hourlySeries((h) => h.under)),
      input(RECORDS.underTargetCountRollup1h, app(podA), hourlySeries((h) => h.countA)),
      input(RECORDS.memoryRestartsRollup1h, app(podA), hourlySeries((h) => h.restarts)),
      input(RECORDS.underTargetSumRollup1h, app(podC), hourlySeries(() => 0)),
      input(RECORDS.underTargetCountRollup1h, app(podC), hourlySeries((h) => h.countC)),
      input(RECORDS.memoryRestartsRollup1h, app(podC), hourlySeries(() => 0)),
    ],
    alerts: [],
    exprs: [
      // The first hourly rollup, written after the evaluation at first.at, is read two evaluations later.
      ...checks(first.at + 1, null, 0),
      ...checks(first.at + 2, [first.under / first.countA, 0], first.restarts),
      ...checks(hourly[1].at + 1, [first.under / first.countA, 0], first.restarts),
      // Both: pod A n samples under, pod B n - late not; pod A's two heap-streak restarts and pod B's OOM kill, each once.
      ...checks(hourly[1].at + 2, [n / (n + n - late), 0], 3),
    ],
  }];
}
