/**
 * A MOCK of the scrape job prometheus-operator generates for a PodMonitor (no operator runs here),
 * modelled on its pkg/prometheus/promcfg.go (v0.93, generatePodMonitorConfig): pod discovery in the
 * selected namespaces, keep the pods whose labels match spec.selector.matchLabels, drop finished
 * pods, keep the named container port, set namespace, container and pod, set job to
 * <namespace>/<name> and endpoint to the port name, then apply the endpoint's own relabelings.
 * Run over the synthesized pods' discovery targets, it yields the labels Prometheus would attach.
 */
import { K8sObject } from './k8s-object';
import { podTargets, relabel, RelabelConfig, sanitize } from './relabel';

/** spec.podMetricsEndpoints[].relabelings (camelCase) to Prometheus relabel_configs. */
function toRelabelConfig(r: K8sObject): RelabelConfig {
  for (const key of Object.keys(r)) {
    if (!['action', 'sourceLabels', 'separator', 'regex', 'targetLabel', 'replacement'].includes(key)) throw new Error(`relabeling field '${key}' is not modelled`);
  }
  return {
    action: r.action, source_labels: r.sourceLabels, separator: r.separator, regex: r.regex, target_label: r.targetLabel, replacement: r.replacement,
  };
}

/** The relabel_configs the operator generates for one endpoint of a PodMonitor. */
export function podMonitorRelabelConfigs(pm: K8sObject, endpointIndex = 0): RelabelConfig[] {
  const ep = pm.spec.podMetricsEndpoints[endpointIndex];
  if (pm.spec.selector.matchExpressions) throw new Error('matchExpressions are not modelled');
  return [
    ...Object.entries<string>(pm.spec.selector.matchLabels ?? {}).map(([k, v]) => ({
      action: 'keep',
      source_labels: [`__meta_kubernetes_pod_label_${sanitize(k)}`, `__meta_kubernetes_pod_labelpresent_${sanitize(k)}`],
      regex: `(${v});true`,
    })),
    { action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' },
    { action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: ep.port },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { target_label: 'job', replacement: `${pm.metadata.namespace}/${pm.metadata.name}` },
    { target_label: 'endpoint', replacement: ep.port },
    ...(ep.relabelings ?? []).map(toRelabelConfig),
  ];
}

/** The metric_relabel_configs the operator generates for one endpoint: its metricRelabelings, as they are. */
export function podMonitorMetricRelabelConfigs(pm: K8sObject, endpointIndex = 0): RelabelConfig[] {
  return (pm.spec.podMetricsEndpoints[endpointIndex].metricRelabelings ?? []).map(toRelabelConfig);
}

/**
 * The scrape targets' labels (meta labels removed, `instance` left out) that a PodMonitor yields
 * over the pods of `workloads`, one pod per workload named <workload>-0.
 */
export function podMonitorTargets(pm: K8sObject, workloads: readonly K8sObject[]): Record<string, string>[] {
  const namespaces: string[] = pm.spec.namespaceSelector?.matchNames ?? [pm.metadata.namespace];
  const configs = podMonitorRelabelConfigs(pm);
  return workloads
    .filter((w) => namespaces.includes(w.metadata.namespace))
    .flatMap((w) => podTargets(w.metadata.namespace, `${w.metadata.name}-0`, w.spec.template))
    .map((t) => relabel(t, configs))
    .filter((t): t is Record<string, string> => t !== undefined)
    .map((t) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('__'))));
}
