/**
 * "Heap": used, total, limit and live-after-GC per pod, against the target and high lines, and
 * the code that allocated the live heap (the top allocation sites).
 */
import { HeapRatioBasis, ResolvedConfig } from '../../config';
import { METRICS, RECORDS } from '../../contract';
import { heapBasis } from '../heap-basis';
import { COLOR, gaugePanel, timeSeriesPanel } from '../panels';
import { pct, podSel } from '../selectors';
import { Section } from '../section';
import { UNIT } from '../units';

export function heapSection(config: ResolvedConfig): Section {
  const { highRatio, targetRatio, ratioBasis } = config.heap;
  // The lines follow the ratio's denominator, so they sit where the alerts actually fire.
  const { metric: basis, name: basisName } = heapBasis(config);
  const perPod = (metric: string) => `max by (pod) (${metric}${podSel()})`;

  const ratioQueries = [{ expr: perPod(RECORDS.heapRatio), legend: `{{pod}} used / ${basisName}` }];
  if (ratioBasis === HeapRatioBasis.LIMIT) {
    // Shown for comparison with monitors that alert on used / total; it sits at 85-95 % when healthy.
    ratioQueries.push({ expr: perPod(METRICS.heapUsedTotalRatio), legend: '{{pod}} used / total (not alerted on)' });
  }

  return {
    title: 'Heap',
    panels: [
      timeSeriesPanel(config, {
        title: 'Heap per pod',
        description: `V8 heap used, total (allocated) and size limit per pod, the live heap right after the last major GC ` +
          `(a rising floor is a leak), and the target (${pct(targetRatio)}) and high (${pct(highRatio)}) lines of the ${basisName}.`,
        unit: UNIT.bytes,
        queries: [
          { expr: perPod(METRICS.heapUsed), legend: '{{pod}} used' },
          { expr: perPod(METRICS.heapTotal), legend: '{{pod}} total' },
          { expr: perPod(METRICS.heapLimit), legend: '{{pod}} limit', thresholdColor: COLOR.limit },
          { expr: perPod(METRICS.liveAfterGc), legend: '{{pod}} live after GC' },
          { expr: `${perPod(basis)} * ${highRatio}`, legend: `{{pod}} high (${pct(highRatio)} of ${basisName})`, thresholdColor: COLOR.high },
          { expr: `${perPod(basis)} * ${targetRatio}`, legend: `{{pod}} target (${pct(targetRatio)} of ${basisName})`, thresholdColor: COLOR.target },
        ],
        min: 0,
        width: 12,
        height: 9,
        runbooks: ['NodejsHeapUsageHigh', 'NodejsHeapLeakSuspected'],
      }),
      timeSeriesPanel(config, {
        title: `Heap used / ${basisName} over time`,
        description: `The alerting heap ratio per pod, with the target (${pct(targetRatio)}) and high (${pct(highRatio)}) thresholds.`,
        unit: UNIT.percentUnit,
        queries: ratioQueries,
        steps: [{ value: targetRatio, color: COLOR.target }, { value: highRatio, color: COLOR.high }],
        drawSteps: true,
        min: 0,
        max: 1,
        width: 12,
        height: 9,
        runbooks: ['NodejsHeapUsageHigh', 'NodejsHeapHighStreak'],
      }),
      gaugePanel(config, {
        title: 'Live heap by allocation site (top 5)',
        description: 'Which code allocated the heap that is still live, from the agent\'s allocation profile (V8\'s sampling heap ' +
          'profiler, refreshed at most once a minute): the share of the sampled live heap per function and its file:line, the ' +
          'top 5 of the selected pods. A function inlined by V8 counts for its caller. No data: heap.allocationProfile is off, or ' +
          'the agent has not read a profile yet. The whole profile: GET /admin/heap-profiles on the sidecar.',
        unit: UNIT.percentUnit,
        queries: [{ expr: topSitesShare(), legend: '{{function}} ({{location}}) {{pod}}' }],
        min: 0,
        max: 1,
        width: 24,
        height: 7,
        runbooks: ['NodejsHeapHighStreak', 'NodejsHeapLeakSuspected', 'NodejsRestartedForHeap'],
      }),
    ],
  };
}

/** The top 5 allocation sites of the selected pods, each as a share of its pod's sampled live heap. */
function topSitesShare(): string {
  return `topk(5, max by (pod, function, location) (${METRICS.allocationSiteBytes}${podSel()}) ` +
    `/ on (pod) group_left () max by (pod) (${METRICS.allocationSampledBytes}${podSel()}))`;
}
