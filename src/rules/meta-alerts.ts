/** Alerts on heapwatch itself: the sidecar, the in-process agent, and the dead man's switch. */
import { DeployMode, ResolvedConfig } from '../config';
import { JOBS, METRICS, TARGET_LABELS } from '../contract';
import { alertLinks } from './links';
import { AlertingRule } from './model';
import { BY_POD, sidecar } from './promql';

const WHERE = '{{ $labels.namespace }}/{{ $labels.pod }}';

export function metaAlerts(c: ResolvedConfig): AlertingRule[] {
  const a = c.alerts;
  return [
    {
      alert: 'HeapwatchExporterDown',
      expr: `max by (${BY_POD}) (up{job="${JOBS.exporter}"}) == 0`,
      for: a.exporterDownFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'heapwatch exporter sidecar cannot be scraped.',
        description: `Prometheus has failed to scrape the heapwatch sidecar of ${WHERE} (app {{ $labels.app }}) for more than ${a.exporterDownFor} ` +
          `(up = {{ $value }}). The heap alerts for this pod are blind until it is back; the app itself is not affected.`,
        ...alertLinks(c, 'HeapwatchExporterDown'),
      },
    },
    {
      alert: 'HeapwatchAgentMissing',
      expr: `max by (${BY_POD}) (${sidecar(METRICS.agentUp)}) == 0`,
      for: a.agentMissingFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'heapwatch sidecar gets no readings from the in-process agent.',
        description: `The heapwatch sidecar of ${WHERE} (app {{ $labels.app }}) has had no fresh reading from the agent inside the app process ` +
          `for more than ${a.agentMissingFor} (heapwatch_agent_up = {{ $value }}). Heap ratio, streak and leak alerts for this pod are blind.`,
        ...alertLinks(c, 'HeapwatchAgentMissing'),
      },
    },
    {
      alert: 'Watchdog',
      expr: watchdogExpr(c),
      labels: { severity: 'none' },
      annotations: {
        summary: 'Always firing: proves the alerting pipeline works end to end.',
        description: c.mode === DeployMode.OPERATOR
          ? 'This alert always fires (value {{ $value }}) for every namespace with a watched pod ({{ $labels.namespace }}). If it stops arriving, ' +
            'Prometheus, the rules, the PodMonitor or Alertmanager are broken, and no other heapwatch alert can reach you either.'
          : 'This alert always fires (value {{ $value }}). If it stops arriving, Prometheus, the rules or Alertmanager are broken, ' +
            'and no other heapwatch alert can reach you either.',
        ...alertLinks(c, 'Watchdog', false),
      },
    },
  ];
}

/**
 * Standalone: one series, always. Operator mode: one per namespace with a watched sidecar target,
 * because prometheus-operator routes an AlertmanagerConfig only the alerts of its own namespace
 * (namespace="<its namespace>" is ANDed onto its route): a Watchdog without that label would reach
 * no app namespace's receiver. It also goes quiet when the PodMonitor finds nothing, which is a
 * failure the dead man's switch should catch.
 */
function watchdogExpr(c: ResolvedConfig): string {
  return c.mode === DeployMode.OPERATOR ? `group by (${TARGET_LABELS.namespace}) (up{job="${JOBS.exporter}"})` : 'vector(1)';
}
