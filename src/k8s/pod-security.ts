/**
 * The security defaults every heapwatch pod gets (design brief, "Kubernetes"): non-root,
 * read-only root filesystem, no privilege escalation, all capabilities dropped,
 * RuntimeDefault seccomp. Writable paths are emptyDirs mounted by each component.
 */
import { k8s } from 'cdk8s-plus-27';
import { Resources } from '../config';

/** Pod-level security for a workload running as `uid` (its volumes are group-owned by `uid`). */
export function podSecurity(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security: the same for every container heapwatch defines. */
export function containerSecurity(): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Requests and limits from the config's strings (validated earlier). */
export function resourceRequirements(r: Resources): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(r.cpuRequest), memory: k8s.Quantity.fromString(r.memoryRequest) },
    limits: { cpu: k8s.Quantity.fromString(r.cpuLimit), memory: k8s.Quantity.fromString(r.memoryLimit) },
  };
}

/** An HTTP GET probe on a named port. */
export function httpProbe(path: string, port: string | number, opts: Partial<k8s.Probe> = {}): k8s.Probe {
  return {
    httpGet: { path, port: typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port) },
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 3,
    ...opts,
  };
}
