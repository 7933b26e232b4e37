import { Construct } from 'constructs';
import { HeapwatchConfig } from '../config';
import { renderDashboards } from '../dashboard';
import { renderRules } from '../rules';
import { addDisruptionBudget } from '../k8s/disruption-budget';
import { restrictedNamespace } from '../k8s/namespace';
import { Alertmanager } from './alertmanager';
import { Grafana } from './grafana';
import { KubeStateMetrics } from './kube-state-metrics';
import { StackNetworkPolicies } from './network-policies';
import { Prometheus } from './prometheus';

export interface HeapwatchStackProps {
  /** The resolved heapwatch config (resolveConfig()). */
  readonly config: HeapwatchConfig;
  /**
   * Prometheus rule files (file name -> YAML).
   * @default - heapwatch's alert and recording rules, renderRules(config)
   */
  readonly ruleFiles?: Record<string, string>;
  /**
   * Grafana dashboards (file name -> JSON).
   * @default - heapwatch's memory dashboard, renderDashboards(config)
   */
  readonly dashboards?: Record<string, string>;
}

/**
 * The monitoring stack in its own namespace: Prometheus, Alertmanager, Grafana and
 * kube-state-metrics, wired together, with NetworkPolicies and disruption budgets.
 */
export class HeapwatchStack extends Construct {
  public readonly prometheus: Prometheus;
  public readonly alertmanager: Alertmanager;
  public readonly grafana: Grafana;
  public readonly kubeStateMetrics: KubeStateMetrics;

  constructor(scope: Construct, id: string, props: HeapwatchStackProps) {
    super(scope, id);
    const c = props.config;
    restrictedNamespace(this, 'Namespace', c.namespace, { name: 'heapwatch', component: 'monitoring' });
    this.prometheus = new Prometheus(this, 'Prometheus', { config: c, ruleFiles: props.ruleFiles ?? renderRules(c) });
    this.alertmanager = new Alertmanager(this, 'Alertmanager', { config: c });
    this.grafana = new Grafana(this, 'Grafana', { config: c, dashboards: props.dashboards ?? renderDashboards(c) });
    this.kubeStateMetrics = new KubeStateMetrics(this, 'KubeStateMetrics', { config: c });
    new StackNetworkPolicies(this, 'NetworkPolicies', {
      config: c,
      prometheus: this.prometheus.labels,
      alertmanager: this.alertmanager.labels,
      grafana: this.grafana.labels,
      kubeStateMetrics: this.kubeStateMetrics.labels,
    });
    addDisruptionBudget(this, 'PrometheusBudget', this.prometheus.labels, c.namespace, c.prometheus.replicas);
    addDisruptionBudget(this, 'AlertmanagerBudget', this.alertmanager.labels, c.namespace, c.alertmanager.replicas);
  }
}
