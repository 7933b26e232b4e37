/**
 * The hourly rollups (src/rules/long-window.ts) tile time whatever the offset between their
 * group's evaluations and the rollups' (Prometheus staggers groups by a hash of their name): for
 * rollups recorded at several offsets, one of them exactly on the hours' boundaries, each hourly
 * rollup is the sum of the rollups of its hour, and the hourly rollups together count every rollup
 * once. A missed rollup (a restart) is just missing. Evaluated at the hourly interval (promtool
 * evaluates every group at its file's), with the rollups as input series, one per second.
 */
import { RECORDS } from '../../contract';
import { rollupTiming } from '../long-window';
import { TestContext } from './context';
import { exprAt } from './long-window-cases';
import { input, POD } from './series';
import { UnitCase } from './unit-case';

interface Rollup {
  /** Seconds after the first hourly evaluation. */
  readonly at: number;
  readonly sum: number;
  readonly count: number;
  readonly restarts: number;
}

export function hourlyRollupCases(t: TestContext): UnitCase[] {
  const { rollupSeconds, hourlySeconds, hourlySettleSeconds } = rollupTiming(t.config);
  const hours = 3;
  // Offsets of the rollups' evaluations after the hourly group's: on a boundary, just after one, just before the next, anywhere.
  const offsets = [0, 1, rollupSeconds - 1, Math.round(rollupSeconds * 0.457)];
  const missed = 7; // the rollup the last offset's Prometheus missed
  const end = hours * hourlySeconds;
  const apps = offsets.map((offset, i) => {
    const labels = { namespace: POD.namespace, app: `rollups-${offset}s-after` };
    // Rollup k at offset + k * rollupSeconds: distinct values, so a rollup counted twice or missed changes a sum.
    const rollups: Rollup[] = Array.from({ length: end / rollupSeconds }, (_, k) => ({ at: offset + k * rollupSeconds, sum: k + 1, count: 100 + k, restarts: k % 5 === 2 ? 1 : 0 }))
      .filter((_, k) => !(i === offsets.length - 1 && k === missed));
    return { labels, rollups };
  });
  const perSecond = (rollups: readonly Rollup[], value: (r: Rollup) => number) => {
    const values: (number | null)[] = Array.from({ length: end + 1 }, () => null);
    for (const r of rollups) values[r.at] = value(r);
    return values;
  };
  // The hourly rollup at `h` sums the rollups in (h - hourlySettleSeconds - hourlySeconds, h - hourlySettleSeconds].
  const inHour = (rollups: readonly Rollup[], h: number) => rollups.filter((r) => r.at > h - hourlySettleSeconds - hourlySeconds && r.at <= h - hourlySettleSeconds);
  const total = (rs: readonly Rollup[], f: (r: Rollup) => number) => rs.reduce((a, r) => a + f(r), 0);
  const series = apps.flatMap(({ labels, rollups }) => [
    input(RECORDS.underTargetSumRollup, labels, perSecond(rollups, (r) => r.sum)),
    input(RECORDS.underTargetCountRollup, labels, perSecond(rollups, (r) => r.count)),
    input(RECORDS.memoryRestartsRollup, labels, perSecond(rollups, (r) => r.restarts)),
  ]);
  const each = (at: number, name: string, f: (rs: Rollup[]) => number) => exprAt(at, name, apps.map(({ labels, rollups }) => [labels, f(inHour(rollups, at))]));
  const hourly = Array.from({ length: hours }, (_, j) => (j + 1) * hourlySeconds);
  const allHours = `sum_over_time(${RECORDS.underTargetSumRollup1h}[${hours}h])`;
  return [{
    name: 'hourly rollups: each sums the rollups of its hour, at any offset from the rollups, and together they count every rollup once',
    interval: 1,
    series,
    alerts: [],
    exprs: [
      ...hourly.flatMap((h) => [
        each(h, RECORDS.underTargetSumRollup1h, (rs) => total(rs, (r) => r.sum)),
        each(h, RECORDS.underTargetCountRollup1h, (rs) => total(rs, (r) => r.count)),
        each(h, RECORDS.memoryRestartsRollup1h, (rs) => total(rs, (r) => r.restarts)),
      ]),
      // Every rollup up to the last hour's end, once: the hours tile.
      exprAt(end, allHours, apps.map(({ labels, rollups }) => [labels, total(rollups.filter((r) => r.at <= end - hourlySettleSeconds), (r) => r.sum)]), false),
    ],
  }];
}
