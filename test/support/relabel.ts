/**
 * Prometheus's relabelling (keep, drop, replace) applied to one target's labels, to check
 * the synthesized discovery blocks against the synthesized pods without Kubernetes
 * discovery (Debian's Prometheus is built without it). Covers the actions heapwatch uses;
 * anything else throws rather than pretending.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
 */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}

/** Returns the relabelled labels, or undefined when the target is dropped. */
export function relabel(labels: Record<string, string>, configs: RelabelConfig[]): Record<string, string> | undefined {
  let out = { ...labels };
  for (const rc of configs) {
    const value = (rc.source_labels ?? []).map((l) => out[l] ?? '').join(rc.separator ?? ';');
    const regex = new RegExp(`^(?:${rc.regex ?? '(.*)'})$`);
    const match = regex.exec(value);
    switch (rc.action ?? 'replace') {
      case 'keep':
        if (!match) return undefined;
        break;
      case 'drop':
        if (match) return undefined;
        break;
      case 'replace': {
        if (!match || !rc.target_label) break;
        const replaced = (rc.replacement ?? '$1').replace(/\$\{?(\d+)\}?/g, (_, i) => match[Number(i)] ?? '');
        if (replaced === '') delete out[rc.target_label];
        else out = { ...out, [rc.target_label]: replaced };
        break;
      }
      default:
        throw new Error(`relabel action ${rc.action} is not simulated here`);
    }
  }
  return out;
}

/** Prometheus's meta-label form of a Kubernetes label name. */
export const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/**
 * The targets Kubernetes pod discovery produces for a pod template: one per container port,
 * with the meta labels the relabelling reads.
 */
export function podTargets(namespace: string, podName: string, template: any, phase = 'Running'): Record<string, string>[] {
  const podLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(template.metadata.labels ?? {})) {
    podLabels[`__meta_kubernetes_pod_label_${sanitize(k)}`] = v;
    podLabels[`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`] = 'true';
  }
  return (template.spec.containers as any[]).flatMap((c) => (c.ports ?? []).map((p: any) => ({
    __address__: `10.0.0.1:${p.containerPort}`,
    __meta_kubernetes_namespace: namespace,
    __meta_kubernetes_pod_name: podName,
    __meta_kubernetes_pod_phase: phase,
    __meta_kubernetes_pod_container_name: c.name,
    __meta_kubernetes_pod_container_port_name: p.name ?? '',
    __meta_kubernetes_pod_container_port_number: String(p.containerPort),
    ...podLabels,
  })));
}
