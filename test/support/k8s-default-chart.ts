/**
 * What the schema and policy suites run over: the default chart, the same chart with more
 * than one replica where replicas are configurable (so PodDisruptionBudgets and the Alertmanager
 * gossip cluster get checked too), with image delivery (so its init container is), and in
 * lean mode (no sidecar: the app container carries the hw-metrics port).
 */
import { defaultManifests } from '../../charts/default-app';
import { ExporterDelivery, HeapwatchConfigInput } from '../../src/config';
import { OPERATOR_INPUT } from './operator-config';
import { K8sObject } from './k8s-object';

export interface ChartVariant {
  readonly label: string;
  readonly input: HeapwatchConfigInput;
  /** "apiVersion kind" pairs that must be among the objects (a floor, not the full list). */
  readonly expectedKinds: readonly string[];
}

/**
 * The kinds the default chart must contain, as constructs land; extend it when a construct adds
 * a kind. A kind listed here that disappears fails the suites, so a construct that silently
 * stops producing, say, its NetworkPolicy cannot slip past schema and policy checks.
 */
export const EXPECTED_KINDS: readonly string[] = [
  'v1 Namespace',
  'v1 ServiceAccount',
  'v1 ConfigMap',
  'v1 Service',
  'apps/v1 Deployment',
  'apps/v1 StatefulSet',
  'rbac.authorization.k8s.io/v1 ClusterRole',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
  'networking.k8s.io/v1 NetworkPolicy',
];

export const CHART_VARIANTS: readonly ChartVariant[] = [
  { label: 'default chart', input: {}, expectedKinds: EXPECTED_KINDS },
  {
    label: 'chart with replicas > 1 (app 2, Prometheus 2, Alertmanager 3)',
    input: { app: { replicas: 2 }, alertmanager: { replicas: 3 }, prometheus: { replicas: 2 } },
    expectedKinds: [...EXPECTED_KINDS, 'policy/v1 PodDisruptionBudget'],
  },
  {
    label: 'operator-mode chart (kube-prometheus-stack), app replicas 2, extra labels',
    input: { ...OPERATOR_INPUT, operator: { ...OPERATOR_INPUT.operator, labels: { team: 'payments' } }, app: { replicas: 2 } },
    expectedKinds: [
      'monitoring.coreos.com/v1 PrometheusRule',
      'monitoring.coreos.com/v1 PodMonitor',
      'monitoring.coreos.com/v1alpha1 AlertmanagerConfig',
      'v1 ConfigMap',
      'v1 Service',
      'apps/v1 Deployment',
      'networking.k8s.io/v1 NetworkPolicy',
      'policy/v1 PodDisruptionBudget',
    ],
  },
  {
    label: "chart with image delivery (the agent's init container, the sidecar from the team's own image)",
    input: { exporter: { delivery: ExporterDelivery.IMAGE, image: 'registry.example.test/team/heapwatch-exporter:0.1.0' } },
    expectedKinds: EXPECTED_KINDS,
  },
  { label: 'lean-mode chart (exporter.sidecar false: no sidecar, the agent serves hw-metrics), app replicas 2', input: { exporter: { sidecar: false }, app: { replicas: 2 } }, expectedKinds: [...EXPECTED_KINDS, 'policy/v1 PodDisruptionBudget'] },
  {
    label: 'lean-mode operator chart',
    input: { ...OPERATOR_INPUT, exporter: { sidecar: false } },
    expectedKinds: ['monitoring.coreos.com/v1 PodMonitor', 'apps/v1 Deployment', 'networking.k8s.io/v1 NetworkPolicy'],
  },
];

/** The objects of one variant. */
export function manifestsOf(v: ChartVariant): K8sObject[] {
  return defaultManifests(v.input);
}

/** "apiVersion kind" of an object. */
export const kindKey = (o: K8sObject): string => `${o.apiVersion} ${o.kind}`;

/** The expected kinds missing from `objects`. */
export function missingKinds(objects: readonly K8sObject[], expected: readonly string[]): string[] {
  const present = new Set(objects.map(kindKey));
  return expected.filter((k) => !present.has(k));
}
