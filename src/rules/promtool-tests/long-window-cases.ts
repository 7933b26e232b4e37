/**
 * The long-window records (src/rules/long-window.ts): the 5-minute rollups tile time, and the 1-day
 * and 30-day figures over them are the share of pod-time under the target and the restarts counted.
 * These run at the rollup interval: promtool evaluates every group at its file's interval, whatever
 * the group's own, and a rollup evaluated every 15 s would count each sample 20 times.
 */
import { METRICS, RECORDS, RESTART_REASONS } from '../../contract';
import { EXPORTER_CONTAINER } from '../promql';
import { labelText } from './alert-cases';
import { TestContext } from './context';
import { input, KSM_TARGET, POD, repeat, SIDECAR_TARGET, watchedPodSeries } from './series';
import { UnitCase } from './unit-case';

export function longWindowCases(t: TestContext): UnitCase[] {
  const min = 60 / t.step; // steps a minute
  const n = 30 * min; // 30 minutes of samples, the last at 29m45s (at a 15 s step)
  const late = 10 * min; // pod B begins at 10m
  const podA: Record<string, string> = { ...POD };
  const podB = { ...POD, pod: `${POD.app}-6b7f9c-k4m2p` };
  const podC = { namespace: POD.namespace, app: 'billing', pod: 'billing-5c8d7-q9w3z' };
  const app = (p: Record<string, string>) => ({ namespace: p.namespace, app: p.app });
  const ksm = { ...KSM_TARGET, pod: podB.pod };
  const at = (minutes: number, name: string, rows: [Record<string, string>, number][]) => ({
    at: minutes * 60, expr: name, samples: rows.map(([labels, value]) => ({ labels: labelText(labels, name), value })),
  });
  // Pod B's container is OOM-killed at 11m, a minute after its pod was created (its series begin then).
  const oomAt = 11 * min;
  const podBSeries = (values: (number | null)[]) => [...repeat<number | null>(null, late), ...values];
  const windowCount = (fromMinute: number, toMinute: number, firstStep = 0) => {
    // Samples of a series that begins at firstStep, in (from, to], as the rollup at `to + 1m` counts them.
    const first = Math.max(firstStep, Math.floor((fromMinute * 60) / t.step) + 1);
    const last = Math.min(n - 1, Math.floor((toMinute * 60) / t.step));
    return Math.max(0, last - first + 1);
  };
  return [{
    name: 'long-window records: 5-minute rollups that tile time, the 1d and 30d share of pod-time under the target, restarts counted once',
    series: [
      // Pod A under the target all along; pod B (same app) over it, from 10m; pod C (another app) over it.
      input(RECORDS.underTarget, podA, repeat(1, n), true),
      input(RECORDS.underTarget, podB, podBSeries(repeat(0, n - late)), true),
      input(RECORDS.underTarget, podC, repeat(0, n), true),
      // Pod A restarted by heapwatch at 7m30s and at 20m; pod C never.
      input(METRICS.appRestarts, { ...SIDECAR_TARGET, ...podA, reason: RESTART_REASONS.heapStreak }, [...repeat(0, 7.5 * min), ...repeat(1, 12.5 * min), ...repeat(2, n - 20 * min)]),
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
      // The rollup at 15m covers (9m, 14m]: pod A's 20 samples, pod B's from 10m.
      at(15, RECORDS.underTargetSum5m, [[app(podA), windowCount(9, 14)], [app(podC), 0]]),
      at(15, RECORDS.underTargetCount5m, [[app(podA), windowCount(9, 14) + windowCount(9, 14, late)], [app(podC), windowCount(9, 14)]]),
      at(15, RECORDS.memoryRestarts5m, [[app(podA), 1], [app(podC), 0]]),
      at(20, RECORDS.memoryRestarts5m, [[app(podA), 0], [app(podC), 0]]),
      // At 40m every sample is in a rollup: pod A n times under, pod B n - late times not.
      at(40, RECORDS.underTargetRatio1d, [[app(podA), n / (n + n - late)], [app(podC), 0]]),
      at(40, RECORDS.underTargetRatio30d, [[app(podA), n / (n + n - late)], [app(podC), 0]]),
      // Pod A's two heap-streak restarts and pod B's OOM kill, each once.
      at(40, RECORDS.memoryRestarts30d, [[app(podA), 3], [app(podC), 0]]),
    ],
  }];
}
