import { Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireResolved, ResolvedConfig } from '../config';
import { checksumAnnotation } from '../k8s/checksum';
import { allLabels, ComponentLabels, imageVersion, selectorLabels } from '../k8s/labels';
import { containerSecurity, podSecurity } from '../k8s/pod-security';
import { httpProbe } from '../k8s/probes';
import { resourceRequirements } from '../k8s/resources';
import { buildAlertmanagerConfig, SLACK_TEMPLATE, TEMPLATE_FILE } from './alertmanager-config';
import { ALERTMANAGER, ALERTMANAGER_PATHS, statefulPodHosts } from './names';

export interface AlertmanagerProps {
  /** The resolved heapwatch config. */
  readonly config: ResolvedConfig;
}

/**
 * Alertmanager as a StatefulSet with storage for its notification log and silences (so a
 * restart does not resend), Slack from a user-created Secret, and a gossip cluster over a
 * headless Service when replicas > 1.
 */
export class Alertmanager extends Construct {
  /** alertmanager.yml as synthesized (for tests and the demo). */
  public readonly configText: string;
  public readonly labels: ComponentLabels;

  constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const c = requireResolved(props.config, 'Alertmanager');
    const a = c.alertmanager;
    const ns = c.namespace;
    this.labels = { name: ALERTMANAGER.name, component: 'alerting', version: imageVersion(a.image) };
    const labels = allLabels(this.labels);
    const selector = selectorLabels(this.labels);
    this.configText = Yaml.stringify(buildAlertmanagerConfig(c));
    const clustered = a.replicas > 1;

    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${ALERTMANAGER.name}-config`, namespace: ns, labels },
      data: { 'alertmanager.yml': this.configText },
    });
    const templates = new k8s.KubeConfigMap(this, 'Templates', {
      metadata: { name: `${ALERTMANAGER.name}-templates`, namespace: ns, labels },
      data: { [TEMPLATE_FILE]: SLACK_TEMPLATE },
    });
    const sa = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: ALERTMANAGER.name, namespace: ns, labels },
      automountServiceAccountToken: false,
    });

    const headless = new k8s.KubeService(this, 'HeadlessService', {
      metadata: { name: ALERTMANAGER.headless, namespace: ns, labels },
      spec: {
        clusterIp: 'None',
        // Peers must find each other before they are ready, or a cluster never forms.
        publishNotReadyAddresses: true,
        selector,
        ports: [
          { name: 'web', port: ALERTMANAGER.port, targetPort: k8s.IntOrString.fromString('web') },
          { name: 'cluster-tcp', port: ALERTMANAGER.clusterPort, protocol: 'TCP', targetPort: k8s.IntOrString.fromString('cluster-tcp') },
          { name: 'cluster-udp', port: ALERTMANAGER.clusterPort, protocol: 'UDP', targetPort: k8s.IntOrString.fromString('cluster-udp') },
        ],
      },
    });
    new k8s.KubeService(this, 'Service', {
      metadata: { name: ALERTMANAGER.name, namespace: ns, labels },
      spec: { selector, ports: [{ name: 'web', port: ALERTMANAGER.port, targetPort: k8s.IntOrString.fromString('web') }] },
    });

    const peers = statefulPodHosts(ALERTMANAGER.name, headless.name, ns, a.replicas).map((h) => `--cluster.peer=${h}:${ALERTMANAGER.clusterPort}`);
    const storageName = 'data';
    const persistent = a.persistentStorage;
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: ALERTMANAGER.name, namespace: ns, labels },
      spec: {
        serviceName: headless.name,
        replicas: a.replicas,
        selector: { matchLabels: selector },
        podManagementPolicy: 'Parallel',
        template: {
          metadata: { labels, annotations: checksumAnnotation(this.configText, SLACK_TEMPLATE) },
          spec: {
            serviceAccountName: sa.name,
            automountServiceAccountToken: false,
            securityContext: podSecurity(ALERTMANAGER.uid),
            containers: [{
              name: ALERTMANAGER.name,
              image: a.image,
              command: [ALERTMANAGER.entrypoint],
              args: [
                `--config.file=${ALERTMANAGER_PATHS.config}/alertmanager.yml`,
                `--storage.path=${ALERTMANAGER_PATHS.data}`,
                `--web.listen-address=:${ALERTMANAGER.port}`,
                // An empty address turns gossip off: a lone replica has no one to talk to.
                `--cluster.listen-address=${clustered ? `0.0.0.0:${ALERTMANAGER.clusterPort}` : ''}`,
                ...(clustered ? peers : []),
              ],
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              ports: [
                { name: 'web', containerPort: ALERTMANAGER.port },
                { name: 'cluster-tcp', containerPort: ALERTMANAGER.clusterPort, protocol: 'TCP' },
                { name: 'cluster-udp', containerPort: ALERTMANAGER.clusterPort, protocol: 'UDP' },
              ],
              readinessProbe: httpProbe('/-/ready', 'web', { periodSeconds: 5 }),
              livenessProbe: httpProbe('/-/healthy', 'web', { periodSeconds: 15 }),
              resources: resourceRequirements(a.resources),
              securityContext: containerSecurity(),
              volumeMounts: [
                { name: 'config', mountPath: ALERTMANAGER_PATHS.config, readOnly: true },
                { name: 'templates', mountPath: ALERTMANAGER_PATHS.templates, readOnly: true },
                { name: storageName, mountPath: ALERTMANAGER_PATHS.data },
                ...(c.slack.enabled ? [{ name: 'slack-webhook', mountPath: ALERTMANAGER_PATHS.slackSecret, readOnly: true }] : []),
              ],
            }],
            volumes: [
              { name: 'config', configMap: { name: configMap.name } },
              { name: 'templates', configMap: { name: templates.name } },
              ...(persistent ? [] : [{ name: storageName, emptyDir: {} }]),
              ...(c.slack.enabled ? [{
                name: 'slack-webhook',
                // Created by the user (README); only the one key is projected into the pod.
                secret: { secretName: c.slack.webhookSecretName, items: [{ key: c.slack.webhookSecretKey, path: c.slack.webhookSecretKey }] },
              }] : []),
            ],
          },
        },
        volumeClaimTemplates: persistent ? [{
          metadata: { name: storageName, labels: selector },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(a.storageClassName ? { storageClassName: a.storageClassName } : {}),
            resources: { requests: { storage: k8s.Quantity.fromString(a.storageSize) } },
          },
        }] : undefined,
      },
    });
  }
}
