/**
 * Which constructs serve which mode. A config of the other mode would synthesize without complaint
 * but wrongly, because the watched app's NetworkPolicy and the rules follow config.mode: a standalone
 * config in the operator constructs gives rules that read kube_pod_labels (which kube-prometheus-stack's
 * kube-state-metrics does not export) and a NetworkPolicy that admits only heapwatch's own Prometheus,
 * so kube-prometheus-stack cannot scrape the sidecar; an operator config in HeapwatchStack gives a
 * NetworkPolicy that shuts out the Prometheus that stack deploys.
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
