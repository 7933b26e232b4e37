/**
 * The policy checker: runs every rule a heapwatch object must keep (see PolicyRule) over a set
 * of synthesized objects and returns every violation, each naming the object, the path inside
 * it and the rule.
 */
import { K8sObject, podTemplateOf } from './k8s-object';
import { checkCoverage } from './k8s-policy-coverage';
import { checkInspector } from './k8s-policy-inspector';
import { checkLabels, checkSelectors } from './k8s-policy-labels';
import { checkMonitoring } from './k8s-policy-monitoring';
import { checkPod } from './k8s-policy-pod';
import { checkRbac } from './k8s-policy-rbac';
import { DEFAULT_TOKEN_ALLOWED_NAMES, PolicyOptions, PolicyViolation, REQUIRED_LABELS } from './k8s-policy-types';

export * from './k8s-policy-types';

export function checkPolicy(objects: readonly K8sObject[], options: PolicyOptions = {}): PolicyViolation[] {
  const tokenAllowedNames = options.tokenAllowedNames ?? DEFAULT_TOKEN_ALLOWED_NAMES;
  const requiredLabels = options.requiredLabels ?? REQUIRED_LABELS;
  const out: PolicyViolation[] = [];
  for (const obj of objects) {
    const t = podTemplateOf(obj);
    if (t) out.push(...checkPod(obj, t, tokenAllowedNames), ...checkCoverage(obj, t, objects));
    out.push(...checkRbac(obj), ...checkInspector(obj), ...checkLabels(obj, requiredLabels), ...checkSelectors(obj),
      ...checkMonitoring(obj, objects));
  }
  return out;
}
