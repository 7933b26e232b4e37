import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireResolved, ResolvedConfig } from '../config';
import { DISCOVERY } from '../contract';
import { allLabels, ComponentLabels, selectorLabels } from '../k8s/labels';
import { anyAddress, dnsEgress, podsAnywhere, podsIn, tcp, udp } from '../k8s/network-policy';
import { ALERTMANAGER, GRAFANA, KUBE_STATE_METRICS, PROMETHEUS } from './names';

export interface StackNetworkPoliciesProps {
  readonly config: ResolvedConfig;
  readonly prometheus: ComponentLabels;
  readonly alertmanager: ComponentLabels;
  readonly grafana: ComponentLabels;
  readonly kubeStateMetrics: ComponentLabels;
}

/**
 * One policy per component, each allowing only the traffic the data flow needs (and so
 * denying the rest, both ways):
 * - Prometheus scrapes watched pods, kube-state-metrics, Alertmanager and the API server
 *   (cAdvisor proxy), sends alerts to Alertmanager, and remote-writes over 443;
 * - Grafana queries Prometheus, and is reached by people on its port;
 * - Alertmanager peers gossip with each other and reach Slack on 443;
 * - kube-state-metrics watches the API server and is scraped by Prometheus.
 */
export class StackNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: StackNetworkPoliciesProps) {
    super(scope, id);
    const ns = requireResolved(props.config, 'StackNetworkPolicies').namespace;
    const prom = selectorLabels(props.prometheus);
    const am = selectorLabels(props.alertmanager);
    const graf = selectorLabels(props.grafana);
    const ksm = selectorLabels(props.kubeStateMetrics);
    const apiServer: k8s.NetworkPolicyEgressRule = { to: [anyAddress], ports: tcp(443, 6443) };

    const policy = (id: string, who: ComponentLabels, ingress: k8s.NetworkPolicyIngressRule[], egress: k8s.NetworkPolicyEgressRule[]) =>
      new k8s.KubeNetworkPolicy(this, id, {
        metadata: { name: who.name, namespace: ns, labels: allLabels(who) },
        spec: { podSelector: { matchLabels: selectorLabels(who) }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
      });

    policy('Prometheus', props.prometheus,
      [{ from: [podsIn(graf)], ports: tcp(PROMETHEUS.port) }],
      [
        dnsEgress,
        { to: [podsIn(am)], ports: tcp(ALERTMANAGER.port) },
        { to: [podsIn(ksm)], ports: tcp(KUBE_STATE_METRICS.port) },
        { to: [podsAnywhere({ [DISCOVERY.podLabel]: DISCOVERY.podLabelValue })], ports: tcp(props.config.exporter.port) },
        apiServer, // also covers remote_write over https
      ]);
    policy('Alertmanager', props.alertmanager,
      [
        { from: [podsIn(prom)], ports: tcp(ALERTMANAGER.port) },
        { from: [podsIn(am)], ports: [...tcp(ALERTMANAGER.clusterPort), ...udp(ALERTMANAGER.clusterPort)] },
      ],
      [
        dnsEgress,
        { to: [podsIn(am)], ports: [...tcp(ALERTMANAGER.clusterPort), ...udp(ALERTMANAGER.clusterPort)] },
        { to: [anyAddress], ports: tcp(443) }, // Slack
      ]);
    policy('Grafana', props.grafana,
      [{ ports: tcp(GRAFANA.port) }], // people, through a Service, port-forward or ingress
      [dnsEgress, { to: [podsIn(prom)], ports: tcp(PROMETHEUS.port) }]);
    policy('KubeStateMetrics', props.kubeStateMetrics,
      [{ from: [podsIn(prom)], ports: tcp(KUBE_STATE_METRICS.port, KUBE_STATE_METRICS.telemetryPort) }],
      [dnsEgress, apiServer]);
  }
}
