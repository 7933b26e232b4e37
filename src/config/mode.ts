/**
 * Which constructs serve which mode. A config of the other mode synthesizes without complaint but
 * wrongly: standalone rules read kube_pod_labels, which kube-prometheus-stack's kube-state-metrics
 * does not export, and the app's NetworkPolicy then admits only heapwatch's own Prometheus; an
 * operator config in HeapwatchStack deploys a second stack whose Watchdog never reaches Slack.
 */
import { show } from './show';
import { DeployMode, HeapwatchConfig } from './types';

const USE_INSTEAD: Record<DeployMode, string> = {
  [DeployMode.STANDALONE]: 'HeapwatchStack (heapwatch\'s own Prometheus, Alertmanager and Grafana)',
  [DeployMode.OPERATOR]: 'HeapwatchOperatorStack and HeapwatchAppMonitoring (for an existing kube-prometheus-stack)',
};

/** The prop problem of a construct of `mode` given a config of another mode; empty when they match. */
export function modeProblems(config: HeapwatchConfig, mode: DeployMode, construct: string): string[] {
  if (config.mode === mode) return [];
  return [`'config.mode' (${show(config.mode)}) must be ${show(mode)}: ${construct} serves ${show(mode)} mode only; ` +
    `with mode ${show(config.mode)} use ${USE_INSTEAD[config.mode]}`];
}
