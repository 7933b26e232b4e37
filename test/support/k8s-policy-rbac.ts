/**
 * Least-privilege RBAC: no wildcards anywhere in a rule, no access to Secrets in any form
 * (get, list and watch all reveal their data), and no binding to the built-in roles that
 * carry either.
 */
import { K8sObject } from './k8s-object';
import { PolicyRule, PolicyViolation, violation } from './k8s-policy-types';

const RULE_LISTS = ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs'] as const;

/** Built-in ClusterRoles and what makes each too broad. */
const BROAD_BUILTIN_ROLES: Readonly<Record<string, PolicyRule>> = {
  'cluster-admin': PolicyRule.RBAC_NO_WILDCARDS,
  admin: PolicyRule.RBAC_NO_SECRETS,
  edit: PolicyRule.RBAC_NO_SECRETS,
};

export function checkRbac(obj: K8sObject): PolicyViolation[] {
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') return checkRules(obj);
  if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') return checkBinding(obj);
  return [];
}

function checkRules(obj: K8sObject): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  if (obj.aggregationRule) {
    out.push(violation(PolicyRule.RBAC_NO_WILDCARDS, obj, ['aggregationRule'], 'aggregated ClusterRoles grant whatever other roles add later; list the rules explicitly'));
  }
  ((obj.rules ?? []) as K8sObject[]).forEach((rule, i) => {
    for (const list of RULE_LISTS) {
      ((rule[list] ?? []) as unknown[]).forEach((entry, j) => {
        if (typeof entry === 'string' && entry.includes('*')) {
          out.push(violation(PolicyRule.RBAC_NO_WILDCARDS, obj, ['rules', i, list, j], `wildcard ${JSON.stringify(entry)} in ${list}; name each one`));
        }
      });
    }
    const coreGroup = ((rule.apiGroups ?? []) as unknown[]).some((g) => g === '' || g === '*');
    ((rule.resources ?? []) as unknown[]).forEach((r, j) => {
      if (coreGroup && typeof r === 'string' && (r === 'secrets' || r.startsWith('secrets/'))) {
        out.push(violation(PolicyRule.RBAC_NO_SECRETS, obj, ['rules', i, 'resources', j], `grants ${JSON.stringify(rule.verbs)} on ${r}; heapwatch reads Secrets only as mounted files`));
      }
    });
  });
  return out;
}

function checkBinding(obj: K8sObject): PolicyViolation[] {
  const ref = obj.roleRef ?? {};
  const rule = ref.kind === 'ClusterRole' ? BROAD_BUILTIN_ROLES[ref.name] : undefined;
  return rule ? [violation(rule, obj, ['roleRef', 'name'], `binds the built-in ClusterRole '${ref.name}', which is far broader than needed`)] : [];
}
