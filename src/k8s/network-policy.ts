/**
 * Small builders for NetworkPolicy peers and ports, so each policy reads as a sentence:
 * "Prometheus may reach Alertmanager on 9093".
 */
import { k8s } from 'cdk8s-plus-27';

/** Pods with these labels in the same namespace. */
export const podsIn = (labels: Record<string, string>): k8s.NetworkPolicyPeer => ({ podSelector: { matchLabels: labels } });

/** Pods with these labels in the named namespace. */
export const podsInNamespace = (namespace: string, labels: Record<string, string>): k8s.NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
  podSelector: { matchLabels: labels },
});

/** Pods with these labels in any namespace. */
export const podsAnywhere = (labels: Record<string, string>): k8s.NetworkPolicyPeer => ({
  namespaceSelector: {},
  podSelector: { matchLabels: labels },
});

/** Any address (the API server, Slack, a remote-write store: their IPs are not known at synth time). */
export const anyAddress: k8s.NetworkPolicyPeer = { ipBlock: { cidr: '0.0.0.0/0' } };

export const tcp = (...ports: number[]): k8s.NetworkPolicyPort[] =>
  ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
export const udp = (...ports: number[]): k8s.NetworkPolicyPort[] =>
  ports.map((port) => ({ protocol: 'UDP', port: k8s.IntOrString.fromNumber(port) }));

/** Cluster DNS, in kube-system. */
export const dnsEgress: k8s.NetworkPolicyEgressRule = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
  ports: [...udp(53), ...tcp(53)],
};
