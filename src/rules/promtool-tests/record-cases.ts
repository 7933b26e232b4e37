/** The recording rules the dashboard reads: names, label sets and values. */
import { METRICS, RECORDS } from '../../contract';
import { TestContext } from './context';
import { labelText } from './alert-cases';
import { counter, input, POD, repeat, SIDECAR_TARGET } from './series';
import { UnitCase } from './unit-case';

export function recordCases(t: TestContext): UnitCase[] {
  const target = t.config.heap.targetRatio;
  // Just under the target, exactly at it (not under), and between target and high.
  const under = Number((target - 0.01).toFixed(4));
  const over = Number(((target + t.config.heap.highRatio) / 2).toFixed(4));
  const w = 300 / t.step;
  const n = w + 10;
  const end = (n - 1) * t.step;
  const late = 10;
  const podA: Record<string, string> = { ...POD };
  const podB = { ...POD, pod: `${POD.app}-6b7f9c-k4m2p` };
  const podC = { namespace: POD.namespace, app: 'billing', pod: 'billing-5c8d7-q9w3z' };
  const sidecar = (p: Record<string, string>) => ({ ...SIDECAR_TARGET, ...p });
  const gcShare = 0.2;
  const rec = (name: string, rows: [Record<string, string>, number][]) => ({
    at: end, expr: name, samples: rows.map(([labels, value]) => ({ labels: labelText(labels, name), value })),
  });
  const app = (p: Record<string, string>) => ({ namespace: p.namespace, app: p.app });
  // Allocation sites: pod A's top of two, pod C's only one; a look-alike from another job is not the sidecar's.
  const MiB = 2 ** 20;
  const site = (p: Record<string, string>, fn: string, location: string, mib: number, job: string = SIDECAR_TARGET.job) =>
    input(METRICS.allocationSiteBytes, { ...sidecar(p), job, function: fn, location }, repeat(mib * MiB, n));
  const topA = { function: 'LedgerService.append', location: 'src/ledger.service.ts:42' };
  const topC = { function: 'InvoiceCache.put', location: 'src/invoice-cache.ts:17' };
  return [{
    name: `recording rules: per-pod ratio, per-app max, under the ${target} target, GC share, top allocation site, live heap after GC`,
    series: [
      // (The 1d and 30d shares over this 0/1 series, and the memory restarts, are long-window-cases.ts'.)
      input(t.basisMetric, sidecar(podA), repeat(under, n), true),
      input(t.basisMetric, sidecar(podB), [...repeat<number | null>(null, late), ...repeat(target, n - late)], true),
      input(t.basisMetric, sidecar(podC), repeat(over, n), true),
      // The other ratio must not leak into the records.
      input(t.otherRatioMetric, sidecar(podA), repeat(0.99, n)),
      input(`${METRICS.gcDuration}_sum`, { ...sidecar(podA), kind: 'major' }, counter(repeat(gcShare * t.step, n - 1))),
      site(podA, topA.function, topA.location, 61),
      site(podA, '(anonymous)', 'node_modules/pg/lib/result.js:118', 20),
      site(podA, 'Other.job', 'src/other.ts:1', 90, 'other-job'),
      input(METRICS.allocationSampledBytes, sidecar(podA), repeat(100 * MiB, n)),
      site(podC, topC.function, topC.location, 12),
      input(METRICS.allocationSampledBytes, sidecar(podC), repeat(48 * MiB, n)),
      input(METRICS.liveAfterGc, sidecar(podA), repeat(300 * MiB, n)),
    ],
    alerts: [],
    exprs: [
      rec(RECORDS.heapRatio, [[podA, under], [podB, target], [podC, over]]),
      rec(RECORDS.heapRatioMaxByApp, [[app(podA), target], [app(podC), over]]),
      rec(RECORDS.underTarget, [[podA, 1], [podB, 0], [podC, 0]]),
      { at: end, expr: `round(${RECORDS.gcTimeRatio}, 0.001)`, samples: [{ labels: labelText(podA), value: gcShare }] },
      rec(RECORDS.liveAfterGc, [[podA, 300 * MiB]]),
      rec(RECORDS.topAllocationSiteShare, [[{ ...podA, ...topA }, 0.61], [{ ...podC, ...topC }, 0.25]]),
    ],
  }];
}
