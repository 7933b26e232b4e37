/** "Now": is the heap healthy right now, and are the success targets met? */
import { formatDuration, ResolvedConfig } from '../../config';
import { thirtyDayLagSeconds } from '../../rules/long-window';
import { METRICS, RECORDS } from '../../contract';
import { heapBasis } from '../heap-basis';
import { COLOR, gaugePanel, statPanel, Step } from '../panels';
import { heapStreakRestartsOver, oomKillsOver, secondsSinceMemoryRestart } from '../restarts';
import { appSel, pct, podSel } from '../selectors';
import { Section } from '../section';
import { UNIT } from '../units';

/** The success target's window: no memory-related crash for 30 days, long enough to span a slow leak's growth and several deploys. */
const SUCCESS_WINDOW = '30d';

export function nowSection(config: ResolvedConfig): Section {
  const { highRatio, targetRatio, streakAlertChecks, livenessFailChecks } = config.heap;
  const denominator = heapBasis(config).name;
  const streakSteps: Step[] = [{ value: streakAlertChecks, color: COLOR.high }];
  if (livenessFailChecks > 0) streakSteps.push({ value: livenessFailChecks, color: COLOR.critical });

  return {
    title: 'Now',
    panels: [
      gaugePanel(config, {
        title: `Heap used / ${denominator}`,
        description: `Heap used as a share of the V8 heap ${denominator}, per pod (the alerting ratio). ` +
          `Target: under ${pct(targetRatio)}; above ${pct(highRatio)} a check counts as high.`,
        unit: UNIT.percentUnit,
        queries: [{ expr: `max by (pod) (${RECORDS.heapRatio}${podSel()})`, legend: '{{pod}}' }],
        min: 0,
        max: 1,
        steps: [{ value: targetRatio, color: COLOR.target }, { value: highRatio, color: COLOR.high }],
        width: 6,
        height: 6,
        runbooks: ['NodejsHeapUsageHigh'],
      }),
      statPanel(config, {
        title: 'High-heap streak',
        description: `Consecutive checks above ${pct(highRatio)}, worst pod. NodejsHeapHighStreak fires at ` +
          `${streakAlertChecks}` + (livenessFailChecks > 0 ? `; liveness fails (restart) at ${livenessFailChecks}.` : '.'),
        unit: UNIT.short,
        queries: [{ expr: `max(${METRICS.highStreak}${podSel()})` }],
        steps: streakSteps,
        width: 4,
        height: 6,
        runbooks: ['NodejsHeapHighStreak'],
      }),
      statPanel(config, {
        title: 'Memory restarts (24h)',
        description: 'Restarts for memory in the last 24 hours: heap-streak restarts (liveness) plus OOM kills.',
        unit: UNIT.short,
        queries: [{ expr: `(${heapStreakRestartsOver('24h')}) + (${oomKillsOver('24h')})` }],
        steps: [{ value: 1, color: COLOR.high }],
        width: 3,
        height: 6,
        runbooks: ['NodejsRestartedForHeap'],
      }),
      statPanel(config, {
        title: `OOM kills (${SUCCESS_WINDOW})`,
        description: 'Containers of the selected pods restarted after the kernel OOM-killed them (kube-state-metrics).',
        unit: UNIT.short,
        queries: [{ expr: oomKillsOver(SUCCESS_WINDOW) }],
        steps: [{ value: 1, color: COLOR.high }],
        width: 3,
        height: 6,
        runbooks: ['NodejsContainerOOMKilled'],
      }),
      statPanel(config, {
        title: 'Since last memory restart',
        description: `Time since the last heap-streak restart or OOM kill, looking back ${SUCCESS_WINDOW} ` +
          `(the success target is ${SUCCESS_WINDOW} without one).`,
        unit: UNIT.seconds,
        queries: [{ expr: secondsSinceMemoryRestart(SUCCESS_WINDOW) }],
        noValue: `none in ${SUCCESS_WINDOW}`,
        baseColor: COLOR.high,
        steps: [{ value: 7 * 86400, color: COLOR.target }, { value: 30 * 86400, color: COLOR.ok }],
        width: 4,
        height: 6,
      }),
      statPanel(config, {
        title: `Time under ${pct(targetRatio)} target`,
        description: `Share of time the heap ratio stayed under ${pct(targetRatio)}, worst app, over 1 day and 30 days. ` +
          `The 30-day figure sums hourly rollups, so it leaves out the last ${lag(config)} (the 1-day figure the last few minutes).`,
        unit: UNIT.percentUnit,
        queries: [
          { expr: `min(${RECORDS.underTargetRatio1d}${appSel()})`, legend: '1 day' },
          { expr: `min(${RECORDS.underTargetRatio30d}${appSel()})`, legend: '30 days' },
        ],
        min: 0,
        max: 1,
        baseColor: COLOR.neutral,
        width: 4,
        height: 6,
      }),
    ],
  };
}

/** "11m to 1h11m": how much of the newest data the 30-day figure leaves out. */
function lag(c: ResolvedConfig): string {
  const { min, max } = thirtyDayLagSeconds(c);
  return `${formatDuration(min)} to ${formatDuration(max)}`;
}
