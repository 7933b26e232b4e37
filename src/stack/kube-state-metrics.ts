import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireResolved, ResolvedConfig } from '../config';
import { DISCOVERY } from '../contract';
import { allLabels, ComponentLabels, imageVersion, selectorLabels } from '../k8s/labels';
import { containerSecurity, podSecurity } from '../k8s/pod-security';
import { httpProbe } from '../k8s/probes';
import { resourceRequirements } from '../k8s/resources';
import { KUBE_STATE_METRICS } from './names';

export interface KubeStateMetricsProps {
  /** The resolved heapwatch config. */
  readonly config: ResolvedConfig;
}

/**
 * The Kubernetes resources kube-state-metrics reports on. Only what heapwatch's rules read
 * (pods: OOM kills, restarts, labels), and their owners for context; never Secrets, whose
 * names alone can leak, and which the default KSM resource list includes.
 */
export const KSM_RESOURCES = {
  '': ['pods', 'nodes', 'namespaces'],
  apps: ['deployments', 'statefulsets', 'replicasets', 'daemonsets'],
} as const;

/**
 * kube-state-metrics with read-only RBAC for the resources above, exporting the pod labels
 * that tell heapwatch which pods are watched and which app they belong to.
 */
export class KubeStateMetrics extends Construct {
  public readonly labels: ComponentLabels;

  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const c = requireResolved(props.config, 'KubeStateMetrics');
    const ns = c.namespace;
    this.labels = { name: KUBE_STATE_METRICS.name, component: 'exporter', version: imageVersion(c.kubeStateMetrics.image) };
    const labels = allLabels(this.labels);
    const selector = selectorLabels(this.labels);

    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: KUBE_STATE_METRICS.name, namespace: ns, labels },
      automountServiceAccountToken: true, // it lists and watches the API
    });
    const role = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: `heapwatch-${KUBE_STATE_METRICS.name}`, labels },
      rules: Object.entries(KSM_RESOURCES).map(([group, resources]) => ({ apiGroups: [group], resources: [...resources], verbs: ['list', 'watch'] })),
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `heapwatch-${KUBE_STATE_METRICS.name}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: ns }],
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: KUBE_STATE_METRICS.name, namespace: ns, labels },
      spec: {
        selector,
        ports: [
          { name: 'http-metrics', port: KUBE_STATE_METRICS.port, targetPort: k8s.IntOrString.fromString('http-metrics') },
          { name: 'telemetry', port: KUBE_STATE_METRICS.telemetryPort, targetPort: k8s.IntOrString.fromString('telemetry') },
        ],
      },
    });
    const resources = Object.values(KSM_RESOURCES).flat();
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: KUBE_STATE_METRICS.name, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.name,
            automountServiceAccountToken: true,
            securityContext: podSecurity(KUBE_STATE_METRICS.uid),
            containers: [{
              name: KUBE_STATE_METRICS.name,
              image: c.kubeStateMetrics.image,
              command: [KUBE_STATE_METRICS.entrypoint],
              args: [
                `--port=${KUBE_STATE_METRICS.port}`,
                `--telemetry-port=${KUBE_STATE_METRICS.telemetryPort}`,
                `--resources=${resources.join(',')}`,
                `--metric-labels-allowlist=pods=[app.kubernetes.io/name,${DISCOVERY.podLabel}]`,
              ],
              ports: [
                { name: 'http-metrics', containerPort: KUBE_STATE_METRICS.port },
                { name: 'telemetry', containerPort: KUBE_STATE_METRICS.telemetryPort },
              ],
              livenessProbe: httpProbe('/livez', 'http-metrics'),
              readinessProbe: httpProbe('/readyz', 'telemetry'),
              resources: resourceRequirements(c.kubeStateMetrics.resources),
              securityContext: containerSecurity(),
            }],
          },
        },
      },
    });
  }
}
