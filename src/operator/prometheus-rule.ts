import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedConfig } from '../config';
import { buildRuleGroups } from '../rules';
import { operatorConfig } from './operator-config';
import { MONITORING_V1, operatorLabels } from './operator-labels';

export interface HeapwatchPrometheusRuleProps {
  /** The resolved heapwatch config (resolveConfig()), mode 'operator'. */
  readonly config: ResolvedConfig;
}

/**
 * heapwatch's recording and alerting rules as one PrometheusRule: exactly the groups
 * alerts/heapwatch-rules.yaml holds for this config (buildRuleGroups, the one source).
 * Selected by kube-prometheus-stack's Prometheus through its `release` label.
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */
export class HeapwatchPrometheusRule extends Construct {
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: HeapwatchPrometheusRuleProps) {
    super(scope, id);
    const c = operatorConfig(props.config, 'HeapwatchPrometheusRule');
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: MONITORING_V1,
      kind: 'PrometheusRule',
      metadata: { name: 'heapwatch', namespace: c.operator.namespace, labels: operatorLabels(c, 'heapwatch-rules') },
      spec: { groups: buildRuleGroups(c) },
    });
  }
}
