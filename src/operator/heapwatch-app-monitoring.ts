import { Construct } from 'constructs';
import { HeapWatchedApp } from '../app';
import { ResolvedConfig } from '../config';
import { selectorLabels } from '../k8s/labels';
import { HeapwatchAlertmanagerConfig } from './heapwatch-alertmanager-config';
import { operatorConfig } from './operator-config';
import { HeapwatchPodMonitor } from './pod-monitor';

export interface HeapwatchAppMonitoringProps {
  /** The resolved config of the watched app (resolveConfig()), mode 'operator'. */
  readonly config: ResolvedConfig;
  /** The watched app: the PodMonitor selects its pods by its Deployment's selector labels. */
  readonly app: HeapWatchedApp;
}

/** Operator mode, per watched app, in the app's namespace: its PodMonitor and the namespace's AlertmanagerConfig. */
export class HeapwatchAppMonitoring extends Construct {
  public readonly podMonitor: HeapwatchPodMonitor;
  public readonly alertmanagerConfig: HeapwatchAlertmanagerConfig;

  constructor(scope: Construct, id: string, props: HeapwatchAppMonitoringProps) {
    super(scope, id);
    const config = operatorConfig(props.config, 'HeapwatchAppMonitoring');
    this.podMonitor = new HeapwatchPodMonitor(this, 'PodMonitor', { config, podSelector: selectorLabels(props.app.labels) });
    this.alertmanagerConfig = new HeapwatchAlertmanagerConfig(this, 'AlertmanagerConfig', { config });
  }
}
