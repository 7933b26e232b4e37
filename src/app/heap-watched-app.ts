import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DeployMode, MetricsSource, requireResolved, ResolvedConfig, throwIfPropProblems } from '../config';
import { show } from '../config/show';
import { CONTAINERS, DISCOVERY, LIVENESS_PROBE, SHARED_DIR, TOKEN_MOUNT_DIR } from '../contract';
import { addDisruptionBudget } from '../k8s/disruption-budget';
import { allLabels, ComponentLabels, imageVersion, selectorLabels } from '../k8s/labels';
import { podsInNamespace, tcp } from '../k8s/network-policy';
import { containerSecurity, podSecurity } from '../k8s/pod-security';
import { httpProbe } from '../k8s/probes';
import { resourceRequirements } from '../k8s/resources';
import { PROMETHEUS } from '../stack/names';
import { podCode } from './code-delivery';
import { agentEnv, exporterEnv } from './container-env';
import { nodeOptions } from './node-options';

export interface HeapWatchedAppProps {
  /**
   * The resolved heapwatch config; `config.app` is the app (image, port, memory), and
   * `config.heap` and `config.exporter` drive the agent, probes and sidecar. For several
   * apps, resolve one config per app.
   */
  readonly config: ResolvedConfig;
  /**
   * The uid the app runs as: a whole number from 1 to 2147483647 (heapwatch pods never run as root).
   * @default 1000 (the `node` user of the official Node.js images)
   */
  readonly runAsUser?: number;
}

/** The `node` user of the official Node.js images. */
const DEFAULT_RUN_AS_USER = 1000;
/** The largest uid Kubernetes accepts: its API validates runAsUser as 0 to 2^31 - 1. */
const MAX_UID = 2147483647;

/**
 * The user's Node.js service, watched: a Deployment whose app container loads the heapwatch
 * agent through NODE_OPTIONS with a V8 heap limit derived from its memory limit and is probed
 * on the agent's /livez, and whose exporter sidecar serves /metrics and the heap-snapshot API;
 * the two share an emptyDir. In lean mode (exporter.sidecar false) there is no sidecar and the
 * agent serves the core metrics on the app container's hw-metrics port. The code of both comes
 * from ConfigMaps beside the Deployment, or from an image (exporter.delivery, see code-delivery.ts). Plus a Service, a NetworkPolicy,
 * and a PodDisruptionBudget when replicas > 1.
 */
export class HeapWatchedApp extends Construct {
  public readonly labels: ComponentLabels;

  constructor(scope: Construct, id: string, props: HeapWatchedAppProps) {
    super(scope, id);
    const c = requireResolved(props.config, 'HeapWatchedApp');
    const runAsUser = props.runAsUser ?? DEFAULT_RUN_AS_USER;
    throwIfPropProblems('HeapWatchedApp', Number.isInteger(runAsUser) && runAsUser >= 1 && runAsUser <= MAX_UID ? [] :
      [`'runAsUser' (${show(runAsUser)}) must be a whole number from 1 to ${MAX_UID}: 0 is root, which heapwatch pods never run as`]);
    const a = c.app;
    const e = c.exporter;
    const ns = a.namespace;
    const withAgent = e.source === MetricsSource.AGENT;
    this.labels = { name: a.name, instance: a.name, component: 'app', version: imageVersion(a.image) };
    const labels = allLabels(this.labels);
    const selector = selectorLabels(this.labels);

    const shared = { name: 'heapwatch', mountPath: SHARED_DIR };
    const livenessPort = 'hw-liveness';
    // The code ConfigMaps belong to this app but carry heapwatch's code, not the app image's version.
    const code = podCode(this, c, { labels: allLabels({ name: a.name, instance: a.name, component: 'heapwatch-code' }), sharedMount: shared });

    const appContainer: k8s.Container = {
      name: CONTAINERS.app,
      image: a.image,
      ...(a.command ? { command: [...a.command] } : {}),
      env: [{ name: 'NODE_OPTIONS', value: nodeOptions(c) }, ...(withAgent ? agentEnv(c) : [])],
      ports: [
        { name: 'http', containerPort: a.port },
        ...(withAgent ? [{ name: livenessPort, containerPort: a.livenessPort }] : []),
        // Lean mode: the agent serves /metrics here, where pod discovery looks for the sidecar's.
        ...(e.sidecar ? [] : [{ name: DISCOVERY.portName, containerPort: e.port }]),
      ],
      // The agent's /livez fails only after a long high-heap streak that a forced GC could not
      // end; the kubelet then restarts this container (and only this one).
      ...(withAgent ? {
        startupProbe: httpProbe('/livez', livenessPort, { periodSeconds: 5, failureThreshold: Math.max(1, Math.ceil(c.heap.startupGraceSeconds / 5)) }),
        livenessProbe: httpProbe('/livez', livenessPort, { ...LIVENESS_PROBE }),
      } : {
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, ...LIVENESS_PROBE },
      }),
      readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
      resources: resourceRequirements(a.resources),
      securityContext: containerSecurity(),
      volumeMounts: [{ ...shared, readOnly: false }, { name: 'tmp', mountPath: '/tmp' }, ...code.appMounts],
    };

