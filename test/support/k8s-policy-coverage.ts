/**
 * Rules that relate objects to each other: every pod is selected by a NetworkPolicy in its
 * namespace, and every workload with more than one replica by a PodDisruptionBudget.
 */
import { K8sObject, PodTemplate } from './k8s-object';
import { PolicyRule, PolicyViolation, violation } from './k8s-policy-types';
import { selects } from './k8s-selector';

/** Kinds whose spec.replicas counts pods (DaemonSets and Jobs have none). */
const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/** Objects without a namespace all land in the same one (kubectl's current namespace). */
const namespaceOf = (o: K8sObject): string => o.metadata?.namespace ?? '';

export function checkCoverage(obj: K8sObject, t: PodTemplate, all: readonly K8sObject[]): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const labels = t.metadata.labels ?? {};
  const ns = namespaceOf(obj);
  const inNamespace = (kind: string) => all.filter((o) => o.kind === kind && namespaceOf(o) === ns);
  const labelPath = [...t.specPath.slice(0, -1), 'metadata', 'labels'];

  // NetworkPolicy.spec.podSelector is required; an empty one selects every pod of the namespace.
  if (!inNamespace('NetworkPolicy').some((np) => selects(np.spec?.podSelector ?? {}, labels))) {
    out.push(violation(PolicyRule.NETWORK_POLICY, obj, labelPath, `no NetworkPolicy in namespace '${ns || '(unset)'}' selects these pods (labels ${JSON.stringify(labels)})`));
  }

  const replicas = obj.spec?.replicas ?? 1;
  if (REPLICATED_KINDS.has(obj.kind) && typeof replicas === 'number' && replicas > 1) {
    if (!inNamespace('PodDisruptionBudget').some((pdb) => selects(pdb.spec?.selector, labels))) {
      out.push(violation(PolicyRule.POD_DISRUPTION_BUDGET, obj, ['spec', 'replicas'], `${replicas} replicas but no PodDisruptionBudget in namespace '${ns || '(unset)'}' selects its pods`));
    }
  }
  return out;
}
