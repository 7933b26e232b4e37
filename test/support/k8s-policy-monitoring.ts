/**
 * prometheus-operator objects for an existing kube-prometheus-stack: each PodMonitor really
 * scrapes pods of the synth on a port they name, every selectable object carries the `release`
 * label the stack selects by ("my PrometheusRule is ignored"), and each AlertmanagerConfig sits
 * where it can route something (the operator ANDs namespace="<its namespace>" onto its route).
 */
import { K8sObject, podTemplateOf } from './k8s-object';
import { PolicyRule, PolicyViolation, violation } from './k8s-policy-types';
import { selects } from './k8s-selector';

const SELECTED_BY_RELEASE = new Set(['PrometheusRule', 'PodMonitor', 'ServiceMonitor', 'AlertmanagerConfig']);
const isMonitoring = (o: K8sObject) => typeof o.apiVersion === 'string' && o.apiVersion.startsWith('monitoring.coreos.com/');

/** The pod templates a PodMonitor selects among `all`, with their workloads. */
function selectedPods(pm: K8sObject, all: readonly K8sObject[]) {
  const namespaces: string[] = pm.spec?.namespaceSelector?.matchNames ?? [pm.metadata?.namespace];
  return all
    .filter((o) => namespaces.includes(o.metadata?.namespace))
    .map((o) => ({ obj: o, template: podTemplateOf(o) }))
    .filter((x) => x.template && selects(pm.spec?.selector, x.template.metadata.labels ?? {}));
}

export function checkMonitoring(obj: K8sObject, all: readonly K8sObject[]): PolicyViolation[] {
  if (!isMonitoring(obj)) return [];
  const out: PolicyViolation[] = [];
  if (SELECTED_BY_RELEASE.has(obj.kind) && !obj.metadata?.labels?.release) {
    out.push(violation(PolicyRule.OPERATOR_RELEASE_LABEL, obj, ['metadata', 'labels', 'release'],
      `${obj.kind} has no release label: kube-prometheus-stack's Prometheus and Alertmanager select by release=<Helm release name> and would ignore it`));
  }
  if (obj.kind === 'PodMonitor') {
    const pods = selectedPods(obj, all);
    if (pods.length === 0) out.push(violation(PolicyRule.MONITOR_SELECTS_PODS, obj, ['spec', 'selector'], 'selects no pod template in its namespaces'));
    ((obj.spec?.podMetricsEndpoints ?? []) as K8sObject[]).forEach((ep, i) => {
      for (const p of pods) {
        const names = (p.template!.spec.containers ?? []).flatMap((c: K8sObject) => (c.ports ?? []).map((port: K8sObject) => port.name));
        if (!names.includes(ep.port)) {
          out.push(violation(PolicyRule.MONITOR_SELECTS_PODS, obj, ['spec', 'podMetricsEndpoints', i, 'port'],
            `port ${JSON.stringify(ep.port)} is not a container port name of ${p.obj.kind} ${p.obj.metadata.namespace}/${p.obj.metadata.name} (names: ${names.join(', ') || 'none'})`));
        }
      }
    });
  }
  if (obj.kind === 'AlertmanagerConfig') {
    const ns = obj.metadata?.namespace;
    const monitored = all.some((o) => o.kind === 'PodMonitor' && selectedPods(o, all).some((p) => p.obj.metadata.namespace === ns));
    if (!monitored) {
      out.push(violation(PolicyRule.ALERTMANAGER_CONFIG_NAMESPACE, obj, ['metadata', 'namespace'],
        `no monitored pod runs in namespace ${JSON.stringify(ns)}: prometheus-operator routes an AlertmanagerConfig only its own namespace's alerts`));
    }
  }
  return out;
}
