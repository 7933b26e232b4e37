/** "V8 and GC": where the heap lives, how much time GC takes, and what the agent's forced GCs reclaim. */
import { ResolvedConfig } from '../../config';
import { METRICS, RECORDS } from '../../contract';
import { COLOR, timeSeriesPanel } from '../panels';
import { BUILTIN, pct, podSel } from '../selectors';
import { Section } from '../section';
import { UNIT } from '../units';

/** The GC pause histogram's series (prom-client names it with the usual suffixes). */
const GC = {
  bucket: `${METRICS.gcDuration}_bucket`,
  sum: `${METRICS.gcDuration}_sum`,
  count: `${METRICS.gcDuration}_count`,
} as const;

const rate = (metric: string) => `rate(${metric}${podSel()}[${BUILTIN.rateInterval}])`;

export function v8GcSection(config: ResolvedConfig): Section {
  const { gcPressureRatio } = config.alerts;
  return {
    title: 'V8 and GC',
    panels: [
      timeSeriesPanel(config, {
        title: 'V8 heap spaces',
        description: 'Used bytes per V8 heap space and pod. A growing old_space that GC does not bring down points to a leak; ' +
          'a large large_object_space to big buffers or strings.',
        unit: UNIT.bytes,
        queries: [{ expr: `max by (pod, space) (${METRICS.heapSpaceUsed}${podSel()})`, legend: '{{pod}} {{space}}' }],
        min: 0,
        width: 12,
        runbooks: ['NodejsHeapLeakSuspected'],
      }),
      timeSeriesPanel(config, {
        title: 'Time in GC',
        description: `Share of wall time spent in GC pauses per pod (5-minute rate). NodejsGcPressureHigh fires above ${pct(gcPressureRatio)}.`,
        unit: UNIT.percentUnit,
        queries: [{ expr: `max by (pod) (${RECORDS.gcTimeRatio}${podSel()})`, legend: '{{pod}}' }],
        steps: [{ value: gcPressureRatio, color: COLOR.high }],
        drawSteps: true,
        min: 0,
        width: 12,
        runbooks: ['NodejsGcPressureHigh'],
      }),
      timeSeriesPanel(config, {
        title: 'GC pauses by kind',
        description: 'p99 and mean GC pause per kind (major, minor, incremental, weakcb) across the selected pods.',
        unit: UNIT.seconds,
        queries: [
          { expr: `histogram_quantile(0.99, sum by (kind, le) (${rate(GC.bucket)}))`, legend: 'p99 {{kind}}' },
          { expr: `sum by (kind) (${rate(GC.sum)}) / sum by (kind) (${rate(GC.count)})`, legend: 'mean {{kind}}' },
        ],
        min: 0,
        width: 8,
        runbooks: ['NodejsGcPressureHigh'],
      }),
      timeSeriesPanel(config, {
        title: 'GC runs by kind',
        description: 'Garbage collections per second per kind across the selected pods.',
        unit: UNIT.short,
        axisLabel: 'GCs / s',
        queries: [{ expr: `sum by (kind) (${rate(GC.count)})`, legend: '{{kind}}' }],
        min: 0,
        width: 8,
      }),
      timeSeriesPanel(config, {
        title: 'Forced GCs and bytes reclaimed',
        description: 'GCs the agent forced (before deciding a liveness restart) and the bytes the last one reclaimed. ' +
          'Forced GCs that reclaim little mean the heap is live, not garbage.',
        unit: UNIT.short,
        queries: [
          { expr: `sum by (pod) (increase(${METRICS.forcedGc}${podSel()}[${BUILTIN.rateInterval}]))`, legend: '{{pod}} forced GCs' },
          { expr: `max by (pod) (${METRICS.forcedGcReclaimed}${podSel()})`, legend: '{{pod}} reclaimed by the last', rightAxisUnit: UNIT.bytes },
        ],
        min: 0,
        width: 8,
        runbooks: ['NodejsHeapHighStreak'],
      }),
    ],
  };
}
