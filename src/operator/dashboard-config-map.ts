import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ResolvedConfig } from '../config';
import { renderDashboards } from '../dashboard';
import { dashboardProblems } from '../stack/file-props';
import { operatorConfig } from './operator-config';
import { GRAFANA_DASHBOARD_LABEL, operatorLabels } from './operator-labels';

export interface DashboardConfigMapProps {
  /** The resolved heapwatch config (resolveConfig()), mode 'operator'. */
  readonly config: ResolvedConfig;
  /**
   * Grafana dashboards (file name -> JSON), replacing heapwatch's own; names end in ".json".
   * @default - heapwatch's memory dashboard, renderDashboards(config)
   */
  readonly dashboards?: Record<string, string>;
}

/**
 * heapwatch's dashboards as a ConfigMap that kube-prometheus-stack's Grafana sidecar loads
 * (label grafana_dashboard: "1"). The dashboard picks its Prometheus through its `datasource`
 * variable, since datasource names differ between installs.
 */
export class DashboardConfigMap extends Construct {
  public readonly resource: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: DashboardConfigMapProps) {
    super(scope, id);
    const c = operatorConfig(props.config, 'DashboardConfigMap', dashboardProblems('dashboards', props.dashboards));
    this.resource = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: 'heapwatch-dashboards',
        namespace: c.operator.namespace,
        labels: { ...operatorLabels(c, 'heapwatch-dashboards'), ...GRAFANA_DASHBOARD_LABEL },
      },
      data: props.dashboards ?? renderDashboards(c),
    });
  }
}
