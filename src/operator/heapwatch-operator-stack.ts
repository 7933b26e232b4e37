import { Construct } from 'constructs';
import { ResolvedConfig } from '../config';
import { dashboardProblems } from '../stack/file-props';
import { DashboardConfigMap } from './dashboard-config-map';
import { operatorConfig } from './operator-config';
import { HeapwatchPrometheusRule } from './prometheus-rule';

export interface HeapwatchOperatorStackProps {
  /** The resolved heapwatch config (resolveConfig()), mode 'operator'. */
  readonly config: ResolvedConfig;
  /**
   * Grafana dashboards (file name -> JSON), replacing heapwatch's own; names end in ".json".
   * @default - heapwatch's memory dashboard, renderDashboards(config)
   */
  readonly dashboards?: Record<string, string>;
}

/**
 * Operator mode's shared part, in kube-prometheus-stack's namespace (operator.namespace): the rules
 * as a PrometheusRule and the dashboard as a ConfigMap. No Prometheus, Alertmanager, Grafana or
 * kube-state-metrics: the existing stack runs those. Each watched app adds its own
 * HeapwatchAppMonitoring (PodMonitor and AlertmanagerConfig) in its namespace.
 */
export class HeapwatchOperatorStack extends Construct {
  public readonly rule: HeapwatchPrometheusRule;
  public readonly dashboards: DashboardConfigMap;

  constructor(scope: Construct, id: string, props: HeapwatchOperatorStackProps) {
    super(scope, id);
    const config = operatorConfig(props.config, 'HeapwatchOperatorStack', dashboardProblems('dashboards', props.dashboards));
    this.rule = new HeapwatchPrometheusRule(this, 'Rules', { config });
    this.dashboards = new DashboardConfigMap(this, 'Dashboards', { config, dashboards: props.dashboards });
  }
}
