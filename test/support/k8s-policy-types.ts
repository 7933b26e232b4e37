/** The rules the policy checker enforces and the shape of what it reports. */
import { describeObject, formatPath, K8sObject, PathSegment } from './k8s-object';

/** The hardening every object heapwatch synthesizes keeps, one rule each: an object that breaks one fails the policy suite. */
export enum PolicyRule {
  RUN_AS_NON_ROOT = 'run-as-non-root',
  READ_ONLY_ROOT_FILESYSTEM = 'read-only-root-filesystem',
  NO_PRIVILEGE_ESCALATION = 'no-privilege-escalation',
  DROP_ALL_CAPABILITIES = 'drop-all-capabilities',
  SECCOMP_RUNTIME_DEFAULT = 'seccomp-runtime-default',
  REQUESTS_AND_LIMITS = 'requests-and-limits',
  EXPLICIT_IMAGE_TAG = 'explicit-image-tag',
  PROBES = 'readiness-and-liveness-probes',
  NO_SERVICE_ACCOUNT_TOKEN = 'no-service-account-token',
  RBAC_NO_WILDCARDS = 'rbac-no-wildcards',
  RBAC_NO_SECRETS = 'rbac-no-secrets',
  NETWORK_POLICY = 'network-policy',
  POD_DISRUPTION_BUDGET = 'pod-disruption-budget',
  NO_INSPECTOR = 'no-inspector',
  RECOMMENDED_LABELS = 'recommended-labels',
  SELECTOR_WITHOUT_VERSION = 'selector-without-version',
  /** A PodMonitor selects pods in the synth, on a container port they name. */
  MONITOR_SELECTS_PODS = 'monitor-selects-pods',
  /** PrometheusRule, PodMonitor and AlertmanagerConfig carry the `release` label kube-prometheus-stack selects by. */
  OPERATOR_RELEASE_LABEL = 'operator-release-label',
  /** An AlertmanagerConfig sits in a namespace with monitored pods (it routes only its namespace's alerts). */
  ALERTMANAGER_CONFIG_NAMESPACE = 'alertmanager-config-namespace',
}

export interface PolicyViolation {
  readonly rule: PolicyRule;
  readonly kind: string;
  readonly name: string;
  /** Unset for cluster-scoped objects (and objects left to kubectl's current namespace). */
  readonly namespace?: string;
  /** "Deployment heapwatch/prometheus", for messages. */
  readonly object: string;
  /** Readable path inside the object, e.g. spec.template.spec.containers[0].securityContext. */
  readonly path: string;
  readonly message: string;
}

export interface PolicyOptions {
  /**
   * `app.kubernetes.io/name` values whose pods may mount a service-account token (they talk to
   * the API server).
   * @default ["prometheus", "kube-state-metrics"]
   */
  readonly tokenAllowedNames?: readonly string[];
  /**
   * Labels every object (and every pod template) must carry.
   * @default REQUIRED_LABELS
   */
  readonly requiredLabels?: readonly string[];
}

/**
 * The app.kubernetes.io/* labels every heapwatch object carries (src/k8s/labels.ts allLabels);
 * version is left out because it is absent when an image has no tag to derive it from.
 */
export const REQUIRED_LABELS: readonly string[] = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
];

export const DEFAULT_TOKEN_ALLOWED_NAMES: readonly string[] = ['prometheus', 'kube-state-metrics'];

/** The label that must never be part of a selector: it changes on upgrade and orphans pods. */
export const VERSION_LABEL = 'app.kubernetes.io/version';

/** Builds a violation for `obj` at `path`. */
export function violation(rule: PolicyRule, obj: K8sObject, path: readonly PathSegment[], message: string): PolicyViolation {
  const ns = obj.metadata?.namespace;
  return {
    rule,
    kind: String(obj.kind),
    name: String(obj.metadata?.name),
    ...(typeof ns === 'string' && ns !== '' ? { namespace: ns } : {}),
    object: describeObject(obj),
    path: formatPath(path),
    message,
  };
}

/** One line per violation, for assertion messages. */
export function formatViolation(v: PolicyViolation): string {
  return `${v.object}: ${v.path}: [${v.rule}] ${v.message}`;
}
