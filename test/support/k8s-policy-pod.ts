/**
 * Rules for every pod: security context, resources, images, probes and the service-account
 * token. Each container is judged on its effective settings (container over pod), because that
 * is what the kubelet enforces.
 */
import { containersOf, ContainerRef, K8sObject, PathSegment, PodTemplate } from './k8s-object';
import { PolicyRule, PolicyViolation, violation } from './k8s-policy-types';

export function checkPod(obj: K8sObject, t: PodTemplate, tokenAllowedNames: readonly string[]): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const ref of containersOf(t)) {
    out.push(...checkContainerSecurity(obj, t, ref), ...checkResources(obj, ref), ...checkImage(obj, ref), ...checkProbes(obj, t, ref));
  }
  out.push(...checkToken(obj, t, tokenAllowedNames));
  return out;
}

function checkContainerSecurity(obj: K8sObject, t: PodTemplate, ref: ContainerRef): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const pod = t.spec.securityContext ?? {};
  const sc = ref.container.securityContext ?? {};
  const at = (field: string, ...more: PathSegment[]) => [...ref.path, 'securityContext', field, ...more];
  const who = `container '${ref.container.name}'`;

  const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
  if (nonRoot !== true) {
    out.push(violation(PolicyRule.RUN_AS_NON_ROOT, obj, at('runAsNonRoot'), `${who} may run as root: runAsNonRoot is ${nonRoot} (set it true on the pod or the container)`));
  }
  const uid = sc.runAsUser ?? pod.runAsUser;
  if (uid === 0) out.push(violation(PolicyRule.RUN_AS_NON_ROOT, obj, at('runAsUser'), `${who} runs as uid 0`));

  if (sc.readOnlyRootFilesystem !== true) {
    out.push(violation(PolicyRule.READ_ONLY_ROOT_FILESYSTEM, obj, at('readOnlyRootFilesystem'), `${who} has a writable root filesystem: readOnlyRootFilesystem is ${sc.readOnlyRootFilesystem}, must be true`));
  }
  if (sc.allowPrivilegeEscalation !== false) {
    out.push(violation(PolicyRule.NO_PRIVILEGE_ESCALATION, obj, at('allowPrivilegeEscalation'), `${who}: allowPrivilegeEscalation is ${sc.allowPrivilegeEscalation}, must be false`));
  }
  if (sc.privileged === true) {
    out.push(violation(PolicyRule.NO_PRIVILEGE_ESCALATION, obj, at('privileged'), `${who} is privileged`));
  }
  const drop: unknown = sc.capabilities?.drop;
  if (!Array.isArray(drop) || !drop.includes('ALL')) {
    out.push(violation(PolicyRule.DROP_ALL_CAPABILITIES, obj, at('capabilities', 'drop'), `${who} keeps capabilities: drop is ${JSON.stringify(drop)}, must include "ALL"`));
  }
  const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault') {
    out.push(violation(PolicyRule.SECCOMP_RUNTIME_DEFAULT, obj, at('seccompProfile', 'type'), `${who}: seccomp profile is ${JSON.stringify(seccomp)}, must be "RuntimeDefault" (on the pod or the container)`));
  }
  return out;
}

function checkResources(obj: K8sObject, ref: ContainerRef): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      const v = ref.container.resources?.[kind]?.[resource];
      if (v === undefined || v === null || v === '') {
        out.push(violation(PolicyRule.REQUESTS_AND_LIMITS, obj, [...ref.path, 'resources', kind, resource], `container '${ref.container.name}' has no ${resource} ${kind === 'requests' ? 'request' : 'limit'}`));
      }
    }
  }
  return out;
}

/** "registry:5000/team/app:1.2" has tag "1.2"; "app@sha256:..." is pinned by digest. */
export function imageTag(image: string): { tag?: string; digest: boolean } {
  const [name, digest] = image.split('@');
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return { tag: colon >= 0 ? last.slice(colon + 1) : undefined, digest: digest !== undefined };
}

function checkImage(obj: K8sObject, ref: ContainerRef): PolicyViolation[] {
  const image = ref.container.image;
  const path = [...ref.path, 'image'];
  const who = `container '${ref.container.name}'`;
  if (typeof image !== 'string' || image === '') return [violation(PolicyRule.EXPLICIT_IMAGE_TAG, obj, path, `${who} has no image`)];
  const { tag, digest } = imageTag(image);
  if (tag === 'latest') return [violation(PolicyRule.EXPLICIT_IMAGE_TAG, obj, path, `${who} uses the 'latest' tag (${image}); pin a version`)];
  if (tag === undefined && !digest) return [violation(PolicyRule.EXPLICIT_IMAGE_TAG, obj, path, `${who} image ${image} has no tag (means 'latest'); pin a version`)];
  return [];
}

function checkProbes(obj: K8sObject, t: PodTemplate, ref: ContainerRef): PolicyViolation[] {
  // Init containers run to completion, and so do Jobs; native sidecars run as long as the pod.
  if (!t.longRunning || (ref.init && !ref.sidecar)) return [];
  const out: PolicyViolation[] = [];
  for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
    if (!ref.container[probe]) {
      out.push(violation(PolicyRule.PROBES, obj, [...ref.path, probe], `long-running container '${ref.container.name}' has no ${probe}`));
    }
  }
  return out;
}

function checkToken(obj: K8sObject, t: PodTemplate, allowed: readonly string[]): PolicyViolation[] {
  const name = t.metadata.labels?.['app.kubernetes.io/name'] ?? obj.metadata?.labels?.['app.kubernetes.io/name'];
  if (allowed.includes(name)) return [];
  const v = t.spec.automountServiceAccountToken;
  if (v === false) return [];
  return [
    violation(PolicyRule.NO_SERVICE_ACCOUNT_TOKEN, obj, [...t.specPath, 'automountServiceAccountToken'],
      `pods of app.kubernetes.io/name=${JSON.stringify(name)} mount a service-account token (automountServiceAccountToken is ${v}, must be false; only ${allowed.join(', ')} may)`),
  ];
}
