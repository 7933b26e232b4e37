/** Alerts on the app container: close to its memory limit, OOM-killed, restarted by heapwatch. */
import { derive, ResolvedConfig } from '../config';
import { METRICS, RESTART_REASONS } from '../contract';
import { topSiteTemplate } from './allocation-site';
import { alertLinks } from './links';
import { AlertingRule } from './model';
import { BY_POD, growth, KSM_CONTAINER, KSM_POD, num, percent, seconds, sidecar, watchedPods } from './promql';

const WHERE = '{{ $labels.namespace }}/{{ $labels.pod }}';

export function containerAlerts(c: ResolvedConfig): AlertingRule[] {
  const a = c.alerts;
  const d = derive(c);
  const oomWindow = seconds('alerts.oomWindow', a.oomWindow);
  return [
    {
      alert: 'NodejsContainerMemoryNearLimit',
      // heapwatch's own metrics, so it works without cAdvisor; `> 0` skips an unknown limit.
      expr: `max by (${BY_POD}) (${sidecar(METRICS.rss)})\n` +
        `/ on (${BY_POD})\n` +
        `max by (${BY_POD}) (${sidecar(METRICS.containerMemoryLimit)} > 0)\n` +
        `> ${num(a.containerMemoryRatio)}`,
      for: a.containerMemoryFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Node.js process is close to its container memory limit.',
        description: `The app process in ${WHERE} (app {{ $labels.app }}) uses {{ $value | humanizePercentage }} of its container memory limit ` +
          `(resident set size), above ${percent(a.containerMemoryRatio)} for more than ${a.containerMemoryFor}. At 100% the kernel OOM-kills the container.`,
        ...alertLinks(c, 'NodejsContainerMemoryNearLimit'),
      },
    },
    {
      alert: 'NodejsContainerOOMKilled',
      // growth(), not increase(): 2 samples a container, not 60 (at 10,000 pods: 40,000 samples, not 1.1 million; bench:fleet).
      expr: `(\n` +
        `  ${growth('kube_pod_container_status_restarts_total', KSM_CONTAINER, oomWindow)} > 0\n` +
        `  and on (${KSM_CONTAINER})\n` +
        `  max by (${KSM_CONTAINER}) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}) == 1\n` +
        `)\n` +
        `* on (${KSM_POD}) group_left (app)\n` +
        watchedPods(c),
      labels: { severity: 'critical' },
      annotations: {
        summary: 'A watched Node.js container was OOM-killed.',
        description: `Container {{ $labels.container }} of ${WHERE} (app {{ $labels.app }}) restarted {{ $value }} time(s) in the last ${a.oomWindow} ` +
          `and its last termination reason is OOMKilled: it hit its container memory limit and the kernel killed it.`,
        ...alertLinks(c, 'NodejsContainerOOMKilled'),
      },
    },
    {
      alert: 'NodejsRestartedForHeap',
      expr: `${growth(sidecar(METRICS.appRestarts, { reason: RESTART_REASONS.heapStreak }), BY_POD, oomWindow)} > 0`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'heapwatch restarted a Node.js app whose heap stayed high.',
        description: `heapwatch restarted the app in ${WHERE} (app {{ $labels.app }}) {{ $value }} time(s) in the last ${a.oomWindow}: ` +
          (d.livenessFailDuration === undefined
            ? `its heap stayed above ${percent(c.heap.highRatio)} and a forced GC did not bring it down (heap.livenessFailChecks is 0 now, so an older config made that restart). `
            : `its heap stayed above ${percent(c.heap.highRatio)} for ${c.heap.livenessFailChecks} checks (${d.livenessFailDuration}) and a forced GC did not bring it down. `) +
          `${topSiteTemplate({ window: a.oomWindow, lead: 'Before the restart, ' })} ` +
          'The allocation profile written before the restart (GET /admin/heap-profiles on the sidecar lists it: ' +
          '...-prerestart.heapprofile) and maybe a heap snapshot are waiting in the sidecar; the runbook shows how to fetch them.',
        ...alertLinks(c, 'NodejsRestartedForHeap'),
      },
    },
  ];
}
