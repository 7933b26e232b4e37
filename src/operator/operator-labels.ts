/**
 * Labels on every object operator mode emits: heapwatch's own, the `release` label
 * kube-prometheus-stack's selectors look for, and the user's extra labels (operator.labels).
 */
import { allLabels } from '../k8s/labels';
import { OperatorModeConfig } from './operator-config';

/** The API group and versions prometheus-operator serves these kinds under. */
export const MONITORING_V1 = 'monitoring.coreos.com/v1';
/** AlertmanagerConfig is served as v1alpha1 only. */
export const MONITORING_V1ALPHA1 = 'monitoring.coreos.com/v1alpha1';

/** Grafana's dashboard sidecar (kube-prometheus-stack's default) loads ConfigMaps with this label, in any namespace. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

/** `c` is operatorConfig()'s: resolveConfig() made sure operator.release is set in operator mode. */
export function operatorLabels(c: OperatorModeConfig, name: string): Record<string, string> {
  return {
    ...allLabels({ name, component: 'monitoring' }),
    ...c.operator.labels,
    release: c.operator.release,
  };
}
