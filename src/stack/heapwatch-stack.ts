import { Construct } from 'constructs';
import { DeployMode, modeProblems, requireResolved, ResolvedConfig, throwIfPropProblems } from '../config';
import { renderDashboards } from '../dashboard';
import { renderRules } from '../rules';
import { addDisruptionBudget } from '../k8s/disruption-budget';
import { restrictedNamespace } from '../k8s/namespace';
import { Alertmanager } from './alertmanager';
import { dashboardProblems, ruleFileProblems } from './file-props';
import { Grafana } from './grafana';
import { KubeStateMetrics } from './kube-state-metrics';
import { StackNetworkPolicies } from './network-policies';
import { Prometheus } from './prometheus';

export interface HeapwatchStackProps {
  /** The resolved heapwatch config (resolveConfig()). */
  readonly config: ResolvedConfig;
  /**
   * Prometheus rule files (file name -> YAML), replacing heapwatch's own; names end in ".yaml".
   * @default - heapwatch's alert and recording rules, renderRules(config)
   */
  readonly ruleFiles?: Record<string, string>;
  /**
   * Grafana dashboards (file name -> JSON), replacing heapwatch's own; names end in ".json". The
   * home dashboard is heapwatch's memory dashboard when it is among them, else the first one.
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
    const c = requireResolved(props.config, 'HeapwatchStack');
    // Both files checked here too, so a stack with two bad props reports both at once.
    throwIfPropProblems('HeapwatchStack', [
      ...modeProblems(c, DeployMode.STANDALONE, 'HeapwatchStack'),
      ...ruleFileProblems('ruleFiles', props.ruleFiles),
      ...dashboardProblems('dashboards', props.dashboards),
    ]);
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
