/**
 * The recommended app.kubernetes.io/* labels on every object and pod template, and selectors
 * that never include the version (it changes on upgrade; a selector with it would orphan the
 * running pods, and Deployment selectors are immutable).
 */
import { K8sObject, PathSegment, podTemplateOf } from './k8s-object';
import { PolicyRule, PolicyViolation, VERSION_LABEL, violation } from './k8s-policy-types';
import { selectorKeys } from './k8s-selector';

export function checkLabels(obj: K8sObject, required: readonly string[]): PolicyViolation[] {
  const out = missingLabels(obj, obj.metadata?.labels, ['metadata', 'labels'], required, 'object');
  const t = podTemplateOf(obj);
  if (t && obj.kind !== 'Pod') {
    out.push(...missingLabels(obj, t.metadata.labels, [...t.specPath.slice(0, -1), 'metadata', 'labels'], required, 'pod template'));
  }
  return out;
}

function missingLabels(obj: K8sObject, labels: K8sObject | undefined, path: PathSegment[], required: readonly string[], what: string): PolicyViolation[] {
  return required
    .filter((key) => typeof labels?.[key] !== 'string' || labels[key] === '')
    .map((key) => violation(PolicyRule.RECOMMENDED_LABELS, obj, [...path, key], `${what} has no ${key} label`));
}

/** Every label selector an object carries, with its path. */
function selectorsOf(obj: K8sObject): { path: PathSegment[]; keys: string[] }[] {
  const out: { path: PathSegment[]; keys: string[] }[] = [];
  const add = (path: PathSegment[], selector: K8sObject | undefined) => {
    if (selector) out.push({ path, keys: selectorKeys(selector) });
  };
  const spec = obj.spec ?? {};
  switch (obj.kind) {
    case 'Service':
      // A Service selector is a plain map, not a LabelSelector.
      if (spec.selector) out.push({ path: ['spec', 'selector'], keys: Object.keys(spec.selector) });
      break;
    case 'NetworkPolicy':
      add(['spec', 'podSelector'], spec.podSelector);
      for (const dir of ['ingress', 'egress'] as const) {
        ((spec[dir] ?? []) as K8sObject[]).forEach((r, i) => {
          const peers: K8sObject[] = (dir === 'ingress' ? r.from : r.to) ?? [];
          peers.forEach((peer, j) => {
            const at: PathSegment[] = ['spec', dir, i, dir === 'ingress' ? 'from' : 'to', j];
            add([...at, 'podSelector'], peer.podSelector);
            add([...at, 'namespaceSelector'], peer.namespaceSelector);
          });
        });
      }
      break;
    default:
      // Workloads and PodDisruptionBudgets.
      add(['spec', 'selector'], spec.selector);
  }
  return out;
}

export function checkSelectors(obj: K8sObject): PolicyViolation[] {
  return selectorsOf(obj)
    .filter((s) => s.keys.includes(VERSION_LABEL))
    .map((s) => violation(PolicyRule.SELECTOR_WITHOUT_VERSION, obj, s.path, `selector includes ${VERSION_LABEL}, which changes on every upgrade`));
}
