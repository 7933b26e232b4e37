/** "Event loop and alerts": is the process responsive, and which heapwatch alerts are firing. */
import { ResolvedConfig, runbookUrl } from '../../config';
import { ALERTS, METRICS } from '../../contract';
import { COLOR, stateTimelinePanel, timeSeriesPanel } from '../panels';
import { alertSel, podSel } from '../selectors';
import { Section } from '../section';
import { UNIT } from '../units';

/** Which ALERTS series are heapwatch's: every alert but the always-firing Watchdog. */
export const HEAPWATCH_ALERTS_REGEX = 'Nodejs.*|Heapwatch.*';

export function eventLoopAlertsSection(config: ResolvedConfig): Section {
  return {
    title: 'Event loop and alerts',
    panels: [
      timeSeriesPanel(config, {
        title: 'Event-loop lag p99',
        description: 'p99 event-loop delay per pod. GC pauses and heap snapshots show up here as spikes.',
        unit: UNIT.seconds,
        queries: [{ expr: `max by (pod) (${METRICS.eventLoopLagP99}${podSel()})`, legend: '{{pod}}' }],
        min: 0,
        width: 8,
      }),
      stateTimelinePanel(config, {
        title: 'Firing heapwatch alerts',
        description: 'heapwatch alerts firing for the selection (and alerts without a namespace, app or pod label). ' +
          'Click a bar for its runbook.',
        unit: UNIT.none,
        queries: [{
          expr: `max by (alertname, pod) (ALERTS${alertSel(`alertname=~"${HEAPWATCH_ALERTS_REGEX}"`, 'alertstate="firing"')})`,
          legend: '{{alertname}} {{pod}}',
        }],
        states: { 1: { text: 'firing', color: COLOR.high } },
        // runbookUrl appends "/<name>.md"; Grafana fills in the bar's alertname when clicked.
        dataLinks: [{ title: 'Runbook: ${__field.labels.alertname}', url: runbookUrl(config, '${__field.labels.alertname}') }],
        width: 16,
        runbooks: ALERTS.filter((a) => a !== 'Watchdog'),
      }),
    ],
  };
}
