import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { derive, ResolvedConfig } from '../config';
import { labelMapProblems } from '../config/label-syntax';
import { show } from '../config/show';
import { DISCOVERY, JOBS, TARGET_LABELS } from '../contract';
import { UNUSED_SIDECAR_SERIES_REGEX } from '../stack/unused-series';
import { operatorConfig } from './operator-config';
import { MONITORING_V1, operatorLabels } from './operator-labels';

export interface HeapwatchPodMonitorProps {
  /** The resolved config of the watched app (resolveConfig()), mode 'operator'. */
  readonly config: ResolvedConfig;
  /** The labels that select the app's pods (the Deployment's selector, HeapWatchedApp's `selectorLabels`). */
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Pod label kube-prometheus-stack's Prometheus exposes as this meta label. */
const APP_NAME_META = '__meta_kubernetes_pod_label_app_kubernetes_io_name';

/**
 * Scrapes one watched app's sidecars, on the container port named `hw-metrics`, at the agent's
 * check interval. prometheus-operator already sets namespace, pod and container; the relabelings
 * set the `app` label and replace the operator's `job` (<namespace>/<podmonitor name>) with the
 * standalone job name, so one rule source serves both modes. The metric relabelings drop the
 * series nothing reads, as the standalone job does (prometheus.dropUnusedSeries, UNUSED_SIDECAR_SERIES).
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor
 */
export class HeapwatchPodMonitor extends Construct {
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: HeapwatchPodMonitorProps) {
    super(scope, id);
    const c = operatorConfig(props.config, 'HeapwatchPodMonitor', podSelectorProblems(props.podSelector));
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: MONITORING_V1,
      kind: 'PodMonitor',
      metadata: { name: c.app.name, namespace: c.app.namespace, labels: operatorLabels(c, c.app.name) },
      spec: {
        selector: { matchLabels: { ...props.podSelector, [DISCOVERY.podLabel]: DISCOVERY.podLabelValue } },
        namespaceSelector: { matchNames: [c.app.namespace] },
        podMetricsEndpoints: [{
          port: DISCOVERY.portName,
          path: '/metrics',
          interval: derive(c).checkInterval,
          relabelings: [
            { action: 'replace', targetLabel: 'job', replacement: JOBS.exporter },
            { action: 'replace', sourceLabels: [APP_NAME_META], regex: '(.+)', targetLabel: TARGET_LABELS.app, replacement: '$1' },
          ],
          ...(c.prometheus.dropUnusedSeries
            ? { metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: UNUSED_SIDECAR_SERIES_REGEX }] }
            : {}),
        }],
      },
    });
  }
}

/** podSelector: a non-empty map of label names to values (an empty one would select every watched pod of the namespace). */
function podSelectorProblems(selector: unknown): string[] {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector) || Object.keys(selector).length === 0) {
    return [`'podSelector' (${show(selector)}) must be an object of pod label names to values that selects the app's pods, such as ` +
      'selectorLabels(app.labels) of its HeapWatchedApp; an empty one would select every watched pod of the namespace'];
  }
  return labelMapProblems('podSelector', selector as Record<string, unknown>);
}
