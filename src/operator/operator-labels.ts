/**
 * Labels on every object operator mode emits: heapwatch's own, the `release` label
 * kube-prometheus-stack's selectors look for, and the user's extra labels (operator.labels).
 */
import { ResolvedConfig } from '../config';
import { allLabels } from '../k8s/labels';

/** The API group and versions prometheus-operator serves these kinds under. */
export const MONITORING_V1 = 'monitoring.coreos.com/v1';
/** AlertmanagerConfig is served as v1alpha1 only. */
export const MONITORING_V1ALPHA1 = 'monitoring.coreos.com/v1alpha1';

/** Grafana's dashboard sidecar (kube-prometheus-stack's default) loads ConfigMaps with this label, in any namespace. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

export function operatorLabels(c: ResolvedConfig, name: string): Record<string, string> {
  if (c.operator.release === undefined) {
    // resolveConfig() refuses operator mode without a release; this guards hand-built configs.
    throw new Error("'operator.release' is required in operator mode: kube-prometheus-stack selects heapwatch's objects by label release=<its Helm release name>");
  }
  return {
    ...allLabels({ name, component: 'monitoring' }),
    ...c.operator.labels,
    release: c.operator.release,
  };
}
