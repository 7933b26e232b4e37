import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedConfig } from '../config';
import { buildAlertmanagerConfigSpec } from './alertmanager-config-spec';
import { operatorConfig } from './operator-config';
import { MONITORING_V1ALPHA1, operatorLabels } from './operator-labels';

/** The AlertmanagerConfig's name in each app namespace: one per namespace, whatever the number of apps. */
export const ALERTMANAGER_CONFIG_NAME = 'heapwatch';

export interface HeapwatchAlertmanagerConfigProps {
  /** The resolved config of the watched app (resolveConfig()), mode 'operator'. */
  readonly config: ResolvedConfig;
}

/**
 * heapwatch's routes in the app's namespace, for kube-prometheus-stack's Alertmanager: the severity
 * routes, Watchdog's own receiver, critical inhibits warning, Slack from the Secret
 * slack.webhookSecretName in this namespace. prometheus-operator routes it only the alerts whose
 * namespace label is this namespace. Two apps in one namespace render the same object.
 */
export class HeapwatchAlertmanagerConfig extends Construct {
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: HeapwatchAlertmanagerConfigProps) {
    super(scope, id);
    const c = operatorConfig(props.config, 'HeapwatchAlertmanagerConfig');
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: MONITORING_V1ALPHA1,
      kind: 'AlertmanagerConfig',
      metadata: { name: ALERTMANAGER_CONFIG_NAME, namespace: c.app.namespace, labels: operatorLabels(c, 'heapwatch-routes') },
      spec: buildAlertmanagerConfigSpec(c),
    });
  }
}
