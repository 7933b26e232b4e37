/**
 * Kubernetes label selectors, evaluated the way the API server does, so the policy checker
 * can tell which pods a NetworkPolicy or PodDisruptionBudget really selects.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
import { K8sObject } from './k8s-object';

export type Labels = Readonly<Record<string, string>>;

/**
 * Whether a LabelSelector ({ matchLabels, matchExpressions }) selects `labels`. An empty
 * selector selects everything; an absent one (undefined/null) selects nothing, as for a
 * policy/v1 PodDisruptionBudget.
 */
export function selects(selector: K8sObject | null | undefined, labels: Labels): boolean {
  if (selector === undefined || selector === null) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of (selector.matchExpressions ?? []) as K8sObject[]) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: unknown[] = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`label selector operator '${e.operator}' is not one of In, NotIn, Exists, DoesNotExist`);
    }
  }
  return true;
}

/** The label keys a LabelSelector constrains. */
export function selectorKeys(selector: K8sObject | null | undefined): string[] {
  if (!selector) return [];
  return [...Object.keys(selector.matchLabels ?? {}), ...((selector.matchExpressions ?? []) as K8sObject[]).map((e) => String(e.key))];
}
