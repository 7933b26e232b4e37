/** "Container": the process's whole memory (RSS, external, array buffers) against the container limit. */
import { ResolvedConfig } from '../../config';
import { METRICS } from '../../contract';
import { COLOR, timeSeriesPanel } from '../panels';
import { pct, podSel } from '../selectors';
import { Section } from '../section';
import { UNIT } from '../units';

export function containerSection(config: ResolvedConfig): Section {
  const { containerMemoryRatio } = config.alerts;
  const perPod = (metric: string, ...extra: string[]) => `max by (pod) (${metric}${podSel(...extra)})`;
  return {
    title: 'Container',
    panels: [
      timeSeriesPanel(config, {
        title: 'Process memory vs container limit',
        description: `Resident memory (what the kernel counts against the limit), memory outside the V8 heap ` +
          `(external, array buffers), the container limit, and the ${pct(containerMemoryRatio)} line where ` +
          `NodejsContainerMemoryNearLimit fires.`,
        unit: UNIT.bytes,
        queries: [
          { expr: perPod(METRICS.rss), legend: '{{pod}} RSS' },
          { expr: perPod(METRICS.external), legend: '{{pod}} external' },
          { expr: perPod(METRICS.memoryUsage, 'type="arrayBuffers"'), legend: '{{pod}} array buffers' },
          { expr: perPod(METRICS.containerMemoryLimit), legend: '{{pod}} container limit', thresholdColor: COLOR.limit },
          {
            expr: `${perPod(METRICS.containerMemoryLimit)} * ${containerMemoryRatio}`,
            legend: `{{pod}} near limit (${pct(containerMemoryRatio)})`,
            thresholdColor: COLOR.high,
          },
        ],
        min: 0,
        width: 12,
        height: 8,
        runbooks: ['NodejsContainerMemoryNearLimit', 'NodejsContainerOOMKilled'],
      }),
      timeSeriesPanel(config, {
        title: 'RSS / container limit',
        description: `Resident memory as a share of the container memory limit; at 100 % the kernel OOM-kills the container.`,
        unit: UNIT.percentUnit,
        queries: [{ expr: `${perPod(METRICS.rss)} / ${perPod(METRICS.containerMemoryLimit)}`, legend: '{{pod}}' }],
        steps: [{ value: containerMemoryRatio, color: COLOR.high }],
        drawSteps: true,
        min: 0,
        max: 1,
        width: 12,
        height: 8,
        runbooks: ['NodejsContainerMemoryNearLimit', 'NodejsContainerOOMKilled'],
      }),
    ],
  };
}