    const exporterContainer: k8s.Container | undefined = !e.sidecar ? undefined : {
      name: CONTAINERS.exporter,
      image: e.image,
      command: code.exporterCommand,
      env: exporterEnv(c),
      ports: [{ name: DISCOVERY.portName, containerPort: e.port }],
      readinessProbe: httpProbe('/readyz', DISCOVERY.portName, { periodSeconds: 10 }),
      livenessProbe: httpProbe('/healthz', DISCOVERY.portName, { periodSeconds: 20 }),
      resources: resourceRequirements(e.resources),
      securityContext: containerSecurity(),
      volumeMounts: [shared, { name: 'snapshot-token', mountPath: TOKEN_MOUNT_DIR, readOnly: true }, { name: 'exporter-tmp', mountPath: '/tmp' }, ...code.exporterMounts],
    };

    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: a.name, namespace: ns, labels },
      spec: {
        replicas: a.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...labels, [DISCOVERY.podLabel]: DISCOVERY.podLabelValue },
            ...(Object.keys(code.annotations).length > 0 ? { annotations: code.annotations } : {}),
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurity(runAsUser),
            initContainers: code.initContainers.length > 0 ? code.initContainers : undefined,
            containers: exporterContainer ? [appContainer, exporterContainer] : [appContainer],
            volumes: [
              // Outlives a container restart, so the pre-restart heap snapshot and marker survive.
              { name: 'heapwatch', emptyDir: { sizeLimit: k8s.Quantity.fromString(e.snapshots.volumeSizeLimit) } },
              { name: 'tmp', emptyDir: {} },
              ...(exporterContainer ? [
                { name: 'exporter-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
                // Created by the user (README). Optional: without it the app still runs and the
                // admin API refuses every request.
                {
                  name: 'snapshot-token',
                  secret: { secretName: e.snapshots.tokenSecretName, optional: true, items: [{ key: e.snapshots.tokenSecretKey, path: e.snapshots.tokenSecretKey }] },
                },
              ] : []),
              ...code.volumes,
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: { name: a.name, namespace: ns, labels },
      spec: { selector, ports: [{ name: 'http', port: a.port, targetPort: k8s.IntOrString.fromString('http') }] },
    });

    // Ingress only: heapwatch does not restrict what the user's app may call.
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: a.name, namespace: ns, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [
          { ports: tcp(a.port) }, // the app's own clients, as before heapwatch
          ...(withAgent ? [{ ports: tcp(a.livenessPort) }] : []), // the kubelet's probes come from the node
          { from: [scraper(c)], ports: tcp(e.port) },
        ],
      },
    });

    addDisruptionBudget(this, 'DisruptionBudget', this.labels, ns, a.replicas);
  }
}

/**
 * Who scrapes the sidecar: heapwatch's Prometheus, or in operator mode kube-prometheus-stack's
 * (prometheus-operator labels its Prometheus pods app.kubernetes.io/name=prometheus).
 */
function scraper(c: ResolvedConfig) {
  return c.mode === DeployMode.OPERATOR
    ? podsInNamespace(c.operator.namespace, { 'app.kubernetes.io/name': PROMETHEUS.name })
    : podsInNamespace(c.namespace, selectorLabels({ name: PROMETHEUS.name, component: 'monitoring' }));
}
