/**
 * Small helpers shared by the schema and policy checkers: how an object is named in a
 * message, how a path inside it is written, and where its pod templates are.
 */

/** A synthesized Kubernetes object as plain JSON (what `chart.toJson()` returns). */
export type K8sObject = Record<string, any>;

/** One step of a path inside an object: a field name or an array index. */
export type PathSegment = string | number;

/** "Deployment heapwatch/prometheus" (or "Deployment prometheus" without a namespace). */
export function describeObject(obj: K8sObject): string {
  const kind = typeof obj?.kind === 'string' ? obj.kind : '<no kind>';
  return `${kind} ${qualifiedName(obj)}`;
}

/** "namespace/name", or just the name for cluster-scoped or unnamespaced objects. */
export function qualifiedName(obj: K8sObject): string {
  const name = typeof obj?.metadata?.name === 'string' ? obj.metadata.name : '<no name>';
  const ns = obj?.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? `${ns}/${name}` : name;
}

/**
 * Writes a path the way people read it in a manifest:
 * ["spec", "containers", 0, "livenessProbe"] -> "spec.containers[0].livenessProbe",
 * keys that are not identifiers (label keys) in quotes: metadata.labels["app.kubernetes.io/name"].
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** A pod template found inside a workload: its metadata and spec, and where it sits. */
export interface PodTemplate {
  /** The template's metadata (labels), or the Pod's own metadata. */
  readonly metadata: K8sObject;
  readonly spec: K8sObject;
  /** Path of `spec` (the PodSpec) inside the object. */
  readonly specPath: readonly PathSegment[];
  /** Whether the pods run until stopped (not a Job or CronJob): probes are required then. */
  readonly longRunning: boolean;
}

/** Kinds whose objects carry a pod template, and where. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** Kinds whose pods run to completion, so liveness/readiness probes make no sense. */
const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/** The pod template of a workload, the Pod itself for a Pod, or undefined. */
export function podTemplateOf(obj: K8sObject): PodTemplate | undefined {
  if (obj?.kind === 'Pod') {
    return obj.spec ? { metadata: obj.metadata ?? {}, spec: obj.spec, specPath: ['spec'], longRunning: true } : undefined;
  }
  const path = TEMPLATE_PATHS[obj?.kind];
  if (!path) return undefined;
  let template: any = obj;
  for (const key of path) template = template?.[key];
  if (!template?.spec) return undefined;
  return {
    metadata: template.metadata ?? {},
    spec: template.spec,
    specPath: [...path, 'spec'],
    longRunning: !RUN_TO_COMPLETION.has(obj.kind),
  };
}

/** A container of a pod spec with where it sits and whether it is an init container. */
export interface ContainerRef {
  readonly container: K8sObject;
  readonly path: readonly PathSegment[];
  readonly init: boolean;
  /** An init container with restartPolicy Always (a native sidecar) runs as long as the pod. */
  readonly sidecar: boolean;
}

/** Every container (init containers first) of a pod template, with its path. */
export function containersOf(t: PodTemplate): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    const list = t.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container: K8sObject, i: number) => {
      const init = field === 'initContainers';
      out.push({ container, path: [...t.specPath, field, i], init, sidecar: init && container?.restartPolicy === 'Always' });
    });
  }
  return out;
}
