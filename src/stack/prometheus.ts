import { Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireResolved, ResolvedConfig, throwIfPropProblems } from '../config';
import { checksumAnnotation } from '../k8s/checksum';
import { allLabels, ComponentLabels, imageVersion, selectorLabels } from '../k8s/labels';
import { containerSecurity, podSecurity } from '../k8s/pod-security';
import { httpProbe } from '../k8s/probes';
import { resourceRequirements } from '../k8s/resources';
import { ruleFileProblems } from './file-props';
import { PROMETHEUS, PROMETHEUS_PATHS } from './names';
import { buildPrometheusConfig, EXPAND_EXTERNAL_LABELS, POD_NAME_ENV } from './prometheus-config';

export interface PrometheusProps {
  /** The resolved heapwatch config. */
  readonly config: ResolvedConfig;
  /**
   * Rule files to mount (file name -> YAML text), e.g. renderRules(config). Names end in ".yaml",
   * the files Prometheus loads from its rules directory.
   * @default - no rule files
   */
  readonly ruleFiles?: Record<string, string>;
}

/**
 * Prometheus as a StatefulSet: pod discovery for heapwatch sidecars, kubelet cAdvisor,
 * kube-state-metrics and Alertmanager; rules from a ConfigMap; its own ServiceAccount with a
 * read-only ClusterRole that cannot touch Secrets.
 */
export class Prometheus extends Construct {
  /** prometheus.yml as synthesized (for tests and the demo). */
  public readonly configText: string;
  public readonly labels: ComponentLabels;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const c = requireResolved(props.config, 'Prometheus');
    throwIfPropProblems('Prometheus', ruleFileProblems('ruleFiles', props.ruleFiles));
    const p = c.prometheus;
    const ns = c.namespace;
    this.labels = { name: PROMETHEUS.name, component: 'monitoring', version: imageVersion(p.image) };
    const labels = allLabels(this.labels);
    const selector = selectorLabels(this.labels);
    const ruleFiles = props.ruleFiles ?? {};
    this.configText = Yaml.stringify(buildPrometheusConfig(c));

    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: PROMETHEUS.name, namespace: ns, labels },
      automountServiceAccountToken: true, // pod discovery and the cAdvisor proxy need the API
    });

    // Read-only, and only what discovery and the cAdvisor proxy need: never Secrets, never wildcards.
    const role = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: `heapwatch-${PROMETHEUS.name}`, labels },
      rules: [
        { apiGroups: [''], resources: ['pods', 'nodes', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['nodes/proxy', 'nodes/metrics'], verbs: ['get'] },
        { nonResourceUrLs: ['/metrics', '/metrics/cadvisor'], verbs: ['get'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: `heapwatch-${PROMETHEUS.name}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: ns }],
    });

    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${PROMETHEUS.name}-config`, namespace: ns, labels },
      data: { 'prometheus.yml': this.configText },
    });
    const rulesMap = new k8s.KubeConfigMap(this, 'Rules', {
      metadata: { name: `${PROMETHEUS.name}-rules`, namespace: ns, labels },
      data: ruleFiles,
    });

    const headless = new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: `${PROMETHEUS.name}-headless`, namespace: ns, labels },
      spec: { clusterIp: 'None', selector, ports: [{ name: 'web', port: PROMETHEUS.port, targetPort: k8s.IntOrString.fromString('web') }] },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: PROMETHEUS.name, namespace: ns, labels },
      spec: { selector, ports: [{ name: 'web', port: PROMETHEUS.port, targetPort: k8s.IntOrString.fromString('web') }] },
    });

    const storageName = 'data';
    const persistent = p.persistentStorage;
    const replicated = p.replicas > 1; // each replica names itself in its external labels
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: PROMETHEUS.name, namespace: ns, labels },
      spec: {
        serviceName: headless.name,
        replicas: p.replicas,
        selector: { matchLabels: selector },
        podManagementPolicy: 'Parallel',
        template: {
          metadata: { labels, annotations: checksumAnnotation(this.configText, ...Object.values(ruleFiles)) },
          spec: {
            serviceAccountName: sa.name,
            automountServiceAccountToken: true,
            securityContext: podSecurity(PROMETHEUS.uid),
            terminationGracePeriodSeconds: 60,
            containers: [{
              name: PROMETHEUS.name,
              image: p.image,
              command: [PROMETHEUS.entrypoint],
              args: [
                `--config.file=${PROMETHEUS_PATHS.config}/prometheus.yml`,
                `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
                `--storage.tsdb.retention.time=${p.retention}`,
                `--web.listen-address=:${PROMETHEUS.port}`,
                ...(replicated ? [EXPAND_EXTERNAL_LABELS] : []),
              ],
              env: replicated ? [{ name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] : undefined,
              ports: [{ name: 'web', containerPort: PROMETHEUS.port }],
              readinessProbe: httpProbe('/-/ready', 'web', { periodSeconds: 5 }),
              livenessProbe: httpProbe('/-/healthy', 'web', { periodSeconds: 15, failureThreshold: 4 }),
              startupProbe: httpProbe('/-/ready', 'web', { periodSeconds: 5, failureThreshold: 60 }), // WAL replay
              resources: resourceRequirements(p.resources),
              securityContext: containerSecurity(),
              volumeMounts: [
                { name: 'config', mountPath: PROMETHEUS_PATHS.config, readOnly: true },
                { name: 'rules', mountPath: PROMETHEUS_PATHS.rules, readOnly: true },
                { name: storageName, mountPath: PROMETHEUS_PATHS.data },
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: configMap.name } },
              { name: 'rules', configMap: { name: rulesMap.name } },
              ...(persistent ? [] : [{ name: storageName, emptyDir: {} }]),
            ],
          },
        },
        volumeClaimTemplates: persistent ? [{
          metadata: { name: storageName, labels: selector },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(p.storageClassName ? { storageClassName: p.storageClassName } : {}),
            resources: { requests: { storage: k8s.Quantity.fromString(p.storageSize) } },
          },
        }] : undefined,
      },
    });
  }
}
