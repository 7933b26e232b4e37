/**
 * The app.kubernetes.io/* labels every heapwatch object carries. Selectors use only the
 * stable subset (name + instance): the version changes on upgrade, and a selector that
 * includes it would orphan the old pods.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export interface ComponentLabels {
  /** app.kubernetes.io/name, e.g. "prometheus". */
  readonly name: string;
  /** app.kubernetes.io/component, e.g. "monitoring". */
  readonly component: string;
  /** app.kubernetes.io/version; the image tag when unset. */
  readonly version?: string;
  /** app.kubernetes.io/instance. @default "heapwatch" */
  readonly instance?: string;
}

export const PART_OF = 'heapwatch';

/** The label names allLabels() sets: heapwatch's own, which extra labels (operator.labels) must not replace. */
export const OWN_LABEL_NAMES = [
  'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by', 'app.kubernetes.io/version',
] as const;

/** The labels that select a component's pods (never the version). */
export function selectorLabels(c: ComponentLabels): Record<string, string> {
  return { 'app.kubernetes.io/name': c.name, 'app.kubernetes.io/instance': c.instance ?? PART_OF };
}

/** Every label of a component's objects. */
export function allLabels(c: ComponentLabels): Record<string, string> {
  return {
    ...selectorLabels(c),
    'app.kubernetes.io/component': c.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
    ...(c.version ? { 'app.kubernetes.io/version': sanitizeLabelValue(c.version) } : {}),
  };
}

/** The tag of an image reference ("repo/x:1.2" -> "1.2"), or the digest's first 12 hex digits. */
export function imageVersion(image: string): string {
  const digest = /@sha256:([a-f0-9]{12})/.exec(image);
  if (digest) return digest[1];
  const last = image.split('/').pop() ?? image;
  return last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : 'unknown';
}

function sanitizeLabelValue(v: string): string {
  return v.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
