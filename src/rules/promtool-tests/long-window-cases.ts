/**
 * The long-window records (src/rules/long-window.ts): the rollups tile time, and the 1-day
 * and 30-day figures over them are the share of pod-time under the target and the restarts counted.
 * These run at the rollup interval: promtool evaluates every group at its file's interval, whatever
 * the group's own, and a rollup evaluated at every check would count each sample 20 times.
 */
import { METRICS, RECORDS, RESTART_REASONS } from '../../contract';
import { rollupTiming } from '../long-window';
import { EXPORTER_CONTAINER } from '../promql';
import { labelText } from './alert-cases';
import { TestContext } from './context';
import { input, KSM_TARGET, POD, repeat, SIDECAR_TARGET, watchedPodSeries } from './series';
import { UnitCase } from './unit-case';

export function longWindowCases(t: TestContext): UnitCase[] {
  // In rollup units: R steps a rollup (20 at any check interval), S steps of settling (4).
  const { rollupSeconds, settleSeconds } = rollupTiming(t.config);
  const R = rollupSeconds / t.step;
  const S = settleSeconds / t.step;
  const n = 6 * R; // samples for 6 rollups' time (30 minutes at 15 s)
  const late = 2 * R; // pod B begins there
  const podA: Record<string, string> = { ...POD };
  const podB = { ...POD, pod: `${POD.app}-6b7f9c-k4m2p` };
  const podC = { namespace: POD.namespace, app: 'billing', pod: 'billing-5c8d7-q9w3z' };
  const app = (p: Record<string, string>) => ({ namespace: p.namespace, app: p.app });
  const ksm = { ...KSM_TARGET, pod: podB.pod };
  const at = (rollup: number, name: string, rows: [Record<string, string>, number][]) => ({
    at: rollup * rollupSeconds, expr: name, samples: rows.map(([labels, value]) => ({ labels: labelText(labels, name), value })),
  });
  // Pod B's container is OOM-killed S steps after its pod was created (its series begin then).
  const oomAt = late + S;
  const podBSeries = (values: (number | null)[]) => [...repeat<number | null>(null, late), ...values];
  // Steps of a series beginning at `first` that the rollup at `rollup` covers: (rollup * R - R - S, rollup * R - S].
  const inRollup = (rollup: number, first = 0) => Math.max(0, Math.min(n - 1, rollup * R - S) - Math.max(first, rollup * R - R - S + 1) + 1);
  return [{
    name: 'long-window records: rollups that tile time, the 1d and 30d share of pod-time under the target, restarts counted once',
    series: [
      // Pod A under the target all along; pod B (same app) over it, from `late`; pod C (another app) over it.
      input(RECORDS.underTarget, podA, repeat(1, n), true),
      input(RECORDS.underTarget, podB, podBSeries(repeat(0, n - late)), true),
      input(RECORDS.underTarget, podC, repeat(0, n), true),
      // Pod A restarted by heapwatch in the second rollup and the fifth; pod C never.
      input(METRICS.appRestarts, { ...SIDECAR_TARGET, ...podA, reason: RESTART_REASONS.heapStreak }, [...repeat(0, 1.5 * R), ...repeat(1, 2.5 * R), ...repeat(2, n - 4 * R)]),
      input(METRICS.appRestarts, { ...SIDECAR_TARGET, ...podC, reason: RESTART_REASONS.heapStreak }, repeat(0, n)),
      input('kube_pod_created', { ...ksm }, podBSeries(repeat(late * t.step, n - late))),
      input('kube_pod_container_status_restarts_total', { ...ksm, container: 'app' }, podBSeries([...repeat(0, oomAt - late), ...repeat(1, n - oomAt)])),
      input('kube_pod_container_status_last_terminated_reason', { ...ksm, container: 'app', reason: 'OOMKilled' }, [...repeat<number | null>(null, oomAt), ...repeat(1, n - oomAt)]),
      // The sidecar OOM-killed too: not an app restart, not counted.
      input('kube_pod_container_status_restarts_total', { ...ksm, container: EXPORTER_CONTAINER }, podBSeries([...repeat(0, oomAt - late), ...repeat(1, n - oomAt)])),
      input('kube_pod_container_status_last_terminated_reason', { ...ksm, container: EXPORTER_CONTAINER, reason: 'OOMKilled' }, [...repeat<number | null>(null, oomAt), ...repeat(1, n - oomAt)]),
      watchedPodSeries(t.config, podB.pod, podB.app, n),
    ],
    alerts: [],
    exprs: [
      // The third rollup: pod A's R samples, pod B's first ones; pod B's OOM kill (its pod is new).
      at(3, RECORDS.underTargetSumRollup, [[app(podA), inRollup(3)], [app(podC), 0]]),
      at(3, RECORDS.underTargetCountRollup, [[app(podA), inRollup(3) + inRollup(3, late)], [app(podC), inRollup(3)]]),
      at(3, RECORDS.memoryRestartsRollup, [[app(podA), 1], [app(podC), 0]]),
      at(4, RECORDS.memoryRestartsRollup, [[app(podA), 0], [app(podC), 0]]),
      // Two rollups after the last sample, every sample is in one: pod A n times under, pod B n - late times not.
      at(8, RECORDS.underTargetRatio1d, [[app(podA), n / (n + n - late)], [app(podC), 0]]),
      at(8, RECORDS.underTargetRatio30d, [[app(podA), n / (n + n - late)], [app(podC), 0]]),
      // Pod A's two heap-streak restarts and pod B's OOM kill, each once.
      at(8, RECORDS.memoryRestarts30d, [[app(podA), 3], [app(podC), 0]]),
    ],
  }];
}
