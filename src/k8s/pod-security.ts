/**
 * The security defaults every heapwatch pod gets: non-root, read-only root filesystem, no
 * privilege escalation, all capabilities dropped, RuntimeDefault seccomp; what the "restricted"
 * Pod Security Standard asks, which the stack's namespace enforces. Writable paths are emptyDirs
 * mounted by each component.
 */
import { k8s } from 'cdk8s-plus-27';

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
